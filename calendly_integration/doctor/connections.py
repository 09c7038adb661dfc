"""Checks of one connection at Calendly: does its token work, what may it do, are its webhooks live.

Each connection costs a handful of cheap calls: ``/users/me`` (through ``client_for_connection``,
so an expired token is refreshed exactly as the app would, and a refused one marks the connection
``needs_reauth`` as it would anywhere else), and one listing of webhook subscriptions per scope.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from calendly_integration.client import CalendlyClient, CalendlyError
from calendly_integration.conf import calendly_settings
from calendly_integration.doctor.result import ERROR, INFO, OK, WARNING, CheckResult
from calendly_integration.mirror.mapping import uri_of
from calendly_integration.models import Connection, WebhookSubscription
from calendly_integration.oauth.errors import (
    ConnectionRevoked,
    NeedsReauth,
    TokenDecryptionError,
)
from calendly_integration.oauth.scopes import has_scopes, missing_scopes
from calendly_integration.oauth.tokens import client_for_connection
from calendly_integration.webhooks.subscriptions import find_remote

#: Without these a connection cannot be mirrored at all.
REQUIRED_SCOPES = ("users:read", "scheduled_events:read")
State = WebhookSubscription.State


def describe(connection: Connection) -> str:
    """How results name a connection: its id and whose it is (never a token)."""
    who = connection.email or connection.name or connection.calendly_user_uri
    return _("connection %(pk)s (%(who)s)") % {"pk": connection.pk, "who": who}


def check_connection(connection: Connection) -> list[CheckResult]:
    """The connection's token, scopes and webhook subscriptions; the first result is the token's."""
    subject = describe(connection)
    if connection.is_revoked:
        return [CheckResult("token", INFO, _("Disconnected; not checked."), subject)]
    if connection.needs_reauth:
        return [_needs_reauth(connection, subject)]
    try:
        with client_for_connection(connection) as client:
            me = client.get_current_user()
            results = [_token_ok(connection, me, subject)]
            results += _check_scopes(connection, subject)
            results += check_subscriptions(client, connection, subject)
    except NeedsReauth:
        connection.refresh_from_db(fields=["status", "last_error"])
        return [_needs_reauth(connection, subject)]
    except ConnectionRevoked:
        return [CheckResult("token", INFO, _("Disconnected; not checked."), subject)]
    except TokenDecryptionError:
        return [
            CheckResult(
                "token",
                ERROR,
                _("The stored token cannot be decrypted with the configured keys."),
                subject,
            )
        ]
    except CalendlyError as exc:
        return [
            CheckResult(
                "token",
                ERROR,
                _("Calendly answered with an error: %(error)s") % {"error": _error_text(exc)},
                subject,
                details={"error": type(exc).__name__},
            )
        ]
    return results


def token_works(results: list[CheckResult]) -> bool:
    """Whether ``check_connection``'s results say the token worked (so verifying makes sense)."""
    return bool(results) and results[0].check == "token" and results[0].level == OK


def _error_text(exc: CalendlyError) -> str:
    return f"{type(exc).__name__}: {exc}"


def _needs_reauth(connection: Connection, subject: str) -> CheckResult:
    reason = connection.last_error or _("Calendly refused its token.")
    return CheckResult(
        "token",
        ERROR,
        _("Needs reconnecting (status needs_reauth): %(reason)s") % {"reason": reason},
        subject,
        details={"status": connection.status},
    )


def _token_ok(connection: Connection, me: dict[str, Any], subject: str) -> CheckResult:
    me_uri = uri_of(me)
    if connection.calendly_user_uri and me_uri != connection.calendly_user_uri:
        return CheckResult(
            "token",
            ERROR,
            _("The token acts for %(actual)s, not the connection's user %(expected)s.")
            % {"actual": me_uri, "expected": connection.calendly_user_uri},
            subject,
        )
    return CheckResult(
        "token",
        OK,
        _("The token works (%(kind)s, acting for %(user)s).")
        % {"kind": connection.get_kind_display(), "user": me_uri},
        subject,
    )


def _check_scopes(connection: Connection, subject: str) -> list[CheckResult]:
    required = missing_scopes(connection, *REQUIRED_SCOPES)
    if required:
        return [
            CheckResult(
                "scopes",
                ERROR,
                _("Missing scopes the sync cannot do without: %(scopes)s. Reconnect to grant them.")
                % {"scopes": ", ".join(required)},
                subject,
                details={"missing": required},
            )
        ]
    wanted = missing_scopes(connection, *calendly_settings.SCOPES)
    if wanted:
        return [
            CheckResult(
                "scopes",
                WARNING,
                _("Not granted (the features needing them are skipped): %(scopes)s.")
                % {"scopes": ", ".join(wanted)},
                subject,
                details={"missing": wanted},
            )
        ]
    granted = connection.granted_scopes
    text = (
        _("Full access (no granular scopes recorded).")
        if granted is None
        else _("All %(count)s configured scopes granted.") % {"count": len(granted)}
    )
    return [CheckResult("scopes", OK, text, subject)]


def check_subscriptions(
    client: CalendlyClient, connection: Connection, subject: str
) -> list[CheckResult]:
    """Our subscription rows against Calendly's list: active, disabled, missing or pending."""
    ours = list(connection.webhook_subscriptions.order_by("pk"))
    if not has_scopes(connection, "webhooks:read"):
        return [
            CheckResult("webhooks", INFO, _("Not checked: webhooks:read is not granted."), subject)
        ]
    if not ours:
        if connection.webhooks_paused_scopes:
            return [
                CheckResult(
                    "webhooks",
                    INFO,
                    _("Webhooks were deleted on purpose; calendly_webhooks ensure resumes them."),
                    subject,
                )
            ]
        if calendly_settings.PUBLIC_BASE_URL and has_scopes(connection, "webhooks:write"):
            return [
                CheckResult(
                    "webhooks",
                    WARNING,
                    _("No webhook subscription: run calendly_webhooks ensure."),
                    subject,
                )
            ]
        return [CheckResult("webhooks", INFO, _("No webhook subscription."), subject)]
    listings: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    results = []
    for subscription in ours:
        key = (
            subscription.scope,
            subscription.organization_uri or connection.organization_uri,
            subscription.user_uri or connection.calendly_user_uri,
        )
        if key not in listings:
            listings[key] = _listing(client, *key)
        results.append(_compare(subscription, listings[key], subject))
    return results


def _listing(client: CalendlyClient, scope: str, organization: str, user: str) -> list[dict]:
    user_filter = {"user": user} if scope == WebhookSubscription.Scope.USER else {}
    return list(
        client.list_webhook_subscriptions(organization=organization, scope=scope, **user_filter)
    )


def _compare(
    subscription: WebhookSubscription, listing: list[dict[str, Any]], subject: str
) -> CheckResult:
    remote = find_remote(listing, subscription)
    name = subscription.uri or _("subscription %(pk)s") % {"pk": subscription.pk}
    details = {
        "subscription": subscription.pk,
        "uri": subscription.uri or "",
        "scope": subscription.scope,
        "ours": subscription.state,
        "calendly": (remote or {}).get("state", "missing"),
    }
    if remote is None:
        if subscription.state == State.PENDING:
            return CheckResult(
                "webhooks",
                WARNING,
                _("%(name)s is still being created at Calendly.") % {"name": name},
                subject,
                details=details,
            )
        return CheckResult(
            "webhooks",
            ERROR,
            _("%(name)s is missing at Calendly: deliveries are lost. Run calendly_webhooks ensure.")
            % {"name": name},
            subject,
            details=details,
        )
    if remote.get("state") != State.ACTIVE:
        return CheckResult(
            "webhooks",
            ERROR,
            _(
                "%(name)s is %(state)s at Calendly (failing since %(since)s): deliveries are "
                "lost. Run calendly_webhooks ensure."
            )
            % {
                "name": name,
                "state": remote.get("state"),
                "since": remote.get("retry_started_at") or _("unknown"),
            },
            subject,
            details=details,
        )
    if subscription.state != State.ACTIVE:
        return CheckResult(
            "webhooks",
            WARNING,
            _("%(name)s is active at Calendly but %(state)s here; the next check updates it.")
            % {"name": name, "state": subscription.state},
            subject,
            details=details,
        )
    return CheckResult(
        "webhooks",
        OK,
        _("%(name)s is active (%(scope)s scope).") % {"name": name, "scope": subscription.scope},
        subject,
        details=details,
    )
