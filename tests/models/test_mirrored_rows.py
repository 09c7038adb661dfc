"""Mirrored rows: the mapping from Calendly's JSON, the bulk upsert and the removal marks."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from calendly_integration.mirror.fingerprint import fingerprint
from calendly_integration.mirror.mapping import (
    event_hosts,
    invitee_event_uri,
    invitee_fields,
    scheduled_event_fields,
    text,
)
from calendly_integration.mirror.upsert import mark_missing, upsert
from calendly_integration.models import Invitee, Organization, ScheduledEvent

EVENT = "https://api.calendly.com/scheduled_events/EV1"
INVITEE = {
    "uri": f"{EVENT}/invitees/IN1",
    "email": "ada@example.com",
    "name": "Ada Lovelace",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "status": "canceled",
    "timezone": "Europe/London",
    "event": EVENT,
    "created_at": "2026-11-20T10:00:00.000000Z",
    "updated_at": "2026-11-21T10:00:00.123456Z",
    "questions_and_answers": [{"question": "Company", "answer": "Analytical", "position": 0}],
    "tracking": {"utm_source": "newsletter", "utm_campaign": "spring", "utm_medium": None},
    "text_reminder_number": None,
    "rescheduled": True,
    "old_invitee": None,
    "new_invitee": f"{EVENT}/invitees/IN2",
    "cancel_url": "https://calendly.com/cancellations/IN1",
    "reschedule_url": "https://calendly.com/reschedulings/IN1",
    "payment": {
        "external_id": "ch_1",
        "provider": "stripe",
        "amount": 150.0,
        "currency": "USD",
        "terms": "",
        "successful": True,
    },
    "no_show": {"uri": "https://api.calendly.com/invitee_no_shows/NS1", "created_at": None},
    "cancellation": {
        "canceled_by": "Ada Lovelace",
        "reason": "Rescheduled",
        "canceler_type": "invitee",
        "created_at": "2026-11-21T10:00:00.000000Z",
    },
}


def test_an_invitee_maps_to_typed_columns_and_keeps_its_json():
    fields = invitee_fields(INVITEE)
    assert fields["raw"] is INVITEE
    assert fields["calendly_updated_at"] == datetime(2026, 11, 21, 10, 0, 0, 123456, tzinfo=UTC)
    assert fields["utm_source"] == "newsletter" and fields["utm_medium"] == ""
    assert fields["payment_amount"] == Decimal("150.00") and fields["payment_successful"] is True
    assert fields["is_no_show"] and fields["no_show_uri"].endswith("/NS1")
    assert fields["rescheduled"] and fields["new_invitee_uri"].endswith("/IN2")
    assert fields["canceler_type"] == "invitee" and fields["cancel_reason"] == "Rescheduled"
    assert invitee_event_uri(INVITEE) == EVENT
    assert invitee_event_uri({"uri": INVITEE["uri"]}) == EVENT


def test_odd_values_are_made_to_fit_instead_of_failing_the_page():
    fields = invitee_fields(
        {
            "uri": "https://api.calendly.com/scheduled_events/E/invitees/I",
            "name": "x" * 1000,
            "created_at": "not a time",
            "payment": {"amount": "lots"},
            "tracking": "nonsense",
            "questions_and_answers": None,
        }
    )
    assert len(fields["name"]) == 255
    assert fields["calendly_created_at"] is None
    assert fields["payment_amount"] is None
    assert fields["questions_and_answers"] == []
    assert text(None) == ""


def test_an_event_maps_its_location_counter_and_hosts():
    data = {
        "uri": EVENT,
        "name": "Discovery Call",
        "status": "active",
        "start_time": "2026-11-24T15:00:00.000000Z",
        "end_time": "2026-11-24T15:45:00.000000Z",
        "event_type": "https://api.calendly.com/event_types/ET",
        "location": {"type": "zoom_conference", "join_url": "https://zoom.us/j/1"},
        "invitees_counter": {"total": 3, "active": 2, "limit": 8},
        "event_memberships": [
            {"user": "https://api.calendly.com/users/A", "user_email": "a@x", "user_name": "A"},
            {"user": "https://api.calendly.com/users/B", "user_email": "b@x", "user_name": "B"},
            {"user": "https://api.calendly.com/users/A"},
        ],
    }
    fields = scheduled_event_fields(data)
    assert fields["location_type"] == "zoom_conference"
    assert fields["location"] == fields["join_url"] == "https://zoom.us/j/1"
    assert (fields["invitees_total"], fields["invitees_active"], fields["invitees_limit"]) == (
        3,
        2,
        8,
    )
    assert [h["user_uri"][-1] for h in event_hosts(data)] == ["A", "B"]


def test_the_fingerprint_covers_data_not_bookkeeping():
    fields = {"uri": "u", "raw": {"a": 1}, "name": "x"}
    assert fingerprint(fields) == fingerprint({**fields, "synced_at": timezone.now()})
    assert fingerprint(fields) != fingerprint({**fields, "raw": {"a": 2}})
    assert fingerprint(fields) == fingerprint({"name": "x", "raw": {"a": 1}, "uri": "u"})


@pytest.mark.django_db
def test_upsert_creates_updates_and_skips_in_two_queries():
    now = timezone.now()
    rows = [
        {"uri": f"https://api.calendly.com/organizations/O{n}", "raw": {"n": n}, "name": f"O{n}"}
        for n in range(150)
    ]
    with CaptureQueriesContext(connection) as queries:
        first = upsert(Organization, rows, now=now)
    assert len(first.created) == 150 and len(first.ids) == 150
    assert len(queries.captured_queries) == 2, "one read, one INSERT ... ON CONFLICT"

    rows[0] = {**rows[0], "name": "Renamed", "raw": {"n": "renamed"}}
    with CaptureQueriesContext(connection) as queries:
        second = upsert(Organization, [*rows, rows[0]], now=now)
    assert (len(second.created), len(second.updated), len(second.unchanged)) == (0, 1, 149)
    assert len(queries.captured_queries) == 2
    assert Organization.objects.get(uri=rows[0]["uri"]).name == "Renamed"
    assert second.ids == first.ids

    with CaptureQueriesContext(connection) as queries:
        third = upsert(Organization, rows, now=now)
    assert len(third.unchanged) == 150
    assert len(queries.captured_queries) == 1, "nothing changed: nothing written"


@pytest.mark.django_db
def test_missing_rows_are_marked_and_revived_when_they_come_back():
    now = timezone.now()
    rows = [{"uri": f"https://x/organizations/{n}", "raw": {}} for n in range(3)]
    upsert(Organization, rows, now=now)

    assert mark_missing(Organization.objects.all(), {rows[0]["uri"]}, now) == 2
    assert Organization.objects.live().count() == 1
    assert Organization.objects.removed().count() == 2
    assert Organization.objects.get(uri=rows[1]["uri"]).is_removed
    assert mark_missing(Organization.objects.all(), {rows[0]["uri"]}, now) == 0

    result = upsert(Organization, rows, now=now)
    assert len(result.updated) == 2 and Organization.objects.live().count() == 3


@pytest.mark.django_db
def test_models_read_well():
    org = Organization.objects.create(uri="https://api.calendly.com/organizations/ORG", name="Acme")
    event = ScheduledEvent.objects.create(
        uri="https://api.calendly.com/scheduled_events/EV",
        name="Intro",
        organization=org,
        start_time=datetime(2026, 11, 24, 15, tzinfo=UTC),
    )
    invitee = Invitee.objects.create(
        uri=f"{event.uri}/invitees/IN", event=event, email="ada@example.com", utm_source="news"
    )
    assert str(org) == "Acme" and org.uuid == "ORG"
    assert str(event) == "Intro (2026-11-24 15:00)"
    assert str(invitee) == "ada@example.com"
    assert invitee.tracking == {"utm_source": "news"}
    assert not event.is_canceled and not event.is_removed
    assert ScheduledEvent.objects.active().get() == event
    assert ScheduledEvent.objects.hosted_by("https://api.calendly.com/users/X").count() == 0
