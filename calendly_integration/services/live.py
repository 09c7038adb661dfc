"""Reads that are never mirrored: bookable times of an event type, busy times of a user.

Both change by the minute and Calendly answers at most 7 days per request, so they are asked live
and returned as Calendly sent them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from calendly_integration.client.validation import check_range
from calendly_integration.models import CalendlyUser, Connection, EventType
from calendly_integration.oauth.scopes import require_scopes
from calendly_integration.oauth.tokens import client_for_connection
from calendly_integration.services.acting import connection_for_event_type, connection_for_user
from calendly_integration.services.errors import InvalidRequest

__all__ = ["AVAILABLE_TIMES_SCOPE", "BUSY_TIMES_SCOPE", "available_times", "busy_times"]

AVAILABLE_TIMES_SCOPE = "event_types:read"
BUSY_TIMES_SCOPE = "availability:read"


def _checked_range(
    start: datetime, end: datetime, *, future_start: bool = False
) -> tuple[datetime, datetime]:
    try:
        return check_range(start, end, future_start=future_start)
    except ValueError as exc:
        field = "start_time" if "start_time must" in str(exc) else "end_time"
        raise InvalidRequest({field: [str(exc)]}) from None


def available_times(
    event_type: EventType,
    start: datetime,
    end: datetime,
    actor: Any = None,
    *,
    connection: Connection | None = None,
) -> list[dict[str, Any]]:
    """Bookable start times of ``event_type`` in [start, end): a future start, at most 7 days."""
    start, end = _checked_range(start, end, future_start=True)
    connection = connection or connection_for_event_type(event_type, actor, AVAILABLE_TIMES_SCOPE)
    require_scopes(connection, AVAILABLE_TIMES_SCOPE)
    with client_for_connection(connection) as client:
        return list(client.list_event_type_available_times(event_type.uri, start, end))


def busy_times(
    user: CalendlyUser | str,
    start: datetime,
    end: datetime,
    actor: Any = None,
    *,
    connection: Connection | None = None,
) -> list[dict[str, Any]]:
    """The user's busy blocks in [start, end) (at most 7 days): Calendly events and calendars.

    ``user`` is a mirrored ``CalendlyUser`` or a Calendly user URI (say, the connection's own).
    """
    start, end = _checked_range(start, end)
    if isinstance(user, CalendlyUser):
        user_uri, organization_id = user.uri, user.organization_id
    else:
        user_uri, organization_id = user, None
    connection = connection or connection_for_user(
        user_uri, organization_id, actor, BUSY_TIMES_SCOPE
    )
    require_scopes(connection, BUSY_TIMES_SCOPE)
    with client_for_connection(connection) as client:
        return list(client.list_user_busy_times(user_uri, start, end))
