"""Scheduled events: list by window and status, get, cancel."""

from datetime import UTC, datetime, timedelta

import pytest

from calendly_integration.client import PermissionDenied, format_time, parse_time
from tests.client.helpers import api_requests, uuid_of


def future_event(client, sim) -> dict:
    return next(
        iter(
            client.list_scheduled_events(
                user=sim.owner.uri, status="active", min_start_time=datetime.now(UTC)
            )
        )
    )


def test_list_a_users_events_in_a_window_with_spec_query_names(client, sim):
    start = datetime.now(UTC) - timedelta(days=30)
    end = datetime.now(UTC) + timedelta(days=30)

    events = list(
        client.list_scheduled_events(
            user=sim.owner.uri,
            status="active",
            sort="start_time:desc",
            min_start_time=start,
            max_start_time=end,
            count=50,
        )
    )

    assert events
    assert all(e["status"] == "active" for e in events)
    starts = [parse_time(e["start_time"]) for e in events]
    assert starts == sorted(starts, reverse=True)
    assert all(start <= s <= end for s in starts)
    request = api_requests(sim, "/scheduled_events")[0]
    assert request.query == {
        "user": [sim.owner.uri],
        "status": ["active"],
        "sort": ["start_time:desc"],
        "min_start_time": [format_time(start)],
        "max_start_time": [format_time(end)],
        "count": ["50"],
    }


def test_list_canceled_events_of_the_organization(client, sim):
    events = list(
        client.list_scheduled_events(organization=sim.organization_uri, status="canceled")
    )

    assert events
    assert all(e["status"] == "canceled" for e in events)
    assert api_requests(sim, "/scheduled_events")[0].query["organization"] == [sim.organization_uri]


def test_list_events_of_one_invitee(client, sim):
    some_event = future_event(client, sim)
    invitee = next(iter(client.list_event_invitees(some_event["uri"])))

    events = list(client.list_scheduled_events(user=sim.owner.uri, invitee_email=invitee["email"]))

    assert some_event["uri"] in [e["uri"] for e in events]
    assert api_requests(sim, "/scheduled_events")[-1].query["invitee_email"] == [invitee["email"]]


def test_get_an_event_by_uri_and_by_uuid(client, sim):
    event = future_event(client, sim)

    assert client.get_scheduled_event(event["uri"]) == event
    assert client.get_scheduled_event(uuid_of(event["uri"]))["uri"] == event["uri"]


def test_cancel_an_event_with_a_reason(client, sim):
    event = future_event(client, sim)

    cancellation = client.cancel_scheduled_event(event["uri"], reason="Host is ill")

    assert cancellation["reason"] == "Host is ill"
    request = api_requests(sim)[-1]
    assert (request.method, request.path) == (
        "POST",
        f"/scheduled_events/{uuid_of(event['uri'])}/cancellation",
    )
    assert request.json == {"reason": "Host is ill"}
    assert client.get_scheduled_event(event["uri"])["status"] == "canceled"


def test_cancelling_twice_is_permission_denied_with_calendlys_message(client, sim):
    event = future_event(client, sim)
    client.cancel_scheduled_event(event["uri"])

    with pytest.raises(PermissionDenied) as caught:
        client.cancel_scheduled_event(event["uri"])

    assert caught.value.status == 403
    assert caught.value.message
    assert api_requests(sim)[-1].json == {}
