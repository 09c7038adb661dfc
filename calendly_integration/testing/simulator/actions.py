"""State changes that happen "on Calendly's side": bookings, cancellations, reschedules, no-shows.

Both the API handlers (cancel an event, mark a no-show, book on behalf of an invitee) and the
simulator's invitee-side helpers (``sim.book``, ``sim.reschedule``, ...) go through these
functions, so an object changed either way looks the same and sends the same webhooks. Callers
hold ``store.lock``; webhooks are only queued here and sent later by the delivery worker.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from . import objects
from .state import uuid_from_uri
from .timeutil import iso, parse_iso

if TYPE_CHECKING:
    from .context import SimContext


class ActionError(ValueError):
    """A change Calendly would refuse; handlers turn it into a 400/403."""


def _emit_invitee(sim: SimContext, name: str, invitee: dict[str, Any]) -> None:
    store = sim.store
    event = store.events[store.event_uuid_of(invitee)]
    payload = dict(invitee)
    payload["scheduled_event"] = event
    sim.webhooks.emit(name, payload, user_uri=store.host_uri(event))


def book(
    sim: SimContext,
    event_type_uuid: str,
    start: datetime,
    *,
    name: str,
    email: str,
    first_name: str | None = None,
    last_name: str | None = None,
    timezone: str | None = None,
    questions_and_answers: list[dict[str, Any]] | None = None,
    tracking: dict[str, Any] | None = None,
    text_reminder_number: str | None = None,
    location: dict[str, Any] | None = None,
    old_invitee: str | None = None,
    routing_form_submission: str | None = None,
    event_guests: list[str] | None = None,
    notify: bool = True,
) -> dict[str, Any]:
    """Create an invitee (and its scheduled event, or join a group event's open seat)."""
    store = sim.store
    event_type = store.event_types.get(event_type_uuid)
    if event_type is None:
        raise ActionError("unknown event type")
    if not event_type["active"]:
        raise ActionError("the event type is not active")
    meta = store.event_type_meta.get(event_type_uuid, {})
    host = store.user_by_uri(event_type["profile"]["owner"])
    if host is None:
        raise ActionError("the event type has no host")
    now = sim.now()
    start_text = iso(start)
    event = None
    if event_type["kind"] == "group":
        for candidate in store.events.values():
            counter = candidate["invitees_counter"]
            if (
                candidate["event_type"] == event_type["uri"]
                and candidate["start_time"] == start_text
                and candidate["status"] == "active"
                and counter["active"] < counter["limit"]
            ):
                event = candidate
                break
    if event is None:
        event_uuid = store.new_legacy_id()
        phone = text_reminder_number or "+1 415-555-0100"
        event = objects.scheduled_event(
            store.base,
            event_uuid,
            event_type_resource=event_type,
            host=host,
            start=start,
            end=start + timedelta(minutes=float(event_type["duration"])),
            location=location
            or objects.event_location(
                (event_type.get("locations") or [None])[0], token=store.new_hex(16), phone=phone
            ),
            limit=meta.get("group_limit") or 1,
            created_at=now,
            calendar_event={"kind": "google", "external_id": store.new_hex(26)},
        )
        store.events[event_uuid] = event
        store.event_invitees[event_uuid] = []
    event_uuid = event["uri"].rsplit("/", 1)[1]
    if event_guests:
        event["event_guests"] = event["event_guests"] + [
            {"email": guest, "created_at": iso(now), "updated_at": iso(now)}
            for guest in event_guests
        ]
    invitee_uuid = store.new_uuid()
    invitee = objects.invitee(
        store.base,
        event["uri"],
        invitee_uuid,
        name=name,
        email=email,
        first_name=first_name,
        last_name=last_name,
        timezone=timezone or host["timezone"],
        created_at=now,
        questions_and_answers=questions_and_answers,
        tracking_values=tracking,
        text_reminder_number=text_reminder_number,
        old_invitee=old_invitee,
        routing_form_submission=routing_form_submission,
    )
    if meta.get("payment"):
        invitee["payment"] = {
            "external_id": f"ch_{store.new_hex(24)}",
            "provider": "stripe",
            "amount": meta["payment"],
            "currency": "USD",
            "terms": "Payment is non-refundable within 24 hours of the session.",
            "successful": True,
        }
    store.invitees[invitee_uuid] = invitee
    store.event_invitees[event_uuid].append(invitee_uuid)
    event["invitees_counter"]["total"] += 1
    event["invitees_counter"]["active"] += 1
    event["updated_at"] = iso(now)
    if notify:
        _emit_invitee(sim, "invitee.created", invitee)
    return invitee


def cancel_invitee(
    sim: SimContext,
    invitee: dict[str, Any],
    *,
    reason: str | None = None,
    canceler_type: str = "invitee",
    canceled_by: str | None = None,
    rescheduled_to: str | None = None,
    notify: bool = True,
) -> dict[str, Any]:
    """Cancel one invitee; the event is canceled too when no active invitee is left."""
    store = sim.store
    if invitee["status"] == "canceled":
        raise ActionError("the invitee is already canceled")
    event = store.events[store.event_uuid_of(invitee)]
    now = sim.now()
    if canceled_by is None:
        canceled_by = (
            invitee["name"]
            if canceler_type == "invitee"
            else event["event_memberships"][0]["user_name"]
        )
    cancellation = objects.cancellation(canceled_by, reason, canceler_type, now)
    invitee["status"] = "canceled"
    invitee["canceled"] = True
    invitee["cancellation"] = cancellation
    invitee["updated_at"] = iso(now)
    if rescheduled_to:
        invitee["rescheduled"] = True
        invitee["new_invitee"] = rescheduled_to
    counter = event["invitees_counter"]
    counter["active"] = max(0, counter["active"] - 1)
    event["updated_at"] = iso(now)
    if counter["active"] == 0 and event["status"] == "active":
        event["status"] = "canceled"
        event["cancellation"] = dict(cancellation)
    if notify:
        _emit_invitee(sim, "invitee.canceled", invitee)
    return invitee


def cancel_event(
    sim: SimContext, event: dict[str, Any], *, reason: str | None, canceled_by: str
) -> dict[str, Any]:
    """Host-side cancellation of a whole event: every active invitee is canceled and notified."""
    store = sim.store
    if event["status"] == "canceled":
        raise ActionError("Event is already canceled")
    now = sim.now()
    cancellation = objects.cancellation(canceled_by, reason, "host", now)
    event_uuid = event["uri"].rsplit("/", 1)[1]
    canceled = []
    for invitee_uuid in store.event_invitees.get(event_uuid, []):
        invitee = store.invitees[invitee_uuid]
        if invitee["status"] == "active":
            invitee["status"] = "canceled"
            invitee["canceled"] = True
            invitee["cancellation"] = dict(cancellation)
            invitee["updated_at"] = iso(now)
            canceled.append(invitee)
    event["status"] = "canceled"
    event["cancellation"] = cancellation
    event["invitees_counter"]["active"] = 0
    event["updated_at"] = iso(now)
    for invitee in canceled:
        _emit_invitee(sim, "invitee.canceled", invitee)
    return cancellation


def reschedule(sim: SimContext, invitee: dict[str, Any], new_start: datetime) -> dict[str, Any]:
    """Move an invitee to a new time: a new invitee plus the old one canceled as rescheduled.

    Calendly reports this as two deliveries, ``invitee.canceled`` (rescheduled, new_invitee set)
    then ``invitee.created`` (old_invitee set), in that order here.
    """
    store = sim.store
    if invitee["status"] == "canceled":
        raise ActionError("the invitee is already canceled")
    event = store.events[store.event_uuid_of(invitee)]
    event_type_uuid = uuid_from_uri(event["event_type"], "event_types")
    if event_type_uuid is None:
        raise ActionError("the event has no event type")
    new_invitee = book(
        sim,
        event_type_uuid,
        new_start,
        name=invitee["name"],
        email=invitee["email"],
        first_name=invitee["first_name"],
        last_name=invitee["last_name"],
        timezone=invitee["timezone"],
        questions_and_answers=invitee["questions_and_answers"],
        tracking=invitee["tracking"],
        text_reminder_number=invitee["text_reminder_number"],
        old_invitee=invitee["uri"],
        notify=False,
    )
    cancel_invitee(sim, invitee, rescheduled_to=new_invitee["uri"], notify=False)
    _emit_invitee(sim, "invitee.canceled", invitee)
    _emit_invitee(sim, "invitee.created", new_invitee)
    return new_invitee


def mark_no_show(sim: SimContext, invitee: dict[str, Any]) -> dict[str, Any]:
    store = sim.store
    if invitee["no_show"] is not None:
        raise ActionError("the invitee is already marked as a no-show")
    uuid = store.new_uuid()
    now = sim.now()
    record = objects.no_show(store.base, uuid, invitee["uri"], now)
    store.no_shows[uuid] = record
    invitee["no_show"] = {"uri": record["uri"], "created_at": record["created_at"]}
    invitee["updated_at"] = iso(now)
    _emit_invitee(sim, "invitee_no_show.created", invitee)
    return record


def unmark_no_show(sim: SimContext, no_show_uuid: str) -> None:
    store = sim.store
    record = store.no_shows.pop(no_show_uuid, None)
    if record is None:
        raise ActionError("unknown no-show")
    invitee = store.invitee_by_uri(record["invitee"])
    if invitee is not None:
        invitee["no_show"] = None
        invitee["updated_at"] = iso(sim.now())
        _emit_invitee(sim, "invitee_no_show.deleted", invitee)


def submit_routing_form(
    sim: SimContext,
    form_uuid: str,
    answers: dict[str, str | None],
    *,
    tracking: dict[str, Any] | None = None,
    submitter: str | None = None,
    result: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A respondent submits a routing form; answers are keyed by question name or uuid."""
    store = sim.store
    form = store.routing_forms.get(form_uuid)
    if form is None:
        raise ActionError("unknown routing form")
    now = sim.now()
    uuid = store.new_legacy_id()
    submission = {
        "uri": f"{store.base}/routing_form_submissions/{uuid}",
        "routing_form": form["uri"],
        "questions_and_answers": [
            {
                "question_uuid": question["uuid"],
                "question": question["name"],
                "answer": answers.get(question["name"], answers.get(question["uuid"])),
            }
            for question in form["questions"]
        ],
        "tracking": objects.tracking(tracking),
        "result": result
        or {
            "type": "custom_message",
            "value": {
                "headline": "Thank you for your interest",
                "body": "We will get back to you shortly.",
            },
        },
        "submitter": submitter,
        "submitter_type": "Invitee" if submitter else None,
        "created_at": iso(now),
        "updated_at": iso(now),
    }
    store.submissions[uuid] = submission
    sim.webhooks.emit(
        "routing_form_submission.created",
        submission,
        user_uri=None,
        organization_uri=form["organization"],
    )
    return submission


def parse_start(value: datetime | str) -> datetime:
    if isinstance(value, datetime):
        return value
    return parse_iso(value)
