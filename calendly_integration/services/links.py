"""Single-use booking links: one for a person, or one each for a list of candidates.

Calendly's ``POST /scheduling_links`` makes a link that stops working after one booking. Each link
is stored as a ``SchedulingLink`` row (Calendly cannot list them later), and the details we know of
the person (name, email, UTM tracking, answers) are appended to the booking URL so Calendly's page
opens filled in. The row keeps Calendly's own URL; the prefilled one is returned.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from calendly_integration.client import CalendlyClient, CalendlyError, prefilled_booking_url
from calendly_integration.client.tracking import TRACKING_KEYS
from calendly_integration.mirror.objects import save_scheduling_link
from calendly_integration.models import Connection, EventType, SchedulingLink
from calendly_integration.oauth.errors import ConnectionUnusable
from calendly_integration.oauth.scopes import require_scopes
from calendly_integration.oauth.tokens import client_for_connection
from calendly_integration.services.acting import connection_for_event_type
from calendly_integration.services.errors import (
    ErrorDescription,
    InvalidRequest,
    ServiceError,
    describe_error,
)

logger = logging.getLogger(__name__)

__all__ = [
    "LINK_SCOPE",
    "MAX_CANDIDATES",
    "PREFILL_FIELDS",
    "CreatedLink",
    "InterviewLink",
    "create_interview_links",
    "create_single_use_link",
]

LINK_SCOPE = "scheduling_links:write"
MAX_CANDIDATES = 100
#: What a booking URL can be prefilled with (see ``client.booking_urls``).
PREFILL_FIELDS = (
    "name",
    "email",
    "first_name",
    "last_name",
    *TRACKING_KEYS,
    "answers",
    "month",
    "date",
)
_CHECK_URL = "https://calendly.invalid/prefill-check"


@dataclass(frozen=True)
class CreatedLink:
    """A new single-use link: its stored row and the booking URL to hand out (prefilled)."""

    link: SchedulingLink
    booking_url: str


@dataclass(frozen=True)
class InterviewLink:
    """One candidate's outcome: a link, or the error that stopped it (and the others went on)."""

    index: int
    name: str
    email: str
    link: SchedulingLink | None = None
    booking_url: str | None = None
    error: ErrorDescription | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def check_prefill(prefill: Mapping[str, Any] | None) -> dict[str, Any]:
    """The prefill without empty values; ``InvalidRequest`` for unknown keys or bad values."""
    prefill = {k: v for k, v in (prefill or {}).items() if v not in (None, "", [], {})}
    unknown = sorted(set(prefill) - set(PREFILL_FIELDS))
    if unknown:
        raise InvalidRequest(
            {
                name: [gettext("Not something a booking page can be prefilled with.")]
                for name in unknown
            }
        )
    try:
        prefilled_booking_url(_CHECK_URL, **prefill)
    except (TypeError, ValueError) as exc:
        raise InvalidRequest(str(exc)) from None
    return prefill


def create_single_use_link(
    event_type: EventType,
    prefill: Mapping[str, Any] | None = None,
    actor: Any = None,
    *,
    connection: Connection | None = None,
) -> CreatedLink:
    """Create a single-use link for ``event_type`` at Calendly, store it, and prefill its URL.

    ``prefill`` takes the keys of ``PREFILL_FIELDS`` (``answers`` is a list in question order or a
    {question number: answer} mapping). Acts through ``connection`` when given, else the event
    type owner's or an organization admin's connection of the actor. Raises ``InvalidRequest``
    for a bad prefill (before anything is created), ``NotPermitted``/``MissingScope``/
    ``NeedsReauth``, and the client's errors when Calendly refuses or fails.
    """
    prefill = check_prefill(prefill)
    connection = connection or connection_for_event_type(event_type, actor, LINK_SCOPE)
    require_scopes(connection, LINK_SCOPE)
    with client_for_connection(connection) as client:
        return _create(client, event_type, prefill)


def _create(client: CalendlyClient, event_type: EventType, prefill: dict[str, Any]) -> CreatedLink:
    link = save_scheduling_link(client.create_scheduling_link(event_type.uri), event_type)
    logger.info("Created a single-use Calendly link for event type %s", event_type.pk)
    return CreatedLink(link=link, booking_url=prefilled_booking_url(link.booking_url, **prefill))


def create_interview_links(
    event_type: EventType,
    candidates: Sequence[Mapping[str, Any]],
    actor: Any = None,
    *,
    connection: Connection | None = None,
) -> list[InterviewLink]:
    """One single-use, prefilled link per candidate (at most ``MAX_CANDIDATES``), in order.

    Each candidate is a mapping with ``name``, ``email`` and optional prefill keys (UTM, answers).
    Who may act and the scope are checked once, up front; after that a candidate whose prefill is
    invalid or whose link Calendly refuses gets an ``error`` and the others still get their links.
    """
    if len(candidates) > MAX_CANDIDATES:
        raise InvalidRequest(
            {
                "candidates": [
                    gettext("At most %(count)s candidates at a time.") % {"count": MAX_CANDIDATES}
                ]
            }
        )
    connection = connection or connection_for_event_type(event_type, actor, LINK_SCOPE)
    require_scopes(connection, LINK_SCOPE)
    results = []
    with client_for_connection(connection) as client:
        for index, candidate in enumerate(candidates):
            results.append(_interview_link(client, event_type, index, candidate))
    return results


def _interview_link(
    client: CalendlyClient, event_type: EventType, index: int, candidate: Mapping[str, Any]
) -> InterviewLink:
    name, email = str(candidate.get("name") or ""), str(candidate.get("email") or "")
    try:
        created = _create(client, event_type, check_prefill(candidate))
    except (ServiceError, CalendlyError, ConnectionUnusable) as exc:
        logger.warning("No interview link for candidate %s: %s", index, exc)
        return InterviewLink(index, name, email, error=describe_error(exc))
    return InterviewLink(index, name, email, link=created.link, booking_url=created.booking_url)
