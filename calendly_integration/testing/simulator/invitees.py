"""What an invitee (or a routing form respondent) does, addressed by URI, under the store lock.

``CalendlySimulator.book``, ``cancel_invitee``, ... and the invitee console both go through these,
so a booking made from a test and one made from the console's button send the same webhooks. Each
takes the store lock and turns a URI into the resource ``actions`` changes; an unknown URI or a
change Calendly would refuse is a ``ValueError``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from . import actions
from .state import uuid_from_uri
from .timeutil import to_datetime

if TYPE_CHECKING:
    from .context import SimContext


def _invitee(sim: SimContext, invitee_uri: str) -> dict[str, Any]:
    invitee = sim.store.invitee_by_uri(invitee_uri)
    if invitee is None:
        raise ValueError(f"unknown invitee {invitee_uri!r}")
    return invitee


def book(
    sim: SimContext,
    event_type_uri: str,
    start_time: datetime | str,
    name: str,
    email: str,
    questions_and_answers: list[dict[str, Any]] | None = None,
    tracking: dict[str, Any] | None = None,
    **extra: Any,
) -> str:
    """An invitee books ``event_type_uri`` at ``start_time``; returns the invitee URI."""
    uuid = uuid_from_uri(event_type_uri, "event_types")
    if uuid is None:
        raise ValueError(f"not an event type URI: {event_type_uri!r}")
    with sim.store.lock:
        invitee = actions.book(
            sim,
            uuid,
            to_datetime(start_time),
            name=name,
            email=email,
            questions_and_answers=questions_and_answers,
            tracking=tracking,
            **extra,
        )
        return invitee["uri"]


def cancel(sim: SimContext, invitee_uri: str, reason: str = "", canceler: str = "invitee") -> None:
    """Cancel as the invitee (``canceler="invitee"``) or as the host (``"host"``)."""
    with sim.store.lock:
        actions.cancel_invitee(
            sim, _invitee(sim, invitee_uri), reason=reason or None, canceler_type=canceler
        )


def reschedule(sim: SimContext, invitee_uri: str, new_start_time: datetime | str) -> str:
    """Move the booking; returns the new invitee's URI."""
    with sim.store.lock:
        new = actions.reschedule(sim, _invitee(sim, invitee_uri), to_datetime(new_start_time))
        return new["uri"]


def mark_no_show(sim: SimContext, invitee_uri: str) -> str:
    """Mark the invitee as a no-show; returns the no-show URI."""
    with sim.store.lock:
        return actions.mark_no_show(sim, _invitee(sim, invitee_uri))["uri"]


def unmark_no_show(sim: SimContext, invitee_uri: str) -> None:
    with sim.store.lock:
        invitee = _invitee(sim, invitee_uri)
        if invitee["no_show"] is None:
            raise ValueError("the invitee is not marked as a no-show")
        actions.unmark_no_show(sim, invitee["no_show"]["uri"].rsplit("/", 1)[1])


def submit_routing_form(
    sim: SimContext,
    form_uri: str,
    answers: dict[str, str | None],
    tracking: dict[str, Any] | None = None,
    submitter: str | None = None,
) -> str:
    """A respondent submits a routing form; sends routing_form_submission.created."""
    uuid = uuid_from_uri(form_uri, "routing_forms")
    if uuid is None:
        raise ValueError(f"not a routing form URI: {form_uri!r}")
    with sim.store.lock:
        submission = actions.submit_routing_form(
            sim, uuid, answers, tracking=tracking, submitter=submitter
        )
        return submission["uri"]
