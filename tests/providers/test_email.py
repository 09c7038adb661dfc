"""Signing up with Calendly on a site whose mail server is down, or was never set up.

By then the user and their connection exist and they are signed in; a confirmation e-mail that
cannot be sent must not turn that into a server error. The SMTP backend points at a closed port.
"""

import logging
import socket

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.cache import cache

from calendly_integration.models import Connection
from tests.calendly_helpers import login_with_calendly

pytestmark = pytest.mark.django_db
User = get_user_model()
DEFAULT_ADAPTER = "allauth.account.adapter.DefaultAccountAdapter"
OUR_ADAPTER = "calendly_integration.providers.calendly.adapter.CalendlyAccountAdapter"


@pytest.fixture
def mail_server_down(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    settings.LOGIN_REDIRECT_URL = "calendly_integration:connections"
    cache.clear()  # allauth rate-limits confirmation mails per address, in the cache
    return settings


@pytest.mark.parametrize("verification", ["optional", "mandatory"])
def test_calendly_addresses_count_as_verified_so_no_mail_is_sent(
    client, sim, mail_server_down, verification
):
    mail_server_down.ACCOUNT_EMAIL_VERIFICATION = verification
    mail_server_down.ACCOUNT_ADAPTER = DEFAULT_ADAPTER  # nothing would catch a send

    response = login_with_calendly(client, sim)

    assert response.status_code == 302
    assert response["Location"] == "/calendly/connections/"
    user = User.objects.get(pk=client.session["_auth_user_id"])
    assert EmailAddress.objects.get(user=user).verified
    assert Connection.objects.filter(owner=user, status=Connection.Status.ACTIVE).exists()


def test_a_site_that_distrusts_calendly_addresses_still_finishes_the_sign_up(
    client, sim, mail_server_down, caplog
):
    mail_server_down.ACCOUNT_EMAIL_VERIFICATION = "optional"
    mail_server_down.SOCIALACCOUNT_PROVIDERS = {"calendly": {"VERIFIED_EMAIL": False}}
    mail_server_down.ACCOUNT_ADAPTER = OUR_ADAPTER

    with caplog.at_level(logging.ERROR, logger="calendly_integration"):
        response = login_with_calendly(client, sim)

    assert response.status_code == 302
    user = User.objects.get(pk=client.session["_auth_user_id"])
    assert not EmailAddress.objects.get(user=user).verified
    assert Connection.objects.filter(owner=user).exists()
    assert "confirmation could not be sent (ConnectionRefusedError" in caplog.text
    page = client.get(response["Location"])
    assert "could not send the confirmation e-mail" in page.content.decode()


def test_without_our_account_adapter_the_failed_send_is_a_server_error(
    client, sim, mail_server_down
):
    """Why the adapter exists: allauth lets the refused connection through, after the user
    and the connection were created."""
    mail_server_down.ACCOUNT_EMAIL_VERIFICATION = "optional"
    mail_server_down.SOCIALACCOUNT_PROVIDERS = {"calendly": {"VERIFIED_EMAIL": False}}
    mail_server_down.ACCOUNT_ADAPTER = DEFAULT_ADAPTER

    with pytest.raises(ConnectionRefusedError):
        login_with_calendly(client, sim)
    assert Connection.objects.filter(calendly_user_uri=sim.owner.uri).exists()


def test_an_address_typed_into_the_signup_form_is_confirmed_without_a_server_error(
    client, sim, mail_server_down
):
    mail_server_down.ACCOUNT_EMAIL_VERIFICATION = "optional"
    mail_server_down.ACCOUNT_ADAPTER = OUR_ADAPTER
    User.objects.create_user("taken", sim.owner.email, "pw")
    assert login_with_calendly(client, sim)["Location"] == "/accounts/3rdparty/signup/"

    response = client.post(
        "/accounts/3rdparty/signup/", {"username": "newcomer", "email": "newcomer@example.com"}
    )

    assert response.status_code == 302
    assert Connection.objects.filter(owner__username="newcomer").exists()
    assert not EmailAddress.objects.get(email="newcomer@example.com").verified
