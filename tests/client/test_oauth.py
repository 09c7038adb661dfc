"""The OAuth client against the simulator's authorization server."""

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from calendly_integration.client import (
    CalendlyClient,
    InvalidGrant,
    OAuthClient,
    OAuthError,
    TokenResponse,
    Unauthorized,
    code_challenge_s256,
    generate_code_verifier,
)
from tests.client.helpers import make_client

REDIRECT_URI = "https://app.example.com/calendly/callback"


class FormFields(HTMLParser):
    """The named inputs of the authorize page's form (hidden fields carry the request)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in {"input", "button"} and attrs.get("name") and attrs.get("type") != "submit":
            self.fields.setdefault(attrs["name"], attrs.get("value") or "")


@pytest.fixture
def oauth(sim):
    with_client = OAuthClient(
        sim.url, "demo-client", "demo-secret", connect_timeout=2, read_timeout=2
    )
    yield with_client
    with_client.close()


def authorized_code(sim, verifier: str, state: str = "st-1", user_uri: str | None = None) -> str:
    return sim.authorize(
        "demo-client",
        REDIRECT_URI,
        state,
        code_challenge_s256(verifier),
        "users:read scheduled_events:read",
        user_uri=user_uri,
    )


def test_authorization_url_asks_for_a_code_with_pkce_and_scopes(oauth, sim):
    url = oauth.authorization_url(
        REDIRECT_URI,
        "state-123",
        code_challenge="challenge",
        scopes=["users:read", "webhooks:read"],
    )

    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{sim.url}/oauth/authorize"
    assert parse_qs(parts.query) == {
        "client_id": ["demo-client"],
        "response_type": ["code"],
        "redirect_uri": [REDIRECT_URI],
        "state": ["state-123"],
        "code_challenge_method": ["S256"],
        "code_challenge": ["challenge"],
        "scope": ["users:read webhooks:read"],
    }


def test_user_approves_on_the_authorize_page_and_the_code_is_exchanged_with_pkce(oauth, sim):
    verifier = generate_code_verifier()
    url = oauth.authorization_url(
        REDIRECT_URI, "state-xyz", code_challenge=code_challenge_s256(verifier)
    )
    with requests.Session() as browser:
        page = browser.get(url, timeout=5)
        assert page.status_code == 200
        form = FormFields()
        form.feed(page.text)
        answer = browser.post(
            f"{sim.url}/oauth/authorize",
            data={**form.fields, "decision": "approve", "user": sim.admin.uuid},
            allow_redirects=False,
            timeout=5,
        )
    assert answer.status_code in {302, 303}
    location = urlsplit(answer.headers["Location"])
    returned = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    assert returned["state"] == ["state-xyz"]

    tokens = oauth.exchange_code(returned["code"][0], REDIRECT_URI, code_verifier=verifier)

    assert isinstance(tokens, TokenResponse)
    assert tokens.token_type == "Bearer"
    assert tokens.expires_in == 7200
    assert tokens.owner == sim.admin.uri
    assert tokens.organization == sim.organization_uri
    assert tokens.refresh_token
    with make_client(sim, tokens.access_token) as api:
        assert api.get_current_user()["uri"] == sim.admin.uri


def test_user_denies_on_the_authorize_page(oauth, sim):
    url = oauth.authorization_url(REDIRECT_URI, "state-no", code_challenge="x" * 43)
    with requests.Session() as browser:
        form = FormFields()
        form.feed(browser.get(url, timeout=5).text)
        answer = browser.post(
            f"{sim.url}/oauth/authorize",
            data={**form.fields, "decision": "deny"},
            allow_redirects=False,
            timeout=5,
        )

    returned = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert returned == {"error": ["access_denied"], "state": ["state-no"]}


def test_a_wrong_code_verifier_is_an_invalid_grant(oauth, sim):
    code = authorized_code(sim, generate_code_verifier())

    with pytest.raises(InvalidGrant) as caught:
        oauth.exchange_code(code, REDIRECT_URI, code_verifier=generate_code_verifier())

    assert caught.value.error == "invalid_grant"
    assert caught.value.status == 400


def test_a_code_works_only_once(oauth, sim):
    verifier = generate_code_verifier()
    code = authorized_code(sim, verifier)
    oauth.exchange_code(code, REDIRECT_URI, code_verifier=verifier)

    with pytest.raises(InvalidGrant):
        oauth.exchange_code(code, REDIRECT_URI, code_verifier=verifier)


def test_refresh_rotates_the_refresh_token_and_the_old_one_is_then_invalid(oauth, sim):
    verifier = generate_code_verifier()
    first = oauth.exchange_code(authorized_code(sim, verifier), REDIRECT_URI, verifier)

    second = oauth.refresh(first.refresh_token)

    assert second.access_token != first.access_token
    assert second.refresh_token != first.refresh_token
    assert second.scope == first.scope
    with make_client(sim, second.access_token) as api:
        assert api.get_current_user()["uri"] == sim.owner.uri
    with pytest.raises(InvalidGrant):
        oauth.refresh(first.refresh_token)


def test_revoke_and_introspect(oauth, sim):
    verifier = generate_code_verifier()
    tokens = oauth.exchange_code(authorized_code(sim, verifier), REDIRECT_URI, verifier)

    assert oauth.introspect(tokens.access_token)["active"] is True
    assert oauth.revoke(tokens.access_token) is None
    assert oauth.introspect(tokens.access_token)["active"] is False
    with make_client(sim, tokens.access_token) as api, pytest.raises(Unauthorized):
        api.get_current_user()


def test_wrong_client_credentials(sim):
    wrong = OAuthClient(sim.url, "demo-client", "not-the-secret")

    with pytest.raises(OAuthError) as caught:
        wrong.refresh("whatever")

    assert caught.value.status == 401
    assert caught.value.error == "invalid_client"
    assert "not-the-secret" not in str(caught.value)


def test_clients_from_settings_point_at_the_simulator(calendly_settings_for_simulator, sim):
    oauth = OAuthClient.from_settings()
    verifier = generate_code_verifier()
    tokens = oauth.exchange_code(authorized_code(sim, verifier), REDIRECT_URI, verifier)

    with CalendlyClient.from_settings(tokens.access_token) as api:
        assert api.base_url == sim.url
        assert api.get_current_user()["uri"] == sim.owner.uri
