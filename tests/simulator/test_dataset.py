"""The seeded dataset: realistic, complete per the spec's schemas, and the same for the same seed."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import pytest

from calendly_integration.testing.simulator import CalendlySimulator, dataset

ANCHOR = datetime(2026, 6, 1, tzinfo=UTC)
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def test_the_same_seed_gives_the_same_dataset() -> None:
    first = dataset.generate(7, "small", "http://sim", ANCHOR)
    second = dataset.generate(7, "small", "http://sim", ANCHOR)
    other = dataset.generate(8, "small", "http://sim", ANCHOR)
    assert first == second
    assert first.events != other.events


def test_two_simulators_with_one_seed_serve_the_same_objects(calendly_simulator_factory) -> None:
    fixed = lambda: ANCHOR  # noqa: E731
    one = calendly_simulator_factory(seed=3, clock=fixed)
    two = calendly_simulator_factory(seed=3, clock=fixed)
    assert one.url != two.url
    events_one = [str(e).replace(one.url, "") for e in one.events_of(one.owner.uri)]
    events_two = [str(e).replace(two.url, "") for e in two.events_of(two.owner.uri)]
    assert events_one == events_two
    assert one.owner.email == two.owner.email


def test_small_builds_fast_and_sizes_scale() -> None:
    started = time.perf_counter()
    small = dataset.generate(1, "small", "http://sim", ANCHOR)
    assert time.perf_counter() - started < 0.5
    demo = dataset.generate(1, "demo", "http://sim", ANCHOR)
    assert 300 < len(small.events) < 1000
    assert 1800 < len(demo.events) < 2600
    owner_uri = small.users[small.owner_uuid]["uri"]
    owner_events = [
        e for e in small.events.values() if e["event_memberships"][0]["user"] == owner_uri
    ]
    assert len(owner_events) > 300


def test_unknown_sizes_are_refused() -> None:
    with pytest.raises(ValueError):
        CalendlySimulator(size="huge")


@pytest.fixture(scope="module")
def data() -> dataset.Dataset:
    return dataset.generate(1, "small", "http://sim", ANCHOR)


def test_organization_roles(data: dataset.Dataset) -> None:
    roles = sorted(data.roles.values())
    assert roles.count("owner") == 1 and roles.count("admin") == 1 and roles.count("user") >= 3
    assert {m["role"] for m in data.memberships.values()} == {"owner", "admin", "user"}


def test_events_span_past_and_future_with_cancellations(data: dataset.Dataset) -> None:
    starts = [e["start_time"] for e in data.events.values()]
    anchor = "2026-06-01T00:00:00.000000Z"
    assert any(s < anchor for s in starts) and any(s > anchor for s in starts)
    canceled = [e for e in data.events.values() if e["status"] == "canceled"]
    assert canceled and all(
        e["cancellation"]["canceler_type"] in ("host", "invitee") for e in canceled
    )
    assert all("cancellation" not in e for e in data.events.values() if e["status"] == "active")
    for uuid, event in data.events.items():
        invitees = [data.invitees[i] for i in data.event_invitees[uuid]]
        counter = event["invitees_counter"]
        assert counter["total"] == len(invitees)
        assert counter["active"] == sum(i["status"] == "active" for i in invitees)


def test_reschedule_pairs_point_at_each_other(data: dataset.Dataset) -> None:
    by_uri = {i["uri"]: i for i in data.invitees.values()}
    old = [i for i in data.invitees.values() if i["rescheduled"]]
    assert len(old) >= 5
    for invitee in old:
        assert invitee["status"] == "canceled"
        new = by_uri[invitee["new_invitee"]]
        assert new["old_invitee"] == invitee["uri"]
        assert new["email"] == invitee["email"]


def test_no_shows_payments_tracking_answers_and_submissions(data: dataset.Dataset) -> None:
    invitees = list(data.invitees.values())
    for record in data.no_shows.values():
        invitee = next(i for i in invitees if i["uri"] == record["invitee"])
        assert invitee["no_show"] == {"uri": record["uri"], "created_at": record["created_at"]}
    assert any(i["payment"] for i in invitees)
    assert any(i["tracking"]["utm_source"] for i in invitees)
    assert any(i["questions_and_answers"] for i in invitees)
    linked = [s for s in data.submissions.values() if s["submitter"]]
    assert linked
    for submission in linked:
        invitee = next(i for i in invitees if i["uri"] == submission["submitter"])
        assert invitee["routing_form_submission"] == submission["uri"]
    assert any(et["custom_questions"] for et in data.event_types.values())
    assert all(s["rules"] for s in data.schedules.values())


def test_timestamps_use_calendlys_format(data: dataset.Dataset) -> None:
    for event in data.events.values():
        for key in ("start_time", "end_time", "created_at", "updated_at"):
            assert TIMESTAMP.match(event[key]), event[key]
    for invitee in data.invitees.values():
        assert TIMESTAMP.match(invitee["created_at"])


def test_nothing_was_created_or_updated_after_the_anchor(data: dataset.Dataset) -> None:
    """The dataset is history up to its anchor: an ``updated_at`` later than "now" would make a
    real change (a cancellation a minute from now) look older than the seeded state."""
    anchor = ANCHOR.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    tables = (data.users, data.event_types, data.events, data.invitees, data.no_shows)
    for table in tables:
        for resource in table.values():
            for key in ("created_at", "updated_at"):
                if key in resource:
                    assert resource[key] <= anchor, (resource["uri"], key, resource[key])
