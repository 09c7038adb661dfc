"""Getting a valid token: refreshed within the margin, rotated, one forced refresh after a 401,
and a refused refresh token turning into needs_reauth."""

from datetime import timedelta

import pytest
from django.utils import timezone

from calendly_integration.client import OAuthClient, TransportError
from calendly_integration.models import Connection
from calendly_integration.oauth.connect import save_connection
from calendly_integration.oauth.errors import ConnectionRevoked, NeedsReauth
from calendly_integration.oauth.tokens import client_for_connection, get_valid_token
from calendly_integration.signals import connection_needs_reauth
from tests.calendly_helpers import expire, make_oauth_connection

pytestmark = pytest.mark.django_db


def introspect(token):
    oauth = OAuthClient.from_settings()
    try:
        return oauth.introspect(token)
    finally:
        oauth.close()


def test_a_token_far_from_expiry_is_returned_as_is(sim, owner):
    connection = make_oauth_connection(sim, owner)
    assert get_valid_token(connection.pk) == connection.access_token
    assert sim.refresh_count == 0


def test_a_token_expiring_within_the_margin_is_refreshed_and_the_pair_rotated(sim, owner):
    connection = make_oauth_connection(sim, owner)
    old_access, old_refresh = connection.access_token, connection.refresh_token
    expire(connection, seconds_left=120)

    token = get_valid_token(connection.pk)

    assert sim.refresh_count == 1
    connection.refresh_from_db()
    assert token == connection.access_token != old_access
    assert connection.refresh_token not in ("", old_refresh)
    assert connection.expires_at > timezone.now() + timedelta(hours=1)
    assert connection.last_refreshed_at is not None
    assert connection.status == Connection.Status.ACTIVE
    assert introspect(connection.refresh_token)["active"] is True
    assert introspect(old_refresh)["active"] is False
    assert get_valid_token(connection.pk) == token
    assert sim.refresh_count == 1


def test_the_margin_is_a_setting(sim, owner, settings):
    connection = make_oauth_connection(sim, owner)
    expire(connection, seconds_left=600)
    assert get_valid_token(connection.pk) == connection.access_token
    settings.CALENDLY = {**settings.CALENDLY, "TOKEN_REFRESH_MARGIN": 900}
    assert get_valid_token(connection.pk) != connection.access_token
    assert sim.refresh_count == 1


def test_a_401_from_the_api_forces_one_refresh_and_one_retry(sim, owner):
    connection = make_oauth_connection(sim, owner)
    sim.advance(7300)  # the access token expired at Calendly before our clock says so
    with client_for_connection(connection) as client:
        me = client.get_current_user()
    assert me["uri"] == connection.calendly_user_uri
    assert sim.refresh_count == 1
    connection.refresh_from_db()
    assert connection.status == Connection.Status.ACTIVE


def test_a_forced_refresh_is_skipped_when_another_caller_already_replaced_the_token(sim, owner):
    connection = make_oauth_connection(sim, owner)
    rejected = connection.access_token
    first = get_valid_token(connection.pk, force=True, rejected_token=rejected)
    second = get_valid_token(connection.pk, force=True, rejected_token=rejected)
    assert first == second != rejected
    assert sim.refresh_count == 1


def test_a_revoked_refresh_token_marks_the_connection_needs_reauth(sim, owner):
    connection = make_oauth_connection(sim, owner)
    sim.revoke_token(connection.refresh_token)
    expire(connection)
    heard = []

    def receiver(sender, connection, error, **kwargs):
        heard.append((connection.pk, connection.status, type(error).__name__))

    connection_needs_reauth.connect(receiver)
    try:
        with pytest.raises(NeedsReauth) as raised:
            get_valid_token(connection.pk)
    finally:
        connection_needs_reauth.disconnect(receiver)

    assert raised.value.connection_id == connection.pk
    connection.refresh_from_db()
    assert connection.status == Connection.Status.NEEDS_REAUTH
    assert "invalid" in connection.last_error.lower()
    assert heard == [(connection.pk, Connection.Status.NEEDS_REAUTH, "InvalidGrant")]

    sim.clear_requests()
    with pytest.raises(NeedsReauth):
        get_valid_token(connection.pk)
    assert sim.requests == []
    assert len(heard) == 1


def test_a_401_that_ends_in_invalid_grant_raises_needs_reauth_from_the_client(sim, owner):
    connection = make_oauth_connection(sim, owner)
    sim.revoke_token(connection.refresh_token)  # revokes its access token too
    with client_for_connection(connection) as client, pytest.raises(NeedsReauth):
        client.get_current_user()
    connection.refresh_from_db()
    assert connection.status == Connection.Status.NEEDS_REAUTH


def test_an_unreachable_token_endpoint_keeps_the_connection_active(sim, owner):
    connection = make_oauth_connection(sim, owner)
    expire(connection)
    sim.faults.drop_connection_next(1, oauth=True)
    with pytest.raises(TransportError):
        get_valid_token(connection.pk)
    connection.refresh_from_db()
    assert connection.status == Connection.Status.ACTIVE
    assert connection.last_error
    assert get_valid_token(connection.pk) != ""
    assert sim.refresh_count == 1


def test_personal_access_tokens_are_never_refreshed(sim, owner):
    with client_for_connection(make_pat_connection(sim, owner)) as client:
        assert client.get_current_user()["uri"] == sim.owner.uri
    assert sim.refresh_count == 0
    assert [r for r in sim.requests if r.path.startswith("/oauth")] == []


def test_a_rejected_personal_access_token_marks_the_connection_needs_reauth(sim, owner):
    connection = make_pat_connection(sim, owner)
    sim.revoke_token(connection.access_token)
    with client_for_connection(connection) as client, pytest.raises(NeedsReauth):
        client.get_current_user()
    connection.refresh_from_db()
    assert connection.status == Connection.Status.NEEDS_REAUTH
    assert sim.refresh_count == 0


def test_a_disconnected_connection_has_no_token(sim, owner):
    connection = make_oauth_connection(sim, owner)
    Connection.objects.filter(pk=connection.pk).update(status=Connection.Status.REVOKED)
    with pytest.raises(ConnectionRevoked):
        get_valid_token(connection.pk)


def make_pat_connection(sim, owner):
    token = sim.create_token()
    from calendly_integration.client import CalendlyClient

    with CalendlyClient.from_settings(token) as client:
        profile = client.get_current_user()
    return save_connection(
        owner=owner, kind=Connection.Kind.PAT, profile=profile, access_token=token
    )
