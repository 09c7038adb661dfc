"""Availability schedules and busy times."""

from datetime import UTC, datetime, timedelta

from calendly_integration.client import format_time
from tests.client.helpers import api_requests


def test_list_and_get_a_users_availability_schedules(client, sim):
    schedules = list(client.list_user_availability_schedules(sim.owner.uri))

    assert schedules
    assert any(s["default"] for s in schedules)
    assert api_requests(sim, "/user_availability_schedules")[-1].query == {"user": [sim.owner.uri]}
    schedule = client.get_user_availability_schedule(schedules[0]["uri"])
    assert schedule["uri"] == schedules[0]["uri"]


def test_busy_times_over_a_week(client, sim):
    start = datetime.now(UTC).replace(microsecond=0)
    end = start + timedelta(days=7)

    busy = list(client.list_user_busy_times(sim.owner.uri, start, end))

    assert busy
    assert all({"type", "start_time", "end_time"} <= set(b) for b in busy)
    assert api_requests(sim, "/user_busy_times")[-1].query == {
        "user": [sim.owner.uri],
        "start_time": [format_time(start)],
        "end_time": [format_time(end)],
    }
