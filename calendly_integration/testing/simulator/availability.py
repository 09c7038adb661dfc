"""Availability schedules, busy times, and the open slots of an event type.

Open slots come from the host's default schedule (its weekly rules and date overrides, in the
schedule's time zone) minus the host's active events, so booking a slot makes it disappear from
``/event_type_available_times`` just as it would on Calendly.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from . import errors
from .call import Call
from .messages import Response
from .state import Store
from .timeutil import iso, parse_iso

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _visible_user(call: Call, user: dict[str, Any]) -> None:
    if user != call.caller and not call.in_organization(user):
        raise errors.permission_denied("This user is not in your organization")


def list_schedules(call: Call) -> Response:
    user = call.user_param(required=True)
    assert user is not None
    _visible_user(call, user)
    rows = [s for s in call.store.schedules.values() if s["user"] == user["uri"]]
    rows.sort(key=lambda s: (not s["default"], s["name"], s["uri"]))
    return Response.json(200, {"collection": rows})


def get_schedule(call: Call) -> Response:
    schedule = call.store.schedules.get(call.params["uuid"])
    if schedule is None:
        raise errors.not_found()
    user = call.store.user_by_uri(schedule["user"])
    if user is not None:
        _visible_user(call, user)
    return call.resource(schedule)


def _range(call: Call) -> tuple[datetime, datetime]:
    start = call.time("start_time", required=True)
    end = call.time("end_time", required=True)
    assert start is not None and end is not None
    if end <= start:
        raise errors.invalid_argument(("end_time", "must be after start_time"))
    if end - start > timedelta(days=7):
        raise errors.invalid_argument(
            ("end_time", "The date range can be no greater than 1 week (7 days)")
        )
    return start, end


def _host_events(store: Store, user_uri: str, start: datetime, end: datetime) -> list[dict]:
    start_text, end_text = iso(start), iso(end)
    return sorted(
        (
            event
            for event in store.events.values()
            if event["status"] == "active"
            and event["event_memberships"][0]["user"] == user_uri
            and event["start_time"] < end_text
            and event["end_time"] > start_text
        ),
        key=lambda e: e["start_time"],
    )


def _external_blocks(
    user_uri: str, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """Deterministic "external calendar" busy blocks: a focus hour on some weekdays."""
    blocks = []
    day = start.date()
    while day <= end.date():
        digest = hashlib.sha256(f"{user_uri}/{day.isoformat()}".encode()).digest()
        if day.weekday() < 5 and digest[0] % 3 == 0:
            begin = datetime.combine(day, time(12 + digest[1] % 4), UTC)
            blocks.append((begin, begin + timedelta(hours=1)))
        day += timedelta(days=1)
    return [(b, e) for b, e in blocks if b < end and e > start]


def busy_times(call: Call) -> Response:
    user = call.user_param(required=True)
    assert user is not None
    _visible_user(call, user)
    start, end = _range(call)
    rows: list[dict[str, Any]] = []
    for event in _host_events(call.store, user["uri"], start, end):
        event_start, event_end = parse_iso(event["start_time"]), parse_iso(event["end_time"])
        rows.append(
            {
                "type": "calendly",
                "start_time": event["start_time"],
                "end_time": event["end_time"],
                "buffered_start_time": iso(event_start),
                "buffered_end_time": iso(event_end),
                "event": {"uri": event["uri"]},
            }
        )
    for block_start, block_end in _external_blocks(user["uri"], start, end):
        rows.append(
            {"type": "external", "start_time": iso(block_start), "end_time": iso(block_end)}
        )
    rows.sort(key=lambda r: r["start_time"])
    return Response.json(200, {"collection": rows})


def _intervals_for(schedule: dict[str, Any], day: date) -> list[dict[str, str]]:
    for rule in schedule["rules"]:
        if rule["type"] == "date" and rule.get("date") == day.isoformat():
            return rule["intervals"]
    for rule in schedule["rules"]:
        if rule["type"] == "wday" and rule.get("wday") == WEEKDAYS[day.weekday()]:
            return rule["intervals"]
    return []


def open_slots(
    store: Store, event_type: dict[str, Any], start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Bookable start times of ``event_type`` in [start, end), on a grid of its duration."""
    host_uri = event_type["profile"]["owner"]
    schedule = store.default_schedule(host_uri)
    if schedule is None or not event_type["active"]:
        return []
    zone = ZoneInfo(schedule["timezone"])
    duration = timedelta(minutes=float(event_type["duration"]))
    step = timedelta(minutes=max(15, min(60, float(event_type["duration"]))))
    busy = [
        (parse_iso(e["start_time"]), parse_iso(e["end_time"]), e)
        for e in _host_events(store, host_uri, start - duration, end + duration)
    ]
    limit = store.event_type_meta.get(event_type["uri"].rsplit("/", 1)[1], {}).get("group_limit")
    slots = []
    day = start.astimezone(zone).date()
    last_day = end.astimezone(zone).date()
    while day <= last_day:
        for interval in _intervals_for(schedule, day):
            begin = _local(day, interval["from"], zone)
            finish = _local(day, interval["to"], zone)
            slot = begin
            while slot + duration <= finish:
                remaining = _remaining(slot, duration, busy, event_type, limit)
                if start <= slot < end and remaining > 0:
                    slots.append(_slot(event_type, slot, remaining))
                slot += step
        day += timedelta(days=1)
    return slots


def _local(day: date, hhmm: str, zone: ZoneInfo) -> datetime:
    hours, minutes = (int(part) for part in hhmm.split(":"))
    if hours >= 24:
        return datetime.combine(day + timedelta(days=1), time(0, minutes), zone).astimezone(UTC)
    return datetime.combine(day, time(hours, minutes), zone).astimezone(UTC)


def _remaining(
    slot: datetime,
    duration: timedelta,
    busy: list[tuple[datetime, datetime, dict[str, Any]]],
    event_type: dict[str, Any],
    limit: int | None,
) -> int:
    for busy_start, busy_end, event in busy:
        if busy_start < slot + duration and busy_end > slot:
            if limit and event["event_type"] == event_type["uri"] and busy_start == slot:
                counter = event["invitees_counter"]
                return max(0, counter["limit"] - counter["active"])
            return 0
    return limit or 1


def _slot(event_type: dict[str, Any], slot: datetime, remaining: int) -> dict[str, Any]:
    stamp = slot.strftime("%Y-%m-%dT%H:%M:%SZ")
    url = f"{event_type['scheduling_url']}/{quote(stamp)}?month={slot:%Y-%m}&date={slot:%Y-%m-%d}"
    return {
        "status": "available",
        "invitees_remaining": remaining,
        "start_time": iso(slot),
        "scheduling_url": url,
    }
