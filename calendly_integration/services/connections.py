"""Acting on connections, for the REST API, the admin, the demo and Python code.

- ``connect_personal_access_token(user, token)`` / ``disconnect(connection)``: from the oauth
  package, re-exported so a caller acting on connections needs only this module.
- ``request_sync(connection, full=...)``: queue a sync (``queueing.queue_sync``).
- ``ensure_webhooks(connection)``: create, check or heal its webhook subscriptions now, as a
  person asking for them (it lifts a pause staff set by deleting them). They are shared with
  every connection of the same Calendly scope: ensuring them for a second site user of one
  Calendly account joins the existing ones instead of making more.
- ``live_check(connection)``: ask Calendly who the token belongs to, with the rate limit left.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from calendly_integration import queueing
from calendly_integration.exceptions import (
    CalendlyError,
    ConnectionRevoked,
    ConnectionUnusable,
    NeedsReauth,
)
from calendly_integration.models import Connection, WebhookSubscription
from calendly_integration.oauth.connect import connect_personal_access_token
from calendly_integration.oauth.disconnect import disconnect
from calendly_integration.oauth.scopes import require_scopes
from calendly_integration.oauth.tokens import client_for_connection
from calendly_integration.services.errors import describe_error
from calendly_integration.webhooks.subscriptions import ensure_subscriptions

__all__ = [
    "LiveCheck",
    "connect_personal_access_token",
    "disconnect",
    "ensure_webhooks",
    "live_check",
    "request_sync",
]

WEBHOOK_SCOPES = ("webhooks:read", "webhooks:write")


def request_sync(connection: Connection, *, full: bool = False) -> str:
    """Queue a sync of ``connection`` (all history when ``full``); returns django-q2's task id.

    Raises ``NeedsReauth`` or ``ConnectionRevoked`` when the connection cannot sync: better said
    now than found in a failed sync run later.
    """
    if connection.needs_reauth:
        raise NeedsReauth(connection_id=connection.pk)
    if connection.is_revoked:
        raise ConnectionRevoked(connection_id=connection.pk)
    return queueing.queue_sync(connection.pk, full=full) or ""


def ensure_webhooks(connection: Connection) -> list[WebhookSubscription]:
    """Make sure the connection's webhook subscriptions exist at Calendly and are active.

    Needs the ``webhooks:read`` and ``webhooks:write`` scopes (``MissingScope`` otherwise) and
    ``PUBLIC_BASE_URL`` (``WebhooksNotConfigured``).
    """
    require_scopes(connection, *WEBHOOK_SCOPES)
    return ensure_subscriptions(connection)


@dataclass(frozen=True)
class LiveCheck:
    """Whether Calendly answered for the connection, what went wrong, and the rate limit left."""

    reachable: bool
    error: str = ""
    rate_limit: dict[str, Any] | None = None
    #: The error's code as every endpoint names it (``connection_needs_reauth``, ...), or "".
    error_code: str = ""


def live_check(connection: Connection) -> LiveCheck:
    """Ask Calendly who this connection is (``/users/me``); never raises for Calendly's errors."""
    if not connection.is_usable:
        code = "connection_needs_reauth" if connection.needs_reauth else "connection_revoked"
        return LiveCheck(False, gettext("The connection needs to be reconnected."), error_code=code)
    client = client_for_connection(connection)
    try:
        client.get_current_user()
    except (CalendlyError, ConnectionUnusable) as exc:
        described = describe_error(exc)
        return LiveCheck(
            False,
            described.message if described else str(exc),
            _rate_limit(client),
            described.code if described else "calendly_error",
        )
    finally:
        client.close()
    return LiveCheck(True, "", _rate_limit(client))


def _rate_limit(client: Any) -> dict[str, Any] | None:
    info = client.rate_limit
    if info is None:
        return None
    return {"limit": info.limit, "remaining": info.remaining, "reset_seconds": info.reset_seconds}
