"""Tokens, the per-user rate limit and scope enforcement, as a client meets them."""

from __future__ import annotations

import requests

from calendly_integration.testing.simulator import CalendlySimulator

from .conftest import Api


def test_every_api_response_carries_rate_limit_headers(sim: CalendlySimulator, api: Api) -> None:
    ok = api.get("/users/me")
    missing = api.get("/no_such_collection")
    anonymous = requests.get(f"{sim.url}/users/me", timeout=5)
    for response in (ok, missing, anonymous):
        assert response.headers["X-RateLimit-Limit"] == "500"
        assert 0 <= int(response.headers["X-RateLimit-Remaining"]) < 500
        assert 0 < int(response.headers["X-RateLimit-Reset"]) <= 60
    assert missing.status_code == 404
    assert missing.json()["title"] == "Resource Not Found"
    after = api.get("/users/me")
    assert (
        int(after.headers["X-RateLimit-Remaining"]) == int(ok.headers["X-RateLimit-Remaining"]) - 2
    )


def test_past_the_budget_answers_429_with_retry_after_per_user(
    calendly_simulator_factory,
) -> None:
    sim = calendly_simulator_factory(rate_limit_per_minute=3)
    owner = Api(sim, sim.create_token())
    statuses = [owner.get("/users/me").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = owner.get("/users/me")
    assert limited.status_code == 429
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert limited.json()["title"] == "Too Many Requests"
    second_token_same_user = Api(sim, sim.create_token())
    assert second_token_same_user.get("/users/me").status_code == 429
    admin = Api(sim, sim.create_token(sim.admin.uri))
    assert admin.get("/users/me").status_code == 200


def test_missing_scope_is_a_403_naming_it(sim: CalendlySimulator) -> None:
    api = Api(sim, sim.create_token(scopes="users:read event_types:read"))
    assert api.get("/users/me").status_code == 200
    denied = api.get("/scheduled_events", user=sim.owner.uri)
    assert denied.status_code == 403
    assert denied.json() == {
        "title": "Permission Denied",
        "message": "Insufficient scope: this request requires scheduled_events:read",
        "details": [{"parameter": "scope", "message": "scheduled_events:read"}],
    }
    hooks = api.post("/webhook_subscriptions", {"url": "http://127.0.0.1:9/x"})
    assert hooks.json()["details"] == [{"parameter": "scope", "message": "webhooks:write"}]


def test_empty_scope_means_full_access(sim: CalendlySimulator) -> None:
    api = Api(sim, sim.create_token(scopes=""))
    assert api.get("/activity_log_entries", organization=sim.organization_uri).status_code == 200


def test_missing_invalid_revoked_and_expired_tokens_are_401(sim: CalendlySimulator) -> None:
    assert requests.get(f"{sim.url}/users/me", timeout=5).status_code == 401
    assert Api(sim, "not-a-token").get("/users/me").json() == {
        "title": "Unauthenticated",
        "message": "The access token is invalid",
    }
    token = sim.create_token()
    sim.revoke_token(token)
    assert Api(sim, token).get("/users/me").status_code == 401
    code = sim.authorize(redirect_uri="http://127.0.0.1/cb")
    grant = requests.post(
        f"{sim.url}/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://127.0.0.1/cb",
        },
        auth=("demo-client", "demo-secret"),
        timeout=5,
    ).json()
    oauth = Api(sim, grant["access_token"])
    assert oauth.get("/users/me").status_code == 200
    sim.advance(7201)
    expired = oauth.get("/users/me")
    assert expired.status_code == 401
    assert expired.json()["message"] == "The access token expired"


def test_tokens_act_as_their_user(sim: CalendlySimulator) -> None:
    member = sim.members[0]
    me = Api(sim, sim.create_token(member.uri)).get("/users/me").json()["resource"]
    assert (me["uri"], me["email"], me["name"]) == (member.uri, member.email, member.name)
    assert me["current_organization"] == sim.organization_uri
