"""Event types: list, get, available times, one-off event types and updates."""

from datetime import UTC, datetime, timedelta

from calendly_integration.client import parse_time
from tests.client.helpers import api_requests, uuid_of


def owner_event_type(client, sim) -> dict:
    return next(iter(client.list_event_types(user=sim.owner.uri, active=True)))


def test_list_a_users_event_types_with_spec_query_names(client, sim):
    event_types = list(client.list_event_types(user=sim.owner.uri, active=True, sort="name:asc"))

    assert event_types
    assert all(et["active"] for et in event_types)
    assert [et["name"] for et in event_types] == sorted(et["name"] for et in event_types)
    request = api_requests(sim, "/event_types")[-1]
    assert request.query == {
        "user": [sim.owner.uri],
        "active": ["true"],
        "sort": ["name:asc"],
        "count": ["100"],
    }


def test_list_the_organizations_event_types(client, sim):
    event_types = list(client.list_event_types(organization=sim.organization_uri))

    owners = {et["profile"]["owner"] for et in event_types if et.get("profile")}
    assert sim.owner.uri in owners
    assert len(owners) > 1


def test_get_event_type_by_uri_and_by_uuid(client, sim):
    event_type = owner_event_type(client, sim)

    assert client.get_event_type(event_type["uri"])["uri"] == event_type["uri"]
    assert client.get_event_type(uuid_of(event_type["uri"]))["uri"] == event_type["uri"]


def test_available_times_within_a_future_week(client, sim):
    event_type = owner_event_type(client, sim)
    start = datetime.now(UTC) + timedelta(days=1)
    end = start + timedelta(days=7)

    times = list(client.list_event_type_available_times(event_type["uri"], start, end))

    assert times
    assert all(start <= parse_time(t["start_time"]) <= end for t in times)
    request = api_requests(sim, "/event_type_available_times")[-1]
    assert request.query["event_type"] == [event_type["uri"]]
    assert request.query["start_time"][0].endswith("Z")
    assert parse_time(request.query["start_time"][0]) == start


def test_create_a_one_off_event_type(client, sim):
    start = datetime.now(UTC).date() + timedelta(days=2)

    event_type = client.create_one_off_event_type(
        name="Contract review",
        host=sim.owner.uri,
        duration=45,
        start_date=start,
        end_date=start + timedelta(days=3),
        timezone="Europe/Berlin",
        location={"kind": "physical", "location": "Main office"},
    )

    assert event_type["name"] == "Contract review"
    assert event_type["duration"] == 45
    request = api_requests(sim, "/one_off_event_types")[-1]
    assert request.method == "POST"
    assert request.json == {
        "name": "Contract review",
        "host": sim.owner.uri,
        "duration": 45,
        "timezone": "Europe/Berlin",
        "date_setting": {
            "type": "date_range",
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=3)).isoformat(),
        },
        "location": {"kind": "physical", "location": "Main office"},
    }


def test_update_an_event_type_sends_only_the_changed_fields(client, sim):
    event_type = owner_event_type(client, sim)

    updated = client.update_event_type(event_type["uri"], name="Discovery call", duration=20)

    assert updated["name"] == "Discovery call"
    assert updated["duration"] == 20
    request = api_requests(sim)[-1]
    assert (request.method, request.path) == ("PATCH", f"/event_types/{uuid_of(event_type['uri'])}")
    assert request.json == {"name": "Discovery call", "duration": 20}
    assert client.get_event_type(event_type["uri"])["name"] == "Discovery call"
