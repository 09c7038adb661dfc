"""The connection admin shows status and expiry, hints at reconnecting, and never a token."""

import pytest
from django.urls import reverse

from calendly_integration.models import Connection
from tests.calendly_helpers import TOKEN_PATTERN, make_oauth_connection

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    return client


def test_the_list_and_the_page_show_no_token(staff_client, sim, owner):
    connection = make_oauth_connection(sim, owner)
    Connection.objects.filter(pk=connection.pk).update(status=Connection.Status.NEEDS_REAUTH)
    stored = Connection.objects.get(pk=connection.pk)

    listing = staff_client.get(reverse("admin:calendly_integration_connection_changelist"))
    page = staff_client.get(
        reverse("admin:calendly_integration_connection_change", args=[connection.pk])
    )

    assert listing.status_code == page.status_code == 200
    for response in (listing, page):
        html = response.content.decode()
        assert "Reconnect Calendly" in html
        assert TOKEN_PATTERN.findall(html) == []
        assert stored.encrypted_access_token not in html
        assert stored.encrypted_refresh_token not in html
        assert "encrypted" not in html.lower()
    assert "Calendly refused the refresh token" in page.content.decode()
    assert b'name="calendly_user_uri"' not in page.content  # read-only: no inputs


def test_connections_cannot_be_added_or_edited_here(staff_client):
    assert staff_client.get(reverse("admin:calendly_integration_connection_add")).status_code == 403


def test_the_disconnect_action_revokes_at_calendly(staff_client, sim, owner):
    connection = make_oauth_connection(sim, owner)
    picked = staff_client.post(
        reverse("admin:calendly_integration_connection_changelist"),
        {"action": "disconnect_selected", "_selected_action": [connection.pk]},
    )
    assert Connection.objects.get(pk=connection.pk).status == Connection.Status.ACTIVE
    response = staff_client.post(picked["Location"], follow=True)  # the confirmation
    assert "1 done, 0 skipped, 0 failed." in response.content.decode()
    connection.refresh_from_db()
    assert connection.status == Connection.Status.REVOKED
    assert len([r for r in sim.requests if r.path == "/oauth/revoke"]) == 2
