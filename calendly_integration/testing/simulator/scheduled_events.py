"""Scheduled events, their invitees, cancellations, no-shows, and booking on an invitee's behalf.

The listing follows the access rules of the spec's description: ``user`` alone only for the
caller's own events, ``organization`` (optionally with ``user``) for owners and admins.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from . import actions, errors
from .availability import open_slots
from .call import Call
from .messages import Response
from .pagination import parse_sort
from .state import invitee_ids_from_uri, uuid_from_uri
from .timeutil import iso

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def list_events(call: Call) -> Response:
    has_org = call.organization_param()
    user = call.user_param()
    store = call.store
    if not has_org and user is None:
        raise errors.invalid_argument(
            ("user", "one of user or organization is required"),
            ("organization", "one of user or organization is required"),
        )
    if has_org and not call.caller_is_admin:
        raise errors.permission_denied("You do not have permission")
    if user is not None and user != call.caller:
        if not call.in_organization(user):
            raise errors.permission_denied("This user is not in your organization")
        if not has_org:
            raise errors.permission_denied(
                "Please also specify organization when requesting events for a user within "
                "your organization."
            )
    status = call.choice("status", ("active", "canceled"))
    min_start = call.time("min_start_time")
    max_start = call.time("max_start_time")
    invitee_email = call.param("invitee_email")
    if invitee_email is not None and not EMAIL.match(invitee_email):
        raise errors.invalid_argument(("invitee_email", "must be a valid email address"))
    field, descending = parse_sort(call.request, ("start_time",), "start_time:asc")
    min_text = iso(min_start) if min_start else None
    max_text = iso(max_start) if max_start else None
    emails: set[str] | None = None
    if invitee_email is not None:
        wanted = invitee_email.lower()
        emails = {
            store.event_uuid_of(invitee)
            for invitee in store.invitees.values()
            if invitee["email"].lower() == wanted
        }
    rows = []
    for uuid, event in store.events.items():
        host = event["event_memberships"][0]["user"]
        if user is not None and host != user["uri"]:
            continue
        if user is None and not call.owns_user_uri(host):
            continue
        if status is not None and event["status"] != status:
            continue
        if min_text is not None and event["start_time"] < min_text:
            continue
        if max_text is not None and event["start_time"] >= max_text:
            continue
        if emails is not None and uuid not in emails:
            continue
        rows.append(event)
    return call.page(rows, lambda e: (e[field], e["uri"]), descending=descending)


def _visible_event(call: Call, uuid: str, message: str) -> dict[str, Any]:
    event = call.store.events.get(uuid)
    if event is None:
        raise errors.not_found()
    call.require_own(call.store.host_uri(event), message)
    if call.store.host_uuid(event) != call.caller_uuid and not call.caller_is_admin:
        raise errors.permission_denied(message)
    return event


def get_event(call: Call) -> Response:
    return call.resource(
        _visible_event(call, call.params["uuid"], "You are not allowed to view this event")
    )


def list_invitees(call: Call) -> Response:
    uuid = call.params["uuid"]
    _visible_event(call, uuid, "You are not allowed to view this event")
    status = call.choice("status", ("active", "canceled"))
    email = call.param("email")
    field, descending = parse_sort(call.request, ("created_at",), "created_at:asc")
    store = call.store
    rows = [
        invitee
        for invitee in (store.invitees[i] for i in store.event_invitees.get(uuid, []))
        if (status is None or invitee["status"] == status)
        and (email is None or invitee["email"].lower() == email.lower())
    ]
    return call.page(rows, lambda i: (i[field], i["uri"]), descending=descending)


def get_invitee(call: Call) -> Response:
    event_uuid = call.params["event_uuid"]
    _visible_event(call, event_uuid, "You do not have permission to view this event")
    invitee = call.store.invitees.get(call.params["invitee_uuid"])
    if invitee is None or call.store.event_uuid_of(invitee) != event_uuid:
        raise errors.not_found()
    return call.resource(invitee)


def cancel(call: Call) -> Response:
    body = call.body()
    reason = body.get("reason")
    if reason is not None and (not isinstance(reason, str) or len(reason) > 10000):
        raise errors.invalid_argument(("reason", "must be a string of at most 10000 characters"))
    event = _visible_event(call, call.params["uuid"], "You are not allowed to cancel this event")
    if event["status"] == "canceled":
        raise errors.permission_denied("Event is already canceled")
    if event["start_time"] <= iso(call.now()):
        raise errors.permission_denied("Event in the past")
    cancellation = actions.cancel_event(
        call.sim, event, reason=reason, canceled_by=call.caller["name"]
    )
    return call.resource(cancellation, 201)


def _invitee_for_write(call: Call, uri: Any) -> dict[str, Any]:
    if invitee_ids_from_uri(uri) is None:
        raise errors.invalid_argument(("invitee", "must be an invitee URI"))
    invitee = call.store.invitee_by_uri(uri)
    if invitee is None:
        raise errors.not_found()
    _visible_event(call, call.store.event_uuid_of(invitee), "You do not have permission")
    return invitee


def create_no_show(call: Call) -> Response:
    invitee = _invitee_for_write(call, call.body().get("invitee"))
    if invitee["no_show"] is not None:
        raise errors.invalid_argument(("invitee", "is already marked as a no-show"))
    record = actions.mark_no_show(call.sim, invitee)
    return call.resource(record, 201)


def _no_show(call: Call) -> dict[str, Any]:
    record = call.store.no_shows.get(call.params["uuid"])
    if record is None:
        raise errors.not_found()
    invitee = call.store.invitee_by_uri(record["invitee"])
    if invitee is not None:
        _visible_event(call, call.store.event_uuid_of(invitee), "You do not have permission")
    return record


def get_no_show(call: Call) -> Response:
    return call.resource(_no_show(call))


def delete_no_show(call: Call) -> Response:
    _no_show(call)
    actions.unmark_no_show(call.sim, call.params["uuid"])
    return Response.empty()


def create_invitee(call: Call) -> Response:
    """POST /invitees (newer): book an event type's slot for an invitee.

    Body as in Calendly's Scheduling API: ``event_type``, ``start_time``, ``invitee`` (``name`` or
    ``first_name``/``last_name``, ``email``, ``timezone``, ``text_reminder_number``), optional
    ``location`` (``kind``, ``location``), ``questions_and_answers``, ``tracking`` and
    ``event_guests``.
    """
    body = call.body()
    store = call.store
    problems: list[tuple[str, str]] = []
    event_type_uuid = uuid_from_uri(body.get("event_type"), "event_types")
    event_type = store.event_types.get(event_type_uuid or "")
    if event_type_uuid is None:
        problems.append(("event_type", "must be an event type URI"))
    start = call.time_value(body.get("start_time"), "start_time", problems)
    person = body.get("invitee")
    if not isinstance(person, dict):
        problems.append(("invitee", "must be an object with name and email"))
        person = {}
    email = person.get("email")
    if not isinstance(email, str) or not EMAIL.match(email):
        problems.append(("invitee.email", "must be a valid email address"))
    first, last = person.get("first_name"), person.get("last_name")
    name = person.get("name") or " ".join(p for p in (first, last) if isinstance(p, str) and p)
    if not name:
        problems.append(("invitee.name", "must be filled"))
    answers = body.get("questions_and_answers") or []
    if not isinstance(answers, list) or not all(
        isinstance(a, dict) and isinstance(a.get("question"), str) for a in answers
    ):
        problems.append(("questions_and_answers", "must be a list of question/answer objects"))
    guests = body.get("event_guests") or []
    if not isinstance(guests, list) or not all(
        isinstance(g, str) and EMAIL.match(g) for g in guests
    ):
        problems.append(("event_guests", "must be a list of email addresses"))
    if problems:
        raise errors.invalid_argument(*problems)
    if event_type is None:
        raise errors.not_found()
    owner = store.user_by_uri(event_type["profile"]["owner"])
    call.require_own(event_type["profile"]["owner"], "You do not have permission")
    if owner is not None and owner != call.caller and not call.caller_is_admin:
        raise errors.permission_denied("You do not have permission")
    assert start is not None
    if start <= call.now():
        raise errors.invalid_argument(("start_time", "must be in the future"))
    slots = open_slots(store, event_type, start, start + timedelta(seconds=1))
    if not any(slot["start_time"] == iso(start) for slot in slots):
        raise errors.invalid_argument(
            ("start_time", "is not an available time for this event type")
        )
    location = body.get("location")
    try:
        invitee = actions.book(
            call.sim,
            event_type_uuid or "",
            start,
            name=name,
            email=email,
            first_name=first,
            last_name=last,
            timezone=person.get("timezone"),
            text_reminder_number=person.get("text_reminder_number"),
            questions_and_answers=[
                {
                    "question": a["question"],
                    "answer": str(a.get("answer", "")),
                    "position": a.get("position", i),
                }
                for i, a in enumerate(answers)
            ],
            tracking=body.get("tracking") if isinstance(body.get("tracking"), dict) else None,
            location=(
                {"type": location["kind"], "location": location.get("location")}
                if isinstance(location, dict)
                and location.get("kind")
                in ("physical", "custom", "ask_invitee", "outbound_call", "inbound_call")
                else None
            ),
            event_guests=guests,
        )
    except actions.ActionError as error:
        raise errors.invalid_argument(("event_type", str(error))) from None
    return call.resource(invitee, 201)
