"""Fault injection: the next requests fail the way real networks and Calendly sometimes do."""

from __future__ import annotations

import time

import pytest
import requests

from calendly_integration.testing.simulator import CalendlySimulator

from .conftest import Api


def test_fail_next_answers_errors_then_recovers(sim: CalendlySimulator, api: Api) -> None:
    sim.faults.fail_next(2)
    first, second, third = (api.get("/users/me") for _ in range(3))
    assert [first.status_code, second.status_code, third.status_code] == [500, 500, 200]
    assert first.json()["title"] == "Internal Server Error"
    sim.faults.fail_next(1, status=503)
    assert api.get("/users/me").status_code == 503


def test_rate_limit_next_sets_retry_after_and_reset(sim: CalendlySimulator, api: Api) -> None:
    sim.faults.rate_limit_next(1, retry_after=3)
    limited = api.get("/users/me")
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "3"
    assert limited.headers["X-RateLimit-Reset"] == "3"
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert api.get("/users/me").status_code == 200


def test_slow_next_trips_a_read_timeout(sim: CalendlySimulator, api: Api) -> None:
    sim.faults.slow_next(1, seconds=0.6)
    with pytest.raises(requests.ReadTimeout):
        api.session.get(f"{sim.url}/users/me", timeout=(2, 0.2))
    started = time.monotonic()
    assert api.get("/users/me").status_code == 200
    assert time.monotonic() - started < 0.5


def test_malformed_next_is_a_200_that_is_not_json(sim: CalendlySimulator, api: Api) -> None:
    sim.faults.malformed_next()
    response = api.get("/users/me")
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()


def test_drop_connection_next_closes_without_an_answer(sim: CalendlySimulator, api: Api) -> None:
    sim.faults.drop_connection_next()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{sim.url}/users/me", headers=api.session.headers, timeout=5)
    assert api.get("/users/me").status_code == 200
    assert sim.requests[-2].status == 0


def test_faults_spare_oauth_unless_asked(sim: CalendlySimulator, api: Api) -> None:
    sim.faults.fail_next(1)
    code = sim.authorize(redirect_uri="http://127.0.0.1/cb")
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": "http://127.0.0.1/cb"}
    granted = requests.post(
        f"{sim.url}/oauth/token", data=form, auth=("demo-client", "demo-secret"), timeout=5
    )
    assert granted.status_code == 200
    assert api.get("/users/me").status_code == 500
    sim.faults.fail_next(1, oauth=True)
    failed = requests.post(
        f"{sim.url}/oauth/token", data=form, auth=("demo-client", "demo-secret"), timeout=5
    )
    assert failed.status_code == 500
    assert sim.faults.pending == 0


def test_revoke_token_fault_makes_the_token_unauthenticated(
    sim: CalendlySimulator, api: Api
) -> None:
    token = api.session.headers["Authorization"].split()[1]
    sim.faults.revoke_token(token)
    assert api.get("/users/me").status_code == 401


def test_recorded_requests_hide_the_token(sim: CalendlySimulator, api: Api) -> None:
    sim.clear_requests()
    api.get("/event_types", user=sim.owner.uri, count="5")
    api.post("/invitee_no_shows", {"invitee": "x"})
    listing, posted = sim.requests
    assert (listing.method, listing.path, listing.query["count"]) == ("GET", "/event_types", ["5"])
    assert "authorization" not in {key.lower() for key in listing.headers}
    assert posted.json == {"invitee": "x"}
    assert (listing.status, posted.status) == (200, 400)
