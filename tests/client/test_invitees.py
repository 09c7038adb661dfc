"""Invitees, booking on an invitee's behalf, and no-shows."""

from datetime import UTC, datetime, timedelta

import pytest

from calendly_integration.client import NotFound, parse_time
from tests.client.helpers import api_requests, uuid_of

TRACKING = {
    "utm_source": "partner",
    "utm_medium": "referral",
    "utm_campaign": "spring",
    "utm_content": "banner",
    "utm_term": "demo",
    "salesforce_uuid": "0035g00000XyZ12AAB",
}


def event_with_invitee(client, sim) -> tuple[dict, dict]:
    events = client.list_scheduled_events(
        user=sim.owner.uri, status="active", max_start_time=datetime.now(UTC)
    )
    for event in events:
        for invitee in client.list_event_invitees(event["uri"], status="active"):
            return event, invitee
    raise AssertionError("The simulator has no past event with an active invitee")


def test_list_an_events_invitees_with_spec_query_names(client, sim):
    event, invitee = event_with_invitee(client, sim)

    invitees = list(
        client.list_event_invitees(
            event["uri"], status="active", email=invitee["email"], sort="created_at:desc", count=10
        )
    )

    assert [i["uri"] for i in invitees] == [invitee["uri"]]
    request = api_requests(sim)[-1]
    assert request.path == f"/scheduled_events/{uuid_of(event['uri'])}/invitees"
    assert request.query == {
        "status": ["active"],
        "email": [invitee["email"]],
        "sort": ["created_at:desc"],
        "count": ["10"],
    }


def test_get_an_invitee_by_uri_or_by_uuid_with_its_event(client, sim):
    event, invitee = event_with_invitee(client, sim)

    assert client.get_event_invitee(invitee["uri"])["uri"] == invitee["uri"]
    by_uuid = client.get_event_invitee(uuid_of(invitee["uri"]), event=event["uri"])
    assert by_uuid["uri"] == invitee["uri"]
    assert api_requests(sim)[-1].path == (
        f"/scheduled_events/{uuid_of(event['uri'])}/invitees/{uuid_of(invitee['uri'])}"
    )


def test_mark_read_and_undo_a_no_show(client, sim):
    _, invitee = event_with_invitee(client, sim)

    no_show = client.create_invitee_no_show(invitee["uri"])

    assert api_requests(sim)[-1].json == {"invitee": invitee["uri"]}
    assert client.get_invitee_no_show(no_show["uri"])["uri"] == no_show["uri"]
    assert client.get_event_invitee(invitee["uri"])["no_show"]["uri"] == no_show["uri"]

    assert client.delete_invitee_no_show(no_show["uri"]) is None
    assert api_requests(sim)[-1].method == "DELETE"
    with pytest.raises(NotFound):
        client.get_invitee_no_show(no_show["uri"])
    assert client.get_event_invitee(invitee["uri"])["no_show"] is None


def test_book_on_behalf_of_an_invitee(client, sim):
    event_type = next(iter(client.list_event_types(user=sim.owner.uri, active=True)))
    start = datetime.now(UTC) + timedelta(days=1)
    slot = next(
        iter(
            client.list_event_type_available_times(
                event_type["uri"], start, start + timedelta(days=6)
            )
        )
    )

    invitee = client.create_invitee(
        event_type["uri"],
        slot["start_time"],
        email="zoe+booking@example.com",
        name="Zoë Lindqvist",
        timezone="Europe/Stockholm",
        tracking=TRACKING,
    )

    assert invitee["email"] == "zoe+booking@example.com"
    sent = dict(api_requests(sim, "/invitees")[-1].json)
    assert parse_time(sent.pop("start_time")) == parse_time(slot["start_time"])
    assert sent == {
        "event_type": event_type["uri"],
        "invitee": {
            "name": "Zoë Lindqvist",
            "email": "zoe+booking@example.com",
            "timezone": "Europe/Stockholm",
        },
        "tracking": TRACKING,
    }
