"""The "Connect Calendly" page: a user's own connections only, a token form, disconnect by POST."""

import pytest
from django.urls import reverse

from calendly_integration.models import Connection
from calendly_integration.oauth.connect import connect_personal_access_token
from tests.calendly_helpers import make_oauth_connection

pytestmark = pytest.mark.django_db

PAGE = reverse("calendly_integration:connections")
TOKEN_URL = reverse("calendly_integration:connect_token")


def disconnect_url(connection):
    return reverse("calendly_integration:disconnect", args=[connection.pk])


def test_the_page_needs_a_signed_in_user(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_page_lists_only_the_users_own_connections(client, sim, owner, other_user):
    mine = make_oauth_connection(sim, owner)
    theirs = connect_personal_access_token(other_user, sim.create_token(user_uri=sim.admin.uri))
    client.force_login(owner)
    page = client.get(PAGE).content.decode()
    assert mine.email in page
    assert theirs.email not in page
    assert disconnect_url(theirs) not in page
    assert "Connect with a token" in page
    assert "Connect Calendly" in page


def test_needs_reauth_shows_reconnect_calendly(client, sim, owner):
    connection = make_oauth_connection(sim, owner)
    Connection.objects.filter(pk=connection.pk).update(status=Connection.Status.NEEDS_REAUTH)
    client.force_login(owner)
    page = client.get(PAGE).content.decode()
    assert "Reconnect Calendly" in page
    assert 'action="/accounts/calendly/login/"' in page
    assert 'name="process" value="connect"' in page


def test_connecting_with_a_token(client, sim, owner):
    client.force_login(owner)
    token = sim.create_token()
    response = client.post(TOKEN_URL, {"token": token}, follow=True)
    assert response.status_code == 200
    assert f"Connected Calendly as {sim.owner.name}" in response.content.decode()
    assert Connection.objects.get(owner=owner).access_token == token
    assert token not in response.content.decode()


def test_an_invalid_token_is_a_form_error_and_nothing_is_stored(client, sim, owner):
    client.force_login(owner)
    response = client.post(TOKEN_URL, {"token": "sim_pat_invalid"})
    assert response.status_code == 400
    assert "Calendly did not accept this personal access token." in response.content.decode()
    assert "sim_pat_invalid" not in response.content.decode()
    assert not Connection.objects.exists()
    response = client.post(TOKEN_URL, {"token": ""})
    assert response.status_code == 400
    assert not Connection.objects.exists()


def test_disconnect_needs_a_post(client, sim, owner):
    connection = make_oauth_connection(sim, owner)
    client.force_login(owner)
    assert client.get(disconnect_url(connection)).status_code == 405
    response = client.post(disconnect_url(connection))
    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.status == Connection.Status.REVOKED


def test_another_users_connection_is_a_404_and_stays_untouched(client, sim, owner, other_user):
    theirs = make_oauth_connection(sim, other_user)
    before = Connection.objects.get(pk=theirs.pk).encrypted_access_token
    client.force_login(owner)
    assert client.post(disconnect_url(theirs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Connection.Status.ACTIVE
    assert theirs.encrypted_access_token == before
    assert [r for r in sim.requests if r.path == "/oauth/revoke"] == []


def test_for_user_scopes_every_lookup(sim, owner, other_user):
    from django.contrib.auth.models import AnonymousUser

    mine = make_oauth_connection(sim, owner)
    make_oauth_connection(sim, other_user, user_uri=sim.admin.uri)
    assert list(Connection.objects.for_user(owner)) == [mine]
    assert list(Connection.objects.for_user(AnonymousUser())) == []
    assert list(Connection.objects.for_user(None)) == []
