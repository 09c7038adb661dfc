"""Where the Calendly app's credentials come from: a SocialApp row wins, CALENDLY is the fallback."""

from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialApp
from django.contrib.sites.models import Site

from calendly_integration.models import Connection
from calendly_integration.oauth.tokens import get_valid_token
from tests.calendly_helpers import login_with_calendly, start_login

pytestmark = pytest.mark.django_db


def client_id_of(url):
    return parse_qs(urlsplit(url).query)["client_id"][0]


def test_the_calendly_settings_provide_the_app_when_nothing_else_does(client, sim):
    assert not SocialApp.objects.exists()
    (app,) = get_adapter().list_apps(None, provider="calendly")
    assert (app.client_id, app.secret, app.pk) == ("demo-client", "demo-secret", None)
    assert client_id_of(start_login(client)) == "demo-client"


def test_a_social_app_in_the_database_replaces_the_fallback_instead_of_doubling_it(client, sim):
    app = SocialApp.objects.create(
        provider="calendly", name="Calendly (db)", client_id="demo-client", secret="demo-secret"
    )
    app.sites.add(Site.objects.get_current())
    assert get_adapter().list_apps(None, provider="calendly") == [app]

    response = login_with_calendly(client, sim)

    assert response.status_code == 302
    connection = Connection.objects.get()
    assert get_valid_token(connection.pk, force=True) != connection.access_token


def test_without_credentials_there_is_no_calendly_login(client, sim, settings):
    settings.CALENDLY = {**settings.CALENDLY, "CLIENT_ID": "", "CLIENT_SECRET": ""}
    assert get_adapter().list_apps(None, provider="calendly") == []
