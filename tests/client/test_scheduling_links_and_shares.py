"""Single-use scheduling links and shares."""

from datetime import UTC, datetime, timedelta

from calendly_integration.client import prefilled_booking_url
from tests.client.helpers import api_requests


def an_event_type(client, sim) -> dict:
    return next(iter(client.list_event_types(user=sim.owner.uri, active=True)))


def test_create_a_single_use_scheduling_link(client, sim):
    event_type = an_event_type(client, sim)

    link = client.create_scheduling_link(event_type["uri"])

    assert link["booking_url"].startswith("http")
    assert link["owner"] == event_type["uri"]
    assert api_requests(sim, "/scheduling_links")[-1].json == {
        "max_event_count": 1,
        "owner": event_type["uri"],
        "owner_type": "EventType",
    }
    prefilled = prefilled_booking_url(link["booking_url"], email="a+b@example.com")
    assert prefilled.startswith(link["booking_url"])
    assert "email=a%2Bb%40example.com" in prefilled


def test_create_a_share_of_an_event_type(client, sim):
    event_type = an_event_type(client, sim)
    start = datetime.now(UTC).date() + timedelta(days=1)

    share = client.create_share(
        event_type["uri"],
        name="Extended intro",
        duration=60,
        period_type="fixed",
        start_date=start,
        end_date=start + timedelta(days=14),
        hide_location=True,
    )

    assert share["share_override"]["name"] == "Extended intro"
    assert share["share_override"]["duration"] == 60
    assert share["scheduling_links"][0]["booking_url"].startswith("http")
    assert api_requests(sim, "/shares")[-1].json == {
        "event_type": event_type["uri"],
        "name": "Extended intro",
        "duration": 60,
        "period_type": "fixed",
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=14)).isoformat(),
        "hide_location": True,
    }
