"""The smaller families: scheduling links, shares, the activity log, data-compliance deletions."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from typing import Any

from . import errors
from .call import Call
from .messages import Response
from .organizations import record_activity
from .state import uuid_from_uri
from .timeutil import iso

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PERIOD_TYPES = ("available_moving", "moving", "fixed", "unlimited")


def _owned_event_type(call: Call, uri: Any, parameter: str) -> dict[str, Any]:
    uuid = uuid_from_uri(uri, "event_types")
    if uuid is None:
        raise errors.invalid_argument((parameter, "must be an event type URI"))
    event_type = call.store.event_types.get(uuid)
    if event_type is None:
        raise errors.not_found()
    call.require_own(event_type["profile"]["owner"])
    if event_type["profile"]["owner"] != call.caller["uri"] and not call.caller_is_admin:
        raise errors.permission_denied()
    return event_type


def _new_link(call: Call, event_type: dict[str, Any], share: str | None = None) -> dict[str, Any]:
    store = call.store
    code = f"{store.new_hex(4)}-{store.new_hex(4)}"
    link = {
        "booking_url": f"{store.base}/d/{code}/{event_type['slug'] or 'meeting'}",
        "owner": event_type["uri"],
        "owner_type": "EventType",
    }
    store.scheduling_links[code] = {
        "resource": link,
        "event_type_uuid": event_type["uri"].rsplit("/", 1)[1],
        "used": False,
        "share": share,
    }
    return link


def create_scheduling_link(call: Call) -> Response:
    body = call.body()
    problems = []
    if body.get("max_event_count") != 1:
        problems.append(("max_event_count", "must be 1"))
    if body.get("owner_type") != "EventType":
        problems.append(("owner_type", "must be EventType"))
    if not body.get("owner"):
        problems.append(("owner", "is required"))
    if problems:
        raise errors.invalid_argument(*problems)
    event_type = _owned_event_type(call, body["owner"], "owner")
    if not event_type["active"]:
        raise errors.invalid_argument(("owner", "event type is not active"))
    return call.resource(_new_link(call, event_type), 201)


def _share_problems(body: dict[str, Any]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if "name" in body and (not isinstance(body["name"], str) or len(body["name"]) > 55):
        problems.append(("name", "must be a string of at most 55 characters"))
    duration = body.get("duration", 30)
    if isinstance(duration, bool) or not isinstance(duration, int) or not 1 <= duration <= 720:
        problems.append(("duration", "must be an integer between 1 and 720"))
    period = body.get("period_type", "available_moving")
    if period not in PERIOD_TYPES:
        problems.append(("period_type", "must be one of " + ", ".join(PERIOD_TYPES)))
    for key in ("start_date", "end_date"):
        if body.get(key) is not None:
            try:
                date.fromisoformat(body[key])
            except (TypeError, ValueError):
                problems.append((key, "must be a date (YYYY-MM-DD)"))
        elif period == "fixed":
            problems.append((key, "is required when period_type is fixed"))
    if "max_booking_time" in body and not isinstance(body["max_booking_time"], int):
        problems.append(("max_booking_time", "must be an integer"))
    if "hide_location" in body and not isinstance(body["hide_location"], bool):
        problems.append(("hide_location", "must be a boolean"))
    for key, kind in (("location_configurations", list), ("availability_rule", dict)):
        if key in body and not isinstance(body[key], kind):
            problems.append((key, f"must be a{'n object' if kind is dict else ' list'}"))
    return problems


def create_share(call: Call) -> Response:
    body = call.body()
    if not body.get("event_type"):
        raise errors.invalid_argument(("event_type", "is required"))
    problems = _share_problems(body)
    if problems:
        raise errors.invalid_argument(*problems)
    event_type = _owned_event_type(call, body["event_type"], "event_type")
    schedule = call.store.default_schedule(event_type["profile"]["owner"])
    rules = [
        {key: value for key, value in rule.items() if key in ("type", "wday", "date", "intervals")}
        for rule in (schedule["rules"] if schedule else [])
    ]
    override = {
        "name": event_type["name"],
        "duration": int(event_type["duration"]),
        "period_type": "available_moving",
        "start_date": None,
        "end_date": None,
        "max_booking_time": 60,
        "hide_location": False,
        "location_configurations": [
            {
                "location": location.get("location"),
                "additional_info": None,
                "phone_number": None,
                "position": position,
                "kind": location.get("kind", "physical"),
            }
            for position, location in enumerate(event_type.get("locations") or [])
        ],
        "availability_rule": {
            "rules": rules,
            "timezone": schedule["timezone"] if schedule else "UTC",
        },
    }
    override.update({key: value for key, value in body.items() if key in override})
    share_uuid = call.store.new_uuid()
    link = _new_link(call, event_type, share=share_uuid)
    share = {"scheduling_links": [link], "share_override": override}
    call.store.shares[share_uuid] = share
    return call.resource(share, 201)


ACTIVITY_SORTS = ("action", "actor.display_name", "actor.uri", "namespace", "occurred_at")


def _csv(call: Call, name: str) -> list[str] | None:
    values = [v for raw in call.request.query.get(name, []) for v in raw.split(",") if v]
    return values or None


def activity_log(call: Call) -> Response:
    call.organization_param(required=True)
    call.require_admin()
    actors = _csv(call, "actor")
    namespaces = _csv(call, "namespace")
    actions = _csv(call, "action")
    min_time = call.time("min_occurred_at")
    max_time = call.time("max_occurred_at")
    term = (call.param("search_term") or "").strip('"').lower()
    sorts = _csv(call, "sort") or ["occurred_at:desc"]
    field, _, direction = sorts[0].partition(":")
    if field not in ACTIVITY_SORTS or direction not in ("asc", "desc"):
        raise errors.invalid_argument(("sort", "must be one of " + ", ".join(ACTIVITY_SORTS)))
    min_text = iso(min_time) if min_time else None
    max_text = iso(max_time) if max_time else None
    own = call.organization["uri"]
    rows = [
        entry
        for entry in call.store.activity.values()
        if entry["organization"] == own
        and (actors is None or entry["actor"].get("uri") in actors)
        and (namespaces is None or entry["namespace"] in namespaces)
        and (actions is None or entry["action"] in actions)
        and (min_text is None or entry["occurred_at"] >= min_text)
        and (max_text is None or entry["occurred_at"] < max_text)
        and (not term or term in json.dumps(entry).lower())
    ]

    def key(entry: dict[str, Any]) -> tuple[Any, ...]:
        value: Any = entry
        for part in field.split("."):
            value = value.get(part, "") if isinstance(value, dict) else ""
        return (value, entry["uri"])

    newest = max((entry["occurred_at"] for entry in rows), default=None)
    return call.page(
        rows,
        key,
        descending=direction == "desc",
        max_count=1000,
        extra={
            "last_event_time": newest,
            "total_count": len(rows),
            "exceeds_max_total_count": False,
        },
    )


def _delete_invitees(call: Call, doomed: set[str]) -> None:
    store = call.store
    for uuid in doomed:
        invitee = store.invitees.pop(uuid)
        event_uuid = store.event_uuid_of(invitee)
        remaining = [i for i in store.event_invitees.get(event_uuid, []) if i != uuid]
        store.event_invitees[event_uuid] = remaining
        if invitee["no_show"]:
            store.no_shows.pop(invitee["no_show"]["uri"].rsplit("/", 1)[1], None)
        if not remaining:
            store.events.pop(event_uuid, None)
            store.event_invitees.pop(event_uuid, None)


def delete_invitee_data(call: Call) -> Response:
    emails = call.body().get("emails")
    if (
        not isinstance(emails, list)
        or not emails
        or not all(isinstance(e, str) and EMAIL.match(e) for e in emails)
    ):
        raise errors.invalid_argument(("emails", "must be a non-empty list of email addresses"))
    call.require_admin(
        "You must be an admin/owner with the data requests permission enabled to use this "
        "resource. Contact Calendly support and ask them to grant you data requests permission."
    )
    wanted = {e.lower() for e in emails}
    store = call.store
    doomed = {
        uuid
        for uuid, i in store.invitees.items()
        if i["email"].lower() in wanted
        and call.owns_user_uri(store.host_uri(store.events[store.event_uuid_of(i)]))
    }
    _delete_invitees(call, doomed)
    record_activity(call, "DataCompliance", "DeleteInvitees", {"emails": len(emails)})
    return Response.json(202, {})


def delete_event_data(call: Call) -> Response:
    body = call.body()
    problems: list[tuple[str, str]] = []
    start = call.time_value(body.get("start_time"), "start_time", problems)
    end = call.time_value(body.get("end_time"), "end_time", problems)
    if problems:
        raise errors.invalid_argument(*problems)
    assert start is not None and end is not None
    if end <= start:
        raise errors.invalid_argument(("end_time", "must be after start_time"))
    if end > call.now():
        raise errors.invalid_argument(("end_time", "must be in the past"))
    if end - start > timedelta(days=731):
        raise errors.invalid_argument(
            ("end_time", "the time range can be no greater than 24 months")
        )
    call.require_admin(
        "You must be an admin/owner with the data requests permission enabled to use this "
        "resource. Contact Calendly support and ask them to grant you data requests permission."
    )
    store = call.store
    start_text, end_text = iso(start), iso(end)
    events = {
        u
        for u, e in store.events.items()
        if start_text <= e["start_time"] < end_text and call.owns_user_uri(store.host_uri(e))
    }
    doomed = {i for u in events for i in store.event_invitees.get(u, [])}
    _delete_invitees(call, doomed)
    for uuid in events:
        store.events.pop(uuid, None)
        store.event_invitees.pop(uuid, None)
    record_activity(call, "DataCompliance", "DeleteEvents", {"events": len(events)})
    return Response.json(202, {})
