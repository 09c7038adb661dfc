"""Whatever a client crafts, the simulator answers like Calendly: a 400 in Calendly's shape.

The simulator can be probed like the real API, so dates centuries away, NUL characters, lone
surrogates, absurd numbers and hostile JSON must never reach a handler as a crash (a 500 or a
dropped connection).
"""

from __future__ import annotations

import http.client
import json
from urllib.parse import quote, urlencode, urlsplit

import pytest
import requests

from calendly_integration.testing.simulator.routing import ROUTES

FAR_DATES = [
    "9999-12-31T23:59:59.999999Z",
    "9999-12-31T23:00:00-12:00",
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+14:00",
    "3000-01-01T00:00:00Z",
    "1899-12-31T23:59:59Z",
    "not a date",
    "2026-13-01T00:00:00Z",
    "2026-06-01T00:00:00Z\x00",
    "\x00",
]
A_WEEK = ("2030-06-03T00:00:00Z", "2030-06-08T00:00:00Z")


def assert_invalid_argument(response: requests.Response, parameter: str | None = None) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["title"] == "Invalid Argument"
    assert isinstance(body["message"], str) and body["message"]
    assert body["details"], body
    if parameter is not None:
        assert parameter in [detail["parameter"] for detail in body["details"]], body


def raw(sim, method: str, target: str, body: bytes | None = None, headers=None):
    """Send exactly these bytes (requests would refuse or re-encode some of them)."""
    host, port = urlsplit(sim.url).hostname, urlsplit(sim.url).port
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.putrequest(method, target, skip_accept_encoding=True)
        for key, value in (headers or {}).items():
            connection.putheader(key, value)
        if body is not None and "Content-Length" not in (headers or {}):
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type") or "", response.read()
    finally:
        connection.close()


def range_queries(sim):
    event_type = sim.event_types_of(sim.owner.uri)[0]["uri"]
    return [
        ("/user_busy_times", "start_time", "end_time", {"user": sim.owner.uri}),
        ("/event_type_available_times", "start_time", "end_time", {"event_type": event_type}),
        (
            "/scheduled_events",
            "min_start_time",
            "max_start_time",
            {"organization": sim.organization_uri},
        ),
        (
            "/activity_log_entries",
            "min_occurred_at",
            "max_occurred_at",
            {"organization": sim.organization_uri},
        ),
    ]


@pytest.mark.parametrize("bad", FAR_DATES)
def test_a_date_far_away_or_broken_is_an_invalid_argument(sim, api, bad):
    for path, start_name, end_name, extra in range_queries(sim):
        for params in (
            {start_name: bad, end_name: A_WEEK[1]},
            {start_name: A_WEEK[0], end_name: bad},
        ):
            response = api.get(path, **extra, **params)
            wrong = start_name if params[start_name] == bad else end_name
            assert_invalid_argument(response, wrong)


def test_in_range_dates_still_work(sim, api):
    for path, start_name, end_name, extra in range_queries(sim):
        response = api.get(path, **extra, **{start_name: A_WEEK[0], end_name: A_WEEK[1]})
        assert response.status_code == 200, (path, response.text)


@pytest.mark.parametrize("value", ["a\x00b", "\x00", "x" * 9000], ids=["nul", "only-nul", "huge"])
def test_hostile_query_values_are_invalid_arguments(sim, api, value):
    for path in ("/users/me", "/event_types", "/scheduled_events", "/webhook_subscriptions"):
        response = api.get(path, organization=sim.organization_uri, user=value)
        assert_invalid_argument(response, "user")


def test_nul_in_a_query_name_and_in_the_path(sim, api):
    token = api.session.headers["Authorization"]
    status, _, body = raw(sim, "GET", "/event_types?a%00b=1", headers={"Authorization": token})
    assert status == 400 and json.loads(body)["title"] == "Invalid Argument"
    status, _, body = raw(sim, "GET", "/users/%00", headers={"Authorization": token})
    assert status == 404 and json.loads(body)["title"] == "Resource Not Found"


HOSTILE_BODIES = {
    "too-deep": b"[" * 100_000,
    "nan": b'{"url": NaN}',
    "infinity": b'{"max_event_count": Infinity}',
    "huge-float": b'{"max_event_count": 1e999}',
    "huge-int": b'{"max_event_count": ' + b"9" * 5000 + b"}",
    "nul": b'{"url": "http://example.com/\\u0000"}',
    "lone-surrogate": b'{"name": "\\ud800"}',
    "surrogate-key": b'{"\\udfff": 1}',
    "not-utf8": b'{"name": "\xff\xfe"}',
    "not-json": b"{",
}


@pytest.mark.parametrize("body", HOSTILE_BODIES.values(), ids=HOSTILE_BODIES.keys())
def test_hostile_json_bodies_are_invalid_arguments(sim, api, body):
    for path in ("/webhook_subscriptions", "/scheduling_links", "/invitees", "/shares"):
        response = api.session.post(
            f"{sim.url}{path}", data=body, headers={"Content-Type": "application/json"}, timeout=10
        )
        assert_invalid_argument(response, "body")


@pytest.mark.parametrize("length", ["-1", "abc", "+5", "0x10", str(10**12)])
def test_a_broken_content_length_is_refused(sim, api, length):
    status, _, body = raw(
        sim,
        "POST",
        "/webhook_subscriptions",
        b"{}",
        {"Authorization": api.session.headers["Authorization"], "Content-Length": length},
    )
    assert status == 400
    assert json.loads(body)["details"][0]["parameter"] == "Content-Length"


def test_oauth_and_pages_refuse_nul(sim):
    response = requests.get(
        f"{sim.url}/oauth/authorize", params={"client_id": "a\x00b"}, timeout=10
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    response = requests.post(f"{sim.url}/oauth/token", data={"grant_type": "\x00"}, timeout=10)
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"
    page = requests.get(f"{sim.url}/d/whatever", params={"name": "\x00"}, timeout=10)
    assert page.status_code == 400 and "text/html" in page.headers["Content-Type"]


SWEEP_VALUES = ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00+14:00", "\x00", "9" * 400, "-1", ""]
SWEEP_PARAMS = ["start_time", "end_time", "min_start_time", "max_start_time", "count",
                "page_token", "sort", "user", "organization", "event_type", "status", "scope"]  # fmt: skip
SWEEP_FIELDS = ["url", "events", "start_time", "end_time", "event_type", "owner",
                "max_event_count", "invitee", "emails", "name", "duration", "date_setting"]  # fmt: skip
SWEEP_JSON = ["\u0000", "9999-12-31T23:59:59Z", 10**30, -1, None, [], {}, [{}], [None]]


def test_no_route_answers_500_to_a_crafted_request(calendly_simulator_factory):
    """Every operation, with hostile values in every common parameter and body field."""
    sim = calendly_simulator_factory(size="small")
    sim.rate_limit_per_minute = 1_000_000
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {sim.create_token()}"
    sent = 0
    failures = []
    for route in ROUTES:
        path = route.template
        for name in ("uuid", "org_uuid", "event_uuid", "invitee_uuid", "webhook_uuid"):
            path = path.replace(f"{{{name}}}", quote("9999-12-31\x00", safe=""))
        targets = [f"{path}?{urlencode({param: value})}" for param in SWEEP_PARAMS
                   for value in SWEEP_VALUES]  # fmt: skip
        bodies = [json.dumps({field: value}) for field in SWEEP_FIELDS for value in SWEEP_JSON]
        requests_to_send = [(target, None) for target in targets]
        if route.method in ("POST", "PATCH"):
            requests_to_send += [(path, body) for body in bodies]
        for target, body in requests_to_send:
            response = session.request(
                route.method,
                f"{sim.url}{target}",
                data=body,
                headers={"Content-Type": "application/json"} if body else {},
                timeout=10,
            )
            sent += 1
            answered = response.status_code < 400 or "title" in response.json()
            if response.status_code >= 500 or not answered:
                failures.append((route.method, target, body, response.status_code))
    assert failures == []
    assert sent > 3000
