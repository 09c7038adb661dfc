"""Tokens and keys never leave their encrypted columns: not in raw rows, logs, API answers, admin
pages or error pages.

One flow does everything a site does with secrets: sign up with Calendly (OAuth through allauth,
over HTTP to the simulator), connect a personal access token on the connections page, subscribe
to webhooks, refresh a token, fail a refresh (the refresh token revoked at Calendly), and meet a
Calendly 500. Every token the simulator ever issued, the client secret, the webhook signing keys
and the encryption keys are then searched for everywhere they must not be.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection as db
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views import debug
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from calendly_integration.client import CalendlyError
from calendly_integration.crypto import configured_keys
from calendly_integration.models import Connection, WebhookSubscription
from calendly_integration.oauth.errors import NeedsReauth
from calendly_integration.oauth.tokens import client_for_connection, get_valid_token
from calendly_integration.sync import sync_connection
from calendly_integration.webhooks.subscriptions import ensure_subscriptions
from tests.calendly_helpers import expire, login_with_calendly
from tests.conftest import UNLIMITED

pytestmark = pytest.mark.django_db


@pytest.fixture
def sim_rate_limit():
    return UNLIMITED


@pytest.fixture
def sim_calendly():
    return {
        "PUBLIC_BASE_URL": "http://127.0.0.1:9",  # nothing listens: deliveries fail fast
        "SYNC_BACKFILL_DAYS": 2,
        "SYNC_HORIZON_DAYS": 5,
        "SLACK_WEBHOOK_URL": "https://hooks.slack.test/services/T000/B000/slack-secret-path",
    }


def secrets_of(sim, settings) -> set[str]:
    """Every secret the flow handled: all issued tokens, and the configured secrets."""
    found = set(sim.tokens.access) | set(sim.tokens.refresh)
    calendly = settings.CALENDLY
    found |= {calendly["CLIENT_SECRET"], calendly["WEBHOOK_SIGNING_KEY"], *configured_keys()}
    found.add(calendly["SLACK_WEBHOOK_URL"].rsplit("/", 1)[1])
    for subscription in WebhookSubscription.objects.all():
        if subscription.signing_key:
            found.add(subscription.signing_key)
    return {secret for secret in found if secret}


def leaks(text: str, secrets: set[str]) -> list[str]:
    return sorted(secret[:12] + "..." for secret in secrets if secret in text)


@pytest.fixture
def flow(sim, settings, caplog, django_user_model):
    """Run the whole flow with every logger at DEBUG; return what it made."""
    caplog.set_level(logging.DEBUG)
    browser = Client()
    assert login_with_calendly(browser, sim).status_code == 302
    oauth = Connection.objects.get(kind=Connection.Kind.OAUTH)
    browser.force_login(oauth.owner)
    pat_token = sim.create_token(user_uri=sim.admin.uri)
    page = browser.post(reverse("calendly_integration:connect_token"), {"token": pat_token})
    assert page.status_code == 302, page.content
    pat = Connection.objects.get(kind=Connection.Kind.PAT)
    for connection in (oauth, pat):
        ensure_subscriptions(connection)
    sync_connection(oauth.pk)

    expire(oauth)
    get_valid_token(oauth.pk)  # a refresh that works
    sim.faults.fail_next(10, status=500)  # Calendly has a bad minute
    with pytest.raises(CalendlyError), client_for_connection(pat) as client:
        client.get_current_user()
    sim.faults.clear()
    sim.revoke_token(Connection.objects.get(pk=oauth.pk).refresh_token)
    expire(oauth)
    with pytest.raises(NeedsReauth):  # a refresh that fails
        get_valid_token(oauth.pk)
    return {"oauth": oauth, "pat": pat, "browser": browser}


def test_no_raw_row_of_any_table_holds_a_secret(sim, settings, flow):
    secrets = secrets_of(sim, settings)
    assert len(secrets) > 6
    found = []
    with db.cursor() as cursor:
        for table in db.introspection.table_names():
            cursor.execute(f"SELECT * FROM {db.ops.quote_name(table)}")
            for row in cursor.fetchall():
                text = " ".join(
                    bytes(v).decode("latin-1") if isinstance(v, bytes | memoryview) else str(v)
                    for v in row
                )
                found += [(table, leak) for leak in leaks(text, secrets)]
    for session in SessionStore.get_model_class().objects.all():  # signed, not encrypted
        found += [("session", leak) for leak in leaks(str(session.get_decoded()), secrets)]
    assert found == []


def test_no_log_record_holds_a_secret(sim, settings, flow, caplog):
    records = caplog.get_records("setup")  # the flow ran in the fixture
    assert records
    text = "\n".join(
        f"{record.getMessage()} {record.exc_text or ''} {record.args!r}" for record in records
    )
    assert "needs to be reconnected" in text  # the failing refresh was logged
    assert leaks(text, secrets_of(sim, settings)) == []


def test_no_api_answer_holds_a_secret(sim, settings, flow):
    owner = flow["oauth"].owner
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner).key}")
    pages = [reverse("calendly_api:api-root")]
    for name in ("connection", "webhook-subscription"):
        pages.append(reverse(f"calendly_api:{name}-list"))
    for connection in (flow["oauth"], flow["pat"]):
        pages.append(reverse("calendly_api:connection-detail", args=[connection.pk]))
        pages.append(reverse("calendly_api:connection-status", args=[connection.pk]))
    for subscription in WebhookSubscription.objects.all():
        pages.append(reverse("calendly_api:webhook-subscription-detail", args=[subscription.pk]))
    body = ""
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, (page, response.content)
        body += response.content.decode()
    assert leaks(body, secrets_of(sim, settings)) == []


def test_no_admin_page_holds_a_secret(sim, settings, flow, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client = Client()
    client.force_login(admin)
    pages = [
        reverse("admin:calendly_integration_connection_changelist"),
        reverse("admin:calendly_integration_webhooksubscription_changelist"),
        reverse("admin:calendly_integration_webhookdelivery_changelist"),
        reverse("admin:socialaccount_socialaccount_changelist"),
        reverse("admin:socialaccount_socialtoken_changelist"),
    ]
    for connection in Connection.objects.all():
        pages.append(reverse("admin:calendly_integration_connection_change", args=[connection.pk]))
    for subscription in WebhookSubscription.objects.all():
        pages.append(
            reverse("admin:calendly_integration_webhooksubscription_change", args=[subscription.pk])
        )
    body = ""
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        body += response.content.decode()
    assert leaks(body, secrets_of(sim, settings)) == []


def calendly_failure(connection: Connection) -> Any:
    """The exc_info of a real failure inside the client, with a live token on the stack."""
    try:
        with client_for_connection(connection) as client:
            client.get_current_user()
    except CalendlyError:
        return sys.exc_info()
    raise AssertionError("the simulator did not fail")


@pytest.mark.parametrize("debug_mode", [False, True], ids=["production", "debug"])
def test_no_error_page_holds_a_secret(sim, settings, flow, debug_mode):
    settings.DEBUG = debug_mode
    secrets = secrets_of(sim, settings)
    pat = flow["pat"]
    sim.faults.fail_next(10, status=500)
    exc_info = calendly_failure(pat)
    request = RequestFactory().post("/calendly/connections/token/", {"token": pat.access_token})
    request.user = pat.owner
    reporter = debug.ExceptionReporter(request, *exc_info)
    html, text = reporter.get_traceback_html(), reporter.get_traceback_text()
    assert "ServerError" in text  # the report is about the real failure
    assert leaks(html, secrets) == []
    assert leaks(text, secrets) == []
    page = Client(raise_request_exception=False)
    assert leaks(page.get("/no-such-page/").content.decode(), secrets) == []


SECRET_SETTINGS = (
    "CLIENT_SECRET",
    "TOKEN_ENCRYPTION_KEYS",
    "WEBHOOK_SIGNING_KEY",
    "PERSONAL_ACCESS_TOKEN",
    "SLACK_WEBHOOK_URL",
)


def test_every_secret_calendly_setting_is_hidden_in_error_reports(settings):
    settings.CALENDLY = {**settings.CALENDLY, **dict.fromkeys(SECRET_SETTINGS, "s3cret")}
    shown = debug.get_default_exception_reporter_filter().get_safe_settings()["CALENDLY"]
    assert {name: shown[name] for name in SECRET_SETTINGS} == dict.fromkeys(
        SECRET_SETTINGS, debug.SafeExceptionReporterFilter.cleansed_substitute
    )
    # Django's own filter misses the Slack URL (its name does not look secret).
    plain = debug.SafeExceptionReporterFilter().get_safe_settings()["CALENDLY"]
    assert plain["SLACK_WEBHOOK_URL"] == "s3cret"


def test_without_the_filter_a_client_traceback_would_show_the_token(sim, settings, flow):
    """Why the filter exists: the client's frames hold the live token."""
    settings.DEFAULT_EXCEPTION_REPORTER_FILTER = "django.views.debug.SafeExceptionReporterFilter"
    debug.get_default_exception_reporter_filter.cache_clear()
    try:
        sim.faults.fail_next(10, status=500)
        exc_info = calendly_failure(flow["pat"])
        html = debug.ExceptionReporter(None, *exc_info).get_traceback_html()
    finally:
        debug.get_default_exception_reporter_filter.cache_clear()
    assert flow["pat"].access_token in html


def test_the_token_form_marks_its_token_sensitive_for_any_filter(sim, settings, user_with_token):
    """Even a site on Django's default filter keeps the posted token out of error e-mails."""
    from calendly_integration.views.connections import ConnectPersonalAccessTokenView

    user, token = user_with_token
    request = RequestFactory().post("/calendly/connections/token/", {"token": token})
    request.user = user
    request.session = SessionStore()
    request._messages = _Messages()
    ConnectPersonalAccessTokenView.as_view()(request)

    settings.DEBUG = False
    shown = debug.SafeExceptionReporterFilter().get_post_parameters(request)
    assert shown["token"] == debug.SafeExceptionReporterFilter.cleansed_substitute


class _Messages:
    def add(self, *args: Any, **kwargs: Any) -> None:
        """The view's success message; not what this test is about."""


@pytest.fixture
def user_with_token(sim, django_user_model):
    return django_user_model.objects.create_user("ben"), sim.create_token()
