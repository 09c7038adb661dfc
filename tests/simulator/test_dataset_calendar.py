"""The seeded dataset has the same shape whichever day the simulator starts on.

Only where meetings land may move with the date (a weekend day moves to the nearest working day
on the same side of "today"); every id, name, status, count and past/future split must not, or a
test that relies on them could start failing on one day of the year.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from calendly_integration.testing.simulator import dataset
from calendly_integration.testing.simulator.timeutil import parse_iso

ANCHORS = [
    *(date(2026, 6, day) for day in range(1, 8)),  # Monday to Sunday
    date(2026, 1, 31),
    date(2026, 4, 30),
    date(2026, 12, 31),
    date(2027, 2, 28),
    date(2028, 2, 29),
    date(2026, 3, 8),  # US clocks go forward
    date(2026, 3, 29),  # EU clocks go forward
    date(2026, 10, 25),  # EU clocks go back
    date(2026, 11, 1),  # US clocks go back
]


def _anchor(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _shape(data: dataset.Dataset, anchor: datetime) -> dict:
    """Everything but the dates: ids, people, statuses, counts, and which side of the anchor."""
    return {
        "events": {
            uuid: (
                event["name"],
                event["status"],
                event["event_type"],
                event["event_memberships"][0]["user"],
                parse_iso(event["start_time"]) > anchor,
                tuple(data.event_invitees[uuid]),
            )
            for uuid, event in data.events.items()
        },
        "invitees": {
            uuid: (
                invitee["name"],
                invitee["email"],
                invitee["status"],
                invitee["rescheduled"],
                invitee["no_show"] is not None,
                invitee["questions_and_answers"],
                invitee["tracking"],
            )
            for uuid, invitee in data.invitees.items()
        },
        "no_shows": sorted(data.no_shows),
        "event_types": sorted(data.event_types),
        "users": sorted(data.users),
        "submissions": sorted(data.submissions),
    }


def _local_day_offsets(data: dataset.Dataset, anchor: datetime) -> dict[str, int]:
    offsets = {}
    for uuid, event in data.events.items():
        local = parse_iso(event["start_time"]).astimezone(ZoneInfo(_host_zone(data, event)))
        offsets[uuid] = (local.date() - anchor.date()).days
    return offsets


def _host_zone(data: dataset.Dataset, event: dict) -> str:
    host_uri = event["event_memberships"][0]["user"]
    return data.users[host_uri.rsplit("/", 1)[1]]["timezone"]


@pytest.fixture(scope="module")
def baseline() -> tuple[datetime, dataset.Dataset]:
    anchor = _anchor(ANCHORS[0])
    return anchor, dataset.generate(5, "small", "http://sim", anchor)


@pytest.mark.parametrize("day", ANCHORS[1:], ids=str)
def test_every_start_day_gives_the_same_shape(baseline, day: date) -> None:
    base_anchor, base = baseline
    anchor = _anchor(day)
    data = dataset.generate(5, "small", "http://sim", anchor)
    assert _shape(data, anchor) == _shape(base, base_anchor)
    statuses = Counter(event["status"] for event in data.events.values())
    assert statuses == Counter(event["status"] for event in base.events.values())
    # Relative offsets: a meeting lands on the same day from "today", give or take the two days
    # a weekend move can add, at the same local time unless that half hour was taken.
    before, after = _local_day_offsets(base, base_anchor), _local_day_offsets(data, anchor)
    moved = [uuid for uuid in before if abs(before[uuid] - after[uuid]) > 2]
    assert moved == []
    weekend = sum(
        parse_iso(e["start_time"]).astimezone(ZoneInfo(_host_zone(data, e))).weekday() >= 5
        for e in data.events.values()
    )
    assert weekend < len(data.events) * 0.1


def test_no_show_and_recent_meetings_do_not_depend_on_the_day() -> None:
    """The guarantees other tests lean on: no-shows only in the past, and plain meetings a day
    or two either side of "today" for every user."""
    for day in ANCHORS:
        anchor = _anchor(day)
        data = dataset.generate(5, "small", "http://sim", anchor)
        for invitee in data.invitees.values():
            if invitee["no_show"] is not None:
                event = data.events[invitee["event"].rsplit("/", 1)[1]]
                assert parse_iso(event["start_time"]) < anchor
        for user in data.users.values():
            near = [
                e
                for e in data.events.values()
                if e["event_memberships"][0]["user"] == user["uri"] and e["status"] == "active"
                and abs((parse_iso(e["start_time"]) - anchor).days) <= 2
            ]  # fmt: skip
            assert len(near) >= 6, (day, user["uri"])
