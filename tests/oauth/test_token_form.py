"""The token form refuses what cannot be a token before anything is sent to Calendly."""

import pytest
from django.urls import reverse

from calendly_integration.models import Connection

pytestmark = pytest.mark.django_db

TOKEN_URL = reverse("calendly_integration:connect_token")


@pytest.mark.parametrize("token", ["tøken-with-latin-1", "токен", "emoji-🙂-token", "two words"])
def test_a_token_that_cannot_go_in_a_header_is_a_form_error(client, sim, owner, token):
    client.force_login(owner)
    sim.clear_requests()
    response = client.post(TOKEN_URL, {"token": token})
    assert response.status_code == 400
    assert "A token is printable characters without spaces." in response.content.decode()
    assert not Connection.objects.filter(owner=owner).exists()
    assert sim.requests == []
