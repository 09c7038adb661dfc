"""The OAuth server: authorize page, PKCE code exchange, rotating refresh, revoke, introspect."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from calendly_integration.testing.simulator import CalendlySimulator

from .conftest import Api

REDIRECT = "http://127.0.0.1:8000/callback"
CLIENT = ("demo-client", "demo-secret")


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.decode().rstrip("=")


def authorize_params(challenge: str, **extra: str) -> dict[str, str]:
    return {
        "client_id": "demo-client",
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "state": "xyz-state",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }


def hidden_fields(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))


def token(sim: CalendlySimulator, **form: str) -> requests.Response:
    return requests.post(f"{sim.url}/oauth/token", data=form, auth=CLIENT, timeout=5)


def exchange(sim: CalendlySimulator, code: str, verifier: str | None = None) -> requests.Response:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    if verifier:
        form["code_verifier"] = verifier
    return token(sim, **form)


def test_authorize_page_approve_then_code_exchange_with_pkce(sim: CalendlySimulator) -> None:
    verifier, challenge = pkce()
    page = requests.get(f"{sim.url}/oauth/authorize", params=authorize_params(challenge), timeout=5)
    assert page.status_code == 200
    assert "text/html" in page.headers["Content-Type"]
    assert 'value="approve"' in page.text and 'value="deny"' in page.text
    assert sim.admin.uuid in page.text
    form = {**hidden_fields(page.text), "user": sim.admin.uuid, "decision": "approve"}
    decision = requests.post(
        f"{sim.url}/oauth/authorize", data=form, allow_redirects=False, timeout=5
    )
    assert decision.status_code == 302
    location = urlsplit(decision.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    query = parse_qs(location.query)
    assert query["state"] == ["xyz-state"]
    grant = exchange(sim, query["code"][0], verifier)
    assert grant.status_code == 200, grant.text
    body = grant.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 7200
    assert isinstance(body["created_at"], int)
    assert body["owner"] == sim.admin.uri
    assert body["organization"] == sim.organization_uri
    assert body["scope"] == ""
    assert body["access_token"] and body["refresh_token"]
    me = Api(sim, body["access_token"]).get("/users/me").json()["resource"]
    assert me["uri"] == sim.admin.uri


def test_deny_redirects_with_access_denied(sim: CalendlySimulator) -> None:
    _verifier, challenge = pkce()
    page = requests.get(f"{sim.url}/oauth/authorize", params=authorize_params(challenge), timeout=5)
    form = {**hidden_fields(page.text), "decision": "deny"}
    decision = requests.post(
        f"{sim.url}/oauth/authorize", data=form, allow_redirects=False, timeout=5
    )
    query = parse_qs(urlsplit(decision.headers["Location"]).query)
    assert query == {"error": ["access_denied"], "state": ["xyz-state"]}


def test_authorize_rejects_unknown_clients_and_other_response_types(sim: CalendlySimulator) -> None:
    _verifier, challenge = pkce()
    unknown = requests.get(
        f"{sim.url}/oauth/authorize",
        params=authorize_params(challenge, client_id="nobody"),
        timeout=5,
    )
    assert unknown.status_code == 400
    implicit = requests.get(
        f"{sim.url}/oauth/authorize",
        params=authorize_params(challenge, response_type="token"),
        allow_redirects=False,
        timeout=5,
    )
    assert implicit.status_code == 302
    assert "error=unsupported_response_type" in implicit.headers["Location"]


def test_wrong_or_missing_code_verifier_is_invalid_grant(sim: CalendlySimulator) -> None:
    verifier, challenge = pkce()
    code = sim.authorize(redirect_uri=REDIRECT, code_challenge=challenge)
    wrong = exchange(sim, code, verifier + "x")
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    assert exchange(sim, code).json()["error"] == "invalid_grant"
    assert exchange(sim, code, verifier).status_code == 200


def test_codes_are_single_use_short_lived_and_bound_to_the_redirect_uri(
    sim: CalendlySimulator,
) -> None:
    code = sim.authorize(redirect_uri=REDIRECT)
    assert exchange(sim, code).status_code == 200
    assert exchange(sim, code).json()["error"] == "invalid_grant"
    stale = sim.authorize(redirect_uri=REDIRECT)
    sim.advance(301)
    assert exchange(sim, stale).json()["error"] == "invalid_grant"
    other = sim.authorize(redirect_uri=REDIRECT)
    mismatch = token(sim, grant_type="authorization_code", code=other, redirect_uri="http://evil/")
    assert mismatch.json()["error"] == "invalid_grant"


def test_client_authentication(sim: CalendlySimulator) -> None:
    code = sim.authorize(redirect_uri=REDIRECT)
    bad = requests.post(
        f"{sim.url}/oauth/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT},
        auth=("demo-client", "wrong"),
        timeout=5,
    )
    assert bad.status_code == 401
    assert bad.json()["error"] == "invalid_client"
    in_form = requests.post(
        f"{sim.url}/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": "demo-client",
            "client_secret": "demo-secret",
        },
        timeout=5,
    )
    assert in_form.status_code == 200
    sim.register_oauth_client("another-app", "another-secret")
    code = sim.authorize("another-app", redirect_uri=REDIRECT)
    other = requests.post(
        f"{sim.url}/oauth/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT},
        auth=("another-app", "another-secret"),
        timeout=5,
    )
    assert other.status_code == 200


def test_refresh_tokens_rotate_and_are_single_use(sim: CalendlySimulator) -> None:
    first = exchange(sim, sim.authorize(redirect_uri=REDIRECT)).json()
    second = token(sim, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert second.status_code == 200
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]
    assert rotated["access_token"] != first["access_token"]
    assert Api(sim, rotated["access_token"]).get("/users/me").status_code == 200
    assert Api(sim, first["access_token"]).get("/users/me").status_code == 401
    reused = token(sim, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_grant"
    assert sim.refresh_count == 1
    assert sim.refresh_reuse_attempts == 1
    assert set(sim.refresh_issuances.values()) == {1}


def test_granted_scopes_are_returned_and_enforced(sim: CalendlySimulator) -> None:
    code = sim.authorize(redirect_uri=REDIRECT, scope="users:read event_types:read")
    grant = exchange(sim, code).json()
    assert grant["scope"] == "event_types:read users:read"
    api = Api(sim, grant["access_token"])
    assert api.get("/users/me").status_code == 200
    assert api.get("/scheduled_events", user=sim.owner.uri).status_code == 403
    refreshed = token(sim, grant_type="refresh_token", refresh_token=grant["refresh_token"]).json()
    assert refreshed["scope"] == grant["scope"]


def test_revoke_and_introspect(sim: CalendlySimulator) -> None:
    grant = exchange(sim, sim.authorize(redirect_uri=REDIRECT, scope="users:read")).json()
    info = requests.post(
        f"{sim.url}/oauth/introspect", data={"token": grant["access_token"]}, auth=CLIENT, timeout=5
    ).json()
    assert info["active"] is True
    assert info["scope"] == "users:read"
    assert info["client_id"] == "demo-client"
    assert info["owner"] == sim.owner.uri
    assert info["organization"] == sim.organization_uri
    assert info["exp"] - info["iat"] == 7200
    revoked = requests.post(
        f"{sim.url}/oauth/revoke", data={"token": grant["access_token"]}, auth=CLIENT, timeout=5
    )
    assert revoked.status_code == 200
    assert Api(sim, grant["access_token"]).get("/users/me").status_code == 401
    after = requests.post(
        f"{sim.url}/oauth/introspect", data={"token": grant["access_token"]}, auth=CLIENT, timeout=5
    ).json()
    assert after == {"active": False}
    refresh = token(sim, grant_type="refresh_token", refresh_token=grant["refresh_token"])
    assert refresh.json()["error"] == "invalid_grant"


def test_token_endpoint_takes_forms_only_and_limits_issuance(sim: CalendlySimulator) -> None:
    code = sim.authorize(redirect_uri=REDIRECT)
    as_json = requests.post(
        f"{sim.url}/oauth/token",
        json={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT},
        auth=CLIENT,
        timeout=5,
    )
    assert as_json.status_code == 400
    assert as_json.json()["error"] == "invalid_request"
    assert token(sim, grant_type="password").json()["error"] == "unsupported_grant_type"
    sim.token_issuance_limit_per_minute = 1
    assert exchange(sim, code).status_code == 200
    assert exchange(sim, sim.authorize(redirect_uri=REDIRECT)).status_code == 429


@pytest.mark.parametrize("method", ["plain"])
def test_plain_pkce_is_supported(sim: CalendlySimulator, method: str) -> None:
    code = sim.authorize(
        redirect_uri=REDIRECT, code_challenge="just-a-verifier-string", code_challenge_method=method
    )
    assert exchange(sim, code, "just-a-verifier-string").status_code == 200
