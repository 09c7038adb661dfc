"""Cancelling a scheduled event at Calendly, and mirroring the result."""

from __future__ import annotations

import logging
from typing import Any

from django.utils.translation import gettext

from calendly_integration.client import CalendlyClient, CalendlyError, PermissionDenied
from calendly_integration.client.errors import InsufficientScope
from calendly_integration.client.scheduled_events import MAX_REASON_LENGTH
from calendly_integration.mirror.changes import apply_cancellation
from calendly_integration.mirror.objects import save_event_and_invitees
from calendly_integration.models import Connection, ScheduledEvent
from calendly_integration.oauth.scopes import require_scopes
from calendly_integration.oauth.tokens import client_for_connection
from calendly_integration.services.acting import connection_for_event
from calendly_integration.services.errors import AlreadyCanceled, InvalidRequest

logger = logging.getLogger(__name__)

__all__ = ["CANCEL_SCOPE", "cancel_event", "refresh_event"]

CANCEL_SCOPE = "scheduled_events:write"


def _is_already_canceled(exc: CalendlyError) -> bool:
    return (
        isinstance(exc, PermissionDenied)
        and not isinstance(exc, InsufficientScope)
        and "already canceled" in (exc.message or "").lower()
    )


def cancel_event(
    event: ScheduledEvent,
    reason: str = "",
    actor: Any = None,
    *,
    connection: Connection | None = None,
) -> ScheduledEvent:
    """Cancel ``event`` at Calendly for every invitee, with ``reason``; return the updated row.

    Acts through ``connection`` when given, else through the actor's host or organization-admin
    connection (see ``services.acting``). Raises ``AlreadyCanceled`` when the row (or Calendly)
    says it is canceled already, ``NotPermitted``/``MissingScope``/``NeedsReauth`` when nobody may
    act, and the client's ``CalendlyError`` subclasses when Calendly refuses or fails. After the
    cancellation the event and its invitees are read back and written like a sync would; if that
    read fails, the row is updated from the cancellation Calendly returned.
    """
    reason = reason or ""
    if len(reason) > MAX_REASON_LENGTH:
        raise InvalidRequest(
            {"reason": [gettext("At most %(count)s characters.") % {"count": MAX_REASON_LENGTH}]}
        )
    if event.is_canceled:
        raise AlreadyCanceled()
    connection = connection or connection_for_event(event, actor, CANCEL_SCOPE)
    require_scopes(connection, CANCEL_SCOPE)
    with client_for_connection(connection) as client:
        try:
            cancellation = client.cancel_scheduled_event(event.uri, reason=reason or None)
        except CalendlyError as exc:
            if _is_already_canceled(exc):
                _refresh_quietly(client, event)
                raise AlreadyCanceled() from exc
            raise
        logger.info("Canceled Calendly event %s through connection %s", event.pk, connection.pk)
        if not _refresh_quietly(client, event):
            apply_cancellation(event, cancellation)
    event.refresh_from_db()
    return event


def refresh_event(client: CalendlyClient, event: ScheduledEvent) -> ScheduledEvent:
    """Read the event and its invitees from Calendly and write them as the sync does."""
    data = client.get_scheduled_event(event.uri)
    invitees = list(client.list_event_invitees(event.uri))
    return save_event_and_invitees(data, invitees, event.organization_id)


def _refresh_quietly(client: CalendlyClient, event: ScheduledEvent) -> bool:
    try:
        refresh_event(client, event)
    except CalendlyError as exc:
        logger.warning("Could not read Calendly event %s back: %s", event.pk, exc)
        return False
    return True
