"""The demo's sign-in page: "Sign in with Calendly" first, the password form beside it."""

import re

import pytest
from django.urls import reverse

from calendly_integration.models import Connection
from tests.calendly_helpers import authorize_at_simulator, callback_path

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")


def calendly_form_action(page: str) -> str:
    match = re.search(
        r'<form method="post" action="([^"]+)">\s*<input type="hidden" name="csrfmiddlewaretoken"'
        r'[^>]*>\s*<button type="submit" class="calendly-sign-in">Sign in with Calendly</button>',
        page,
    )
    assert match, page
    return match.group(1).replace("&amp;", "&")


def test_the_login_page_offers_calendly_and_the_password_form(client, sim):
    page = client.get(LOGIN).content.decode()
    assert calendly_form_action(page).startswith("/accounts/calendly/login/?process=login")
    assert 'name="login"' in page and 'name="password"' in page
    assert f'action="{LOGIN}"' in page
    assert "Calendly integration demo" in page  # the site's own frame


def test_the_calendly_button_keeps_where_to_go_next(client, sim):
    page = client.get(LOGIN, {"next": "/calendly/connections/"}).content.decode()
    assert "next=%2Fcalendly%2Fconnections%2F" in calendly_form_action(page)


def test_without_an_oauth_app_there_is_no_calendly_button(client, settings, sim):
    settings.CALENDLY = {**settings.CALENDLY, "CLIENT_ID": "", "CLIENT_SECRET": ""}
    page = client.get(LOGIN).content.decode()
    assert "Sign in with Calendly" not in page
    assert 'name="password"' in page


def test_the_button_signs_in_through_the_simulators_authorize_page(client, sim):
    action = calendly_form_action(client.get(LOGIN).content.decode())
    redirect = client.post(action)
    assert redirect.status_code == 302
    assert redirect["Location"].startswith(f"{sim.url}/oauth/authorize?")
    callback = authorize_at_simulator(sim, redirect["Location"])
    response = client.get(callback_path(callback))
    assert response.status_code == 302
    connection = Connection.objects.get(calendly_user_uri=sim.owner.uri)
    assert client.session["_auth_user_id"] == str(connection.owner_id)


def test_a_wrong_password_is_a_form_error(client, sim, django_user_model):
    django_user_model.objects.create_user("olivia", "olivia@example.com", "right")
    response = client.post(LOGIN, {"login": "olivia", "password": "wrong"})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()


@pytest.mark.parametrize(
    ("url", "signed_in"),
    [
        ("/accounts/signup/", False),
        ("/accounts/password/reset/", False),
        ("/accounts/calendly/login/", False),
        ("/accounts/logout/", True),
        ("/accounts/3rdparty/", True),
    ],
)
def test_allauths_other_pages_use_the_sites_frame(client, sim, django_user_model, url, signed_in):
    if signed_in:
        client.force_login(django_user_model.objects.create_user("olivia", "o@example.com", "pw"))
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<html") == 1
    assert 'aria-label="Main"' in page  # the demo site's navigation
