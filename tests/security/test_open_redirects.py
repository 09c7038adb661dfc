"""``next=https://evil.example/`` never sends anyone off-site: not after logging in, logging out,
connecting with Calendly (allauth's ``process=connect``), connecting a token or disconnecting."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from calendly_integration.models import Connection
from tests.calendly_helpers import login_with_calendly

pytestmark = pytest.mark.django_db

EVIL = ["https://evil.example/", "//evil.example/", "https:evil.example", "/\\evil.example/"]


@pytest.fixture
def sim(calendly_simulator, calendly_settings_for_simulator):
    return calendly_simulator


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user("olivia", "olivia@example.com", "pw")


def assert_on_site(response) -> None:
    assert response.status_code in (200, 302, 303), response.status_code
    if response.status_code != 200:
        target = urlsplit(response["Location"])
        assert target.netloc in ("", "testserver"), response["Location"]
        assert not response["Location"].startswith(("//", "/\\")), response["Location"]


@pytest.mark.parametrize("evil", EVIL)
def test_logging_in(client, user, evil):
    response = client.post(
        reverse("account_login") + f"?next={evil}", {"login": "olivia", "password": "pw"}
    )
    assert "_auth_user_id" in client.session
    assert_on_site(response)
    response = client.post(
        reverse("account_login"), {"login": "olivia", "password": "pw", "next": evil}
    )
    assert_on_site(response)


@pytest.mark.parametrize("evil", EVIL)
def test_logging_out(client, user, evil):
    client.force_login(user)
    assert_on_site(client.post(reverse("account_logout"), {"next": evil}))


@pytest.mark.parametrize("evil", EVIL)
def test_connecting_with_calendly(client, sim, user, evil):
    client.force_login(user)
    response = login_with_calendly(client, sim, process="connect", next=evil)
    assert Connection.objects.filter(owner=user).exists()
    assert_on_site(response)


@pytest.mark.parametrize("evil", EVIL)
def test_connecting_a_token_and_disconnecting(client, sim, user, evil):
    client.force_login(user)
    token = sim.create_token()
    response = client.post(
        reverse("calendly_integration:connect_token") + f"?next={evil}",
        {"token": token, "next": evil},
    )
    assert_on_site(response)
    connection = Connection.objects.get(owner=user)
    response = client.post(
        reverse("calendly_integration:disconnect", args=[connection.pk]) + f"?next={evil}",
        {"next": evil},
    )
    assert_on_site(response)
    assert Connection.objects.get(pk=connection.pk).status == Connection.Status.REVOKED
