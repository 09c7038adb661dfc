"""A 401 makes the client ask its token provider for a fresh token once; tokens never leak."""

import logging

import pytest

from calendly_integration.client import (
    CalendlyClient,
    OAuthClient,
    RateLimited,
    ServerError,
    TokenResponse,
    Unauthorized,
)
from tests.client.helpers import api_requests, make_client


class RotatingProvider:
    """Hands out a stale token until asked to refresh, like the oauth package's provider."""

    def __init__(self, stale: str, fresh: str) -> None:
        self.stale, self.fresh = stale, fresh
        self.calls: list[bool] = []

    def get_token(self, force_refresh: bool = False) -> str:
        self.calls.append(force_refresh)
        return self.fresh if force_refresh else self.stale


def test_401_forces_one_refresh_then_succeeds(sim):
    revoked = sim.create_token()
    sim.revoke_token(revoked)
    provider = RotatingProvider(revoked, sim.create_token())

    with make_client(sim, provider) as api:
        me = api.get_current_user()

    assert me["uri"] == sim.owner.uri
    assert provider.calls == [False, True]
    assert len(api_requests(sim)) == 2


def test_a_second_401_is_final(sim):
    first, second = sim.create_token(), sim.create_token()
    sim.revoke_token(first)
    sim.revoke_token(second)
    provider = RotatingProvider(first, second)

    with make_client(sim, provider) as api, pytest.raises(Unauthorized):
        api.get_current_user()

    assert provider.calls == [False, True]
    assert len(api_requests(sim)) == 2


def test_a_plain_token_string_has_nothing_to_refresh(sim):
    token = sim.create_token()
    sim.revoke_token(token)

    with make_client(sim, token) as api, pytest.raises(Unauthorized):
        api.get_current_user()

    assert len(api_requests(sim)) == 1


def test_post_is_retried_once_after_a_refresh_because_401_did_nothing(sim):
    revoked = sim.create_token()
    sim.revoke_token(revoked)
    provider = RotatingProvider(revoked, sim.create_token())

    with make_client(sim, provider) as api:
        api.create_organization_invitation(sim.organization_uri, "retry@example.com")

    assert [r.method for r in api_requests(sim)] == ["POST", "POST"]


def test_each_client_has_its_own_session_and_no_token_on_it(sim):
    first = make_client(sim, sim.create_token())
    second = make_client(sim, sim.create_token(user_uri=sim.admin.uri))

    assert first.session is not second.session
    assert "Authorization" not in first.session.headers
    assert first.get_current_user()["uri"] == sim.owner.uri
    assert second.get_current_user()["uri"] == sim.admin.uri
    assert first.get_current_user()["uri"] == sim.owner.uri


def test_the_token_is_never_logged_and_each_request_is_logged_once(sim, caplog):
    token = sim.create_token()
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="calendly_integration")
    sim.faults.fail_next(1, status=500)

    with make_client(sim, token) as api:
        api.get_current_user()
        sim.faults.rate_limit_next(1, retry_after=60)
        with pytest.raises(RateLimited):
            list(api.list_scheduled_events(user=sim.owner.uri, invitee_email="x@example.com"))

    assert token not in caplog.text
    request_lines = [
        r.getMessage()
        for r in caplog.records
        if r.name == "calendly_integration.client" and "->" in r.getMessage()
    ]
    assert request_lines[0].startswith("GET /users/me -> 500 (")
    assert request_lines[1].startswith("GET /users/me -> 200 (")
    assert any("GET /scheduled_events -> 429" in line for line in request_lines)
    assert not any("x@example.com" in line for line in request_lines)


def test_reprs_and_errors_never_contain_the_token(sim):
    token = sim.create_token()
    sim.faults.fail_next(4, status=500)

    with make_client(sim, token) as api:
        with pytest.raises(ServerError) as caught:
            api.get_current_user()
        shown = [repr(api), str(caught.value), repr(caught.value), *map(str, caught.value.args)]

    assert all(token not in text for text in shown)
    assert caught.value.__cause__ is None


def test_token_response_and_oauth_client_reprs_hide_secrets():
    response = TokenResponse.from_json(
        {
            "access_token": "access-SECRET",
            "refresh_token": "refresh-SECRET",
            "token_type": "Bearer",
            "scope": "users:read",
            "expires_in": 7200,
            "created_at": 1_700_000_000,
            "owner": "https://api.calendly.com/users/U",
            "organization": "https://api.calendly.com/organizations/O",
        }
    )
    oauth = OAuthClient("https://auth.calendly.com", "my-client", "client-SECRET")
    client = CalendlyClient("token-SECRET")

    for text in (repr(response), str(response), repr(oauth), repr(client)):
        assert "SECRET" not in text
    assert response.expires_at == 1_700_007_200
    assert response.scopes == ["users:read"]
