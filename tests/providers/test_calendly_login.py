"""Signing up, logging in and connecting with Calendly through allauth, end to end over HTTP.

The test client plays the browser on our side; ``requests`` plays it on the simulator's consent page.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.contrib.auth import get_user_model

from calendly_integration.models import Connection
from calendly_integration.oauth.errors import ConnectionRevoked
from calendly_integration.oauth.tokens import get_valid_token
from tests.calendly_helpers import (
    TOKEN_PATTERN,
    authorize_at_simulator,
    callback_path,
    login_with_calendly,
    raw_rows,
    start_login,
)

pytestmark = pytest.mark.django_db
User = get_user_model()
# allauth's error page: 401 since django-allauth 65.14, 200 before (pyproject accepts 65.7 on).
ERROR_PAGE_STATUS = (200, 401)


def signed_in_user(client):
    return User.objects.get(pk=client.session["_auth_user_id"])


def test_the_login_redirects_to_calendly_with_pkce_s256_and_the_configured_scopes(client, sim):
    url = start_login(client)
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{sim.url}/oauth/authorize"
    assert query["client_id"] == "demo-client"
    assert query["response_type"] == "code"
    assert query["redirect_uri"] == "http://testserver/accounts/calendly/login/callback/"
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43
    assert query["state"]
    from calendly_integration.conf import DEFAULT_SCOPES

    assert query["scope"].split() == list(DEFAULT_SCOPES)


def test_signing_up_with_calendly_signs_the_user_in_with_an_encrypted_connection(client, sim):
    response = login_with_calendly(client, sim)

    assert response.status_code == 302
    user = signed_in_user(client)
    assert user.email == sim.owner.email
    account = SocialAccount.objects.get(user=user, provider="calendly")
    assert account.uid == sim.owner.uri
    assert account.extra_data["email"] == sim.owner.email
    assert account.extra_data["current_organization"] == sim.organization_uri
    assert {"name", "timezone", "avatar_url", "scheduling_url"} <= set(account.extra_data)

    connection = Connection.objects.get(owner=user)
    assert connection.kind == Connection.Kind.OAUTH
    assert connection.status == Connection.Status.ACTIVE
    assert connection.calendly_user_uri == sim.owner.uri
    assert connection.organization_uri == sim.organization_uri
    assert connection.access_token.startswith("sim_at_")
    assert connection.refresh_token.startswith("sim_rt_")
    assert connection.expires_at is not None
    assert get_valid_token(connection.pk) == connection.access_token


def test_the_token_is_exchanged_with_http_basic_client_credentials(client, sim):
    login_with_calendly(client, sim)
    (exchange,) = [r for r in sim.requests if r.path == "/oauth/token"]
    assert exchange.form["grant_type"] == ["authorization_code"]
    assert exchange.form["code_verifier"][0]
    assert "client_secret" not in exchange.form
    assert "client_id" not in exchange.form


def test_no_token_is_kept_in_plaintext_in_allauths_tables_or_ours(client, sim):
    login_with_calendly(client, sim)
    connection = Connection.objects.get()
    tokens = {connection.access_token, connection.refresh_token}

    assert not SocialToken.objects.exists()
    for table in (
        SocialToken._meta.db_table,
        SocialAccount._meta.db_table,
        Connection._meta.db_table,
    ):
        dump = str(raw_rows(table))
        assert TOKEN_PATTERN.findall(dump) == []
        assert not any(token in dump for token in tokens)
    assert raw_rows(SocialToken._meta.db_table) == []


def test_logging_in_again_updates_the_same_connection(client, sim):
    login_with_calendly(client, sim)
    first = Connection.objects.get()
    client.logout()

    login_with_calendly(client, sim)

    assert User.objects.count() == 1
    second = Connection.objects.get()
    assert second.pk == first.pk
    assert second.access_token != first.access_token
    assert signed_in_user(client) == first.owner


def test_a_needs_reauth_connection_is_active_again_after_reconnecting(client, sim):
    login_with_calendly(client, sim)
    connection = Connection.objects.get()
    sim.revoke_token(connection.refresh_token)
    Connection.objects.filter(pk=connection.pk).update(status=Connection.Status.NEEDS_REAUTH)

    response = login_with_calendly(client, sim, process="connect", next="/calendly/connections/")

    assert response.status_code == 302
    assert response["Location"] == "/calendly/connections/"
    connection.refresh_from_db()
    assert connection.status == Connection.Status.ACTIVE
    assert get_valid_token(connection.pk, force=True)


def test_a_signed_in_user_connects_a_second_calendly_account(client, sim, owner):
    client.force_login(owner)
    login_with_calendly(client, sim, process="connect")
    login_with_calendly(client, sim, user_uuid=sim.admin.uuid, process="connect")

    assert signed_in_user(client) == owner
    assert User.objects.count() == 1
    uris = set(Connection.objects.filter(owner=owner).values_list("calendly_user_uri", flat=True))
    assert uris == {sim.owner.uri, sim.admin.uri}
    assert SocialAccount.objects.filter(user=owner).count() == 2
    for connection in Connection.objects.filter(owner=owner):
        assert get_valid_token(connection.pk)


def test_removing_the_social_account_disconnects_the_connection(client, sim, owner):
    owner.set_password("pw")
    owner.save()
    client.force_login(owner)
    login_with_calendly(client, sim, process="connect")
    connection = Connection.objects.get(owner=owner)
    refresh = connection.refresh_token
    account = SocialAccount.objects.get(user=owner)

    response = client.post("/accounts/3rdparty/", {"account": account.pk})

    assert response.status_code == 302
    assert not SocialAccount.objects.filter(user=owner).exists()
    connection.refresh_from_db()
    assert connection.status == Connection.Status.REVOKED
    assert connection.encrypted_refresh_token == ""
    assert refresh in [r.form["token"][0] for r in sim.requests if r.path == "/oauth/revoke"]
    with pytest.raises(ConnectionRevoked):
        get_valid_token(connection.pk)


def test_a_signup_that_needs_the_form_keeps_the_token_encrypted_in_the_session(client, sim):
    User.objects.create_user("taken", sim.owner.email, "pw")
    response = login_with_calendly(client, sim)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/3rdparty/signup/"
    sessions = str(raw_rows("django_session"))
    decoded = str(client.session.get("socialaccount_sociallogin"))
    assert "calendly-fernet:" in decoded
    assert TOKEN_PATTERN.findall(decoded) == []
    assert TOKEN_PATTERN.findall(sessions) == []

    response = client.post(
        "/accounts/3rdparty/signup/", {"username": "newcomer", "email": "newcomer@example.com"}
    )
    assert response.status_code == 302
    connection = Connection.objects.get(owner__username="newcomer")
    assert connection.access_token.startswith("sim_at_")
    assert get_valid_token(connection.pk) == connection.access_token


class TestBadInput:
    """Every broken callback ends on allauth's error page; nothing is created or changed."""

    def snapshot(self):
        return (
            User.objects.count(),
            SocialAccount.objects.count(),
            list(Connection.objects.values_list("pk", "encrypted_access_token", "status")),
        )

    def test_access_denied(self, client, sim):
        before = self.snapshot()
        callback = authorize_at_simulator(sim, start_login(client), decision="deny")
        assert "error=access_denied" in callback
        response = client.get(callback_path(callback), follow=True)
        assert response.redirect_chain[-1][0] == "/accounts/3rdparty/login/cancelled/"
        assert "cancel" in response.content.decode().lower()
        assert self.snapshot() == before
        assert "_auth_user_id" not in client.session

    def test_a_wrong_state(self, client, sim):
        callback = authorize_at_simulator(sim, start_login(client))
        before = self.snapshot()
        query = parse_qs(urlsplit(callback).query)
        response = client.get(
            "/accounts/calendly/login/callback/", {"code": query["code"][0], "state": "forged"}
        )
        assert response.status_code in ERROR_PAGE_STATUS
        assert "This sign-in link is not valid any more" in response.content.decode()
        assert self.snapshot() == before
        assert [r for r in sim.requests if r.path == "/oauth/token"] == []

    def test_a_missing_code(self, client, sim):
        callback = authorize_at_simulator(sim, start_login(client))
        state = parse_qs(urlsplit(callback).query)["state"][0]
        before = self.snapshot()
        response = client.get("/accounts/calendly/login/callback/", {"state": state})
        assert response.status_code in ERROR_PAGE_STATUS
        assert "Calendly sent no authorization code" in response.content.decode()
        assert self.snapshot() == before

    def test_a_reused_code(self, client, sim, settings):
        settings.CALENDLY = {**settings.CALENDLY, "USE_PKCE": False}
        first = authorize_at_simulator(sim, start_login(client))
        client.get(callback_path(first))
        client.logout()
        before = self.snapshot()

        second = authorize_at_simulator(sim, start_login(client))
        code = parse_qs(urlsplit(first).query)["code"][0]
        state = parse_qs(urlsplit(second).query)["state"][0]
        response = client.get("/accounts/calendly/login/callback/", {"code": code, "state": state})

        assert response.status_code in ERROR_PAGE_STATUS
        assert "Calendly did not accept the authorization code" in response.content.decode()
        assert self.snapshot() == before
        assert "_auth_user_id" not in client.session

    def test_a_pkce_verifier_mismatch(self, client, sim):
        first = start_login(client)
        second = start_login(client)
        callback_for_first = authorize_at_simulator(sim, first)
        code = parse_qs(urlsplit(callback_for_first).query)["code"][0]
        state_of_second = parse_qs(urlsplit(second).query)["state"][0]
        before = self.snapshot()

        response = client.get(
            "/accounts/calendly/login/callback/", {"code": code, "state": state_of_second}
        )

        assert response.status_code in ERROR_PAGE_STATUS
        assert "the PKCE check failed" in response.content.decode()
        assert self.snapshot() == before
        (exchange,) = [r for r in sim.requests if r.path == "/oauth/token"]
        assert exchange.form["code_verifier"]
