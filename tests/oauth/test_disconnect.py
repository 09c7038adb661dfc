"""Disconnecting revokes both tokens at Calendly, wipes them here, and marks the connection."""

import pytest

from calendly_integration.client import CalendlyClient, OAuthClient, Unauthorized
from calendly_integration.models import Connection
from calendly_integration.oauth.connect import connect_personal_access_token
from calendly_integration.oauth.disconnect import disconnect
from calendly_integration.oauth.errors import ConnectionRevoked
from calendly_integration.oauth.tokens import client_for_connection, get_valid_token
from calendly_integration.signals import connection_disconnected, connection_disconnecting
from tests.calendly_helpers import make_oauth_connection

pytestmark = pytest.mark.django_db


def is_active(token):
    oauth = OAuthClient.from_settings()
    try:
        return oauth.introspect(token)["active"]
    finally:
        oauth.close()


def test_disconnect_revokes_both_tokens_wipes_them_and_marks_revoked(sim, owner):
    connection = make_oauth_connection(sim, owner)
    access, refresh = connection.access_token, connection.refresh_token

    disconnect(connection)

    assert not is_active(access)
    assert not is_active(refresh)
    revoked = [r.form["token"][0] for r in sim.requests if r.path == "/oauth/revoke"]
    assert sorted(revoked) == sorted([access, refresh])
    connection.refresh_from_db()
    assert connection.status == Connection.Status.REVOKED
    assert connection.encrypted_access_token == connection.encrypted_refresh_token == ""
    assert connection.expires_at is None
    with pytest.raises(ConnectionRevoked):
        get_valid_token(connection.pk)


def test_disconnecting_receivers_run_while_the_tokens_still_work(sim, owner):
    connection = make_oauth_connection(sim, owner)
    seen = []

    def cleanup(sender, connection, **kwargs):
        with client_for_connection(connection) as client:
            seen.append(client.get_current_user()["uri"])

    def done(sender, connection, connection_id, deleted, revoke_errors, **kwargs):
        seen.append((connection_id, deleted, revoke_errors))

    connection_disconnecting.connect(cleanup)
    connection_disconnected.connect(done)
    try:
        disconnect(connection)
    finally:
        connection_disconnecting.disconnect(cleanup)
        connection_disconnected.disconnect(done)
    assert seen == [connection.calendly_user_uri, (connection.pk, False, [])]


def test_a_failed_revocation_still_wipes_the_tokens_and_says_so(sim, owner):
    connection = make_oauth_connection(sim, owner)
    sim.faults.fail_next(2, status=503, oauth=True)
    disconnect(connection)
    connection.refresh_from_db()
    assert connection.status == Connection.Status.REVOKED
    assert connection.encrypted_access_token == ""
    assert "Revoking a token at Calendly failed" in connection.last_error


def test_on_disconnect_delete_removes_the_connection(sim, owner, settings):
    settings.CALENDLY = {**settings.CALENDLY, "ON_DISCONNECT": "delete"}
    connection = make_oauth_connection(sim, owner)
    refresh = connection.refresh_token
    result = disconnect(connection.pk)
    assert result.pk is None
    assert not Connection.objects.filter(owner=owner).exists()
    assert not is_active(refresh)


def test_a_personal_access_token_is_wiped_without_calling_the_oauth_server(sim, owner):
    token = sim.create_token()
    connection = connect_personal_access_token(owner, token)
    sim.clear_requests()
    disconnect(connection)
    assert [r for r in sim.requests if r.path.startswith("/oauth")] == []
    connection.refresh_from_db()
    assert connection.status == Connection.Status.REVOKED
    assert connection.encrypted_access_token == ""


def test_disconnect_twice_is_harmless(sim, owner):
    connection = make_oauth_connection(sim, owner)
    disconnect(connection)
    sim.clear_requests()
    disconnect(connection)
    assert [r for r in sim.requests if r.path == "/oauth/revoke"] == []


def test_a_revoked_access_token_no_longer_works_at_the_api(sim, owner):
    connection = make_oauth_connection(sim, owner)
    access = connection.access_token
    disconnect(connection)
    with CalendlyClient.from_settings(access) as client, pytest.raises(Unauthorized):
        client.get_current_user()
