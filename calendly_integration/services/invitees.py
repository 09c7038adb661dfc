"""Marking an invitee as a no-show at Calendly, and taking the mark back."""

from __future__ import annotations

import logging
from typing import Any

from calendly_integration.client import BadRequest, CalendlyClient, CalendlyError, NotFound
from calendly_integration.mirror.changes import apply_no_show
from calendly_integration.mirror.objects import save_invitee
from calendly_integration.models import Connection, Invitee
from calendly_integration.oauth.scopes import require_scopes
from calendly_integration.oauth.tokens import client_for_connection
from calendly_integration.services.acting import connection_for_event

logger = logging.getLogger(__name__)

__all__ = ["NO_SHOW_SCOPE", "mark_no_show", "refresh_invitee", "unmark_no_show"]

NO_SHOW_SCOPE = "scheduled_events:write"


def mark_no_show(
    invitee: Invitee, actor: Any = None, *, connection: Connection | None = None
) -> Invitee:
    """Mark ``invitee`` as a no-show at Calendly; return the updated row.

    Idempotent: an invitee already marked (here or at Calendly) is returned as it is, read back
    from Calendly in the second case. Acts through ``connection`` when given, else the actor's
    host or organization-admin connection; raises like ``services.events.cancel_event``.
    """
    if invitee.is_no_show:
        return invitee
    connection = connection or connection_for_event(invitee.event, actor, NO_SHOW_SCOPE)
    require_scopes(connection, NO_SHOW_SCOPE)
    with client_for_connection(connection) as client:
        try:
            record = client.create_invitee_no_show(invitee.uri)
        except BadRequest:
            # Calendly refuses a second mark; whatever it holds now is the truth.
            refresh_invitee(client, invitee)
            invitee.refresh_from_db()
            if invitee.is_no_show:
                return invitee
            raise
        logger.info("Marked Calendly invitee %s as a no-show", invitee.pk)
        _read_back(client, invitee, record)
    invitee.refresh_from_db()
    return invitee


def unmark_no_show(
    invitee: Invitee, actor: Any = None, *, connection: Connection | None = None
) -> Invitee:
    """Undo a no-show mark at Calendly; return the updated row (idempotent, like marking)."""
    if not invitee.is_no_show:
        return invitee
    connection = connection or connection_for_event(invitee.event, actor, NO_SHOW_SCOPE)
    require_scopes(connection, NO_SHOW_SCOPE)
    with client_for_connection(connection) as client:
        if invitee.no_show_uri:
            try:
                client.delete_invitee_no_show(invitee.no_show_uri)
            except NotFound:
                logger.info("No-show of invitee %s was already gone at Calendly", invitee.pk)
        else:
            refresh_invitee(client, invitee)
            invitee.refresh_from_db()
            if invitee.is_no_show and invitee.no_show_uri:
                client.delete_invitee_no_show(invitee.no_show_uri)
        _read_back(client, invitee, None)
    invitee.refresh_from_db()
    return invitee


def refresh_invitee(client: CalendlyClient, invitee: Invitee) -> Invitee:
    """Read the invitee from Calendly and write it as the sync does."""
    return save_invitee(client.get_event_invitee(invitee.uri), invitee.event)


def _read_back(client: CalendlyClient, invitee: Invitee, no_show: dict[str, Any] | None) -> None:
    """Write the invitee as Calendly now has it; if it cannot be read, apply ``no_show`` here."""
    try:
        refresh_invitee(client, invitee)
        return
    except CalendlyError as exc:
        logger.warning("Could not read Calendly invitee %s back: %s", invitee.pk, exc)
    apply_no_show(invitee, no_show)
