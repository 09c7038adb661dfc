"""The "Connect Calendly" page offers the Calendly login only when an OAuth app is configured."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGE = reverse("calendly_integration:connections")


@pytest.fixture
def signed_in(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("olivia", "o@example.com", "pw"))
    return client


def test_with_an_oauth_app_both_ways_to_connect_are_offered(signed_in, sim):
    page = signed_in.get(PAGE).content.decode()
    assert "Connect with your Calendly login" in page
    assert 'action="/accounts/calendly/login/"' in page
    assert "Connect with a token" in page


def test_with_only_tokens_there_is_no_login_button_that_could_only_fail(signed_in, settings, sim):
    settings.CALENDLY = {**settings.CALENDLY, "CLIENT_ID": "", "CLIENT_SECRET": ""}
    page = signed_in.get(PAGE).content.decode()
    assert "Connect with your Calendly login" not in page
    assert "/accounts/calendly/login/" not in page
    assert "Connect with a token" in page
