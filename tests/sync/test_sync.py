"""A sync mirrors exactly what Calendly holds, and a repeated sync changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from calendly_integration.models import (
    AvailabilitySchedule,
    CalendlyUser,
    EventHost,
    EventType,
    Invitee,
    Membership,
    Organization,
    RoutingForm,
    RoutingFormSubmission,
    ScheduledEvent,
    SyncRun,
)
from calendly_integration.sync import sync_connection
from tests.sync.helpers import (
    capture,
    db_event_uris,
    db_invitee_uris,
    event_list_requests,
    invitee_requests,
    mirror_writes,
    sim_event_uris,
    sim_invitee_uris,
)

pytestmark = pytest.mark.django_db


def test_a_full_sync_mirrors_everything_the_owner_can_see(sim, owner_connection):
    sim.clear_requests()
    run = sync_connection(owner_connection.pk, full=True)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    events = sim_event_uris(sim)
    assert db_event_uris() == events
    assert db_invitee_uris() == sim_invitee_uris(sim, events)
    organization = Organization.objects.get()
    assert organization.uri == sim.organization_uri
    assert organization.name
    assert set(Membership.objects.values_list("user__uri", "role")) == {
        (user.uri, user.role) for user in sim.users
    }
    assert EventType.objects.count() == sum(len(sim.event_types_of(u.uri)) for u in sim.users)
    assert RoutingForm.objects.count() == len(sim.store.routing_forms)
    assert RoutingFormSubmission.objects.count() == len(sim.store.submissions)
    assert AvailabilitySchedule.objects.count() == len(sim.store.schedules)
    assert run.created == sum(c.get("created", 0) for c in run.counts.values())
    assert run.counts["scheduled_events"]["created"] == len(events)
    assert run.http_requests == len(sim.requests)
    assert run.full and run.window_start is None and run.window_end is None
    assert run.duration is not None and run.finished_at is not None


def test_rows_keep_raw_json_typed_columns_and_their_organization(sim, owner_connection):
    sync_connection(owner_connection.pk, full=True)
    organization = Organization.objects.get()
    paid = Invitee.objects.exclude(payment_provider="").first()
    assert paid is not None
    assert paid.raw == sim.get(paid.uri)
    assert paid.payment_amount == pytest.approx(float(paid.raw["payment"]["amount"]))
    assert paid.payment_successful is True
    assert paid.organization == organization == paid.event.organization
    tracked = Invitee.objects.exclude(utm_source="").first()
    assert tracked.utm_source == tracked.raw["tracking"]["utm_source"]
    answered = Invitee.objects.exclude(questions_and_answers=[]).first()
    assert answered.questions_and_answers == answered.raw["questions_and_answers"]
    event = ScheduledEvent.objects.filter(status="canceled").first()
    assert event.canceled_at is not None and event.canceler_type in ("host", "invitee")
    assert event.calendly_updated_at is not None and event.synced_at is not None
    host = EventHost.objects.filter(event=event).get()
    assert host.user_uri == event.raw["event_memberships"][0]["user"]
    assert host.user == CalendlyUser.objects.get(uri=host.user_uri)
    assert event.event_type.uri == event.raw["event_type"]
    rescheduled = Invitee.objects.filter(rescheduled=True).first()
    assert rescheduled.new_invitee_uri
    assert Invitee.objects.filter(uri=rescheduled.new_invitee_uri).exists()
    no_show = Invitee.objects.filter(is_no_show=True).first()
    assert no_show.no_show_uri and no_show.no_show_created_at


def test_a_second_sync_with_nothing_changed_makes_no_invitee_requests_and_no_writes(
    sim, owner_connection
):
    sync_connection(owner_connection.pk, full=True)
    sim.clear_requests()

    with capture() as queries:
        run = sync_connection(owner_connection.pk, full=True)

    assert run.status == SyncRun.Status.SUCCEEDED
    assert invitee_requests(sim) == []
    assert mirror_writes(queries) == []
    assert (run.created, run.updated, run.removed) == (0, 0, 0)
    assert run.unchanged > 0
    assert len(event_list_requests(sim)) == run.pages


def test_a_changed_event_refetches_only_its_invitees(sim, owner_connection):
    sync_connection(owner_connection.pk)
    event = ScheduledEvent.objects.filter(
        status="active", start_time__gt=timezone.now(), invitees_limit=1
    ).first()
    invitee = event.invitees.get()
    sim.clear_requests()

    sim.cancel_invitee(invitee.uri, reason="Double-booked", canceler="invitee")
    run = sync_connection(owner_connection.pk)

    assert [r.path for r in invitee_requests(sim)] == [
        "/scheduled_events/" + event.uuid + "/invitees"
    ]
    assert run.counts["scheduled_events"]["updated"] == 1
    assert run.counts["invitees"] == {"updated": 1}


def test_a_cancellation_on_calendly_appears_after_sync(sim, owner_connection):
    sync_connection(owner_connection.pk)
    event = ScheduledEvent.objects.filter(status="active", start_time__gt=timezone.now()).first()
    invitee = event.invitees.first()

    for each in event.invitees.all():
        sim.cancel_invitee(each.uri, reason="Something came up", canceler="invitee")
    sync_connection(owner_connection.pk)

    event.refresh_from_db()
    invitee.refresh_from_db()
    assert event.status == ScheduledEvent.Status.CANCELED
    assert event.cancel_reason == "Something came up"
    assert invitee.status == Invitee.Status.CANCELED
    assert invitee.canceler_type == "invitee"
    assert invitee.canceled_at is not None


def test_a_new_booking_and_a_reschedule_appear_after_sync(sim, owner_connection):
    sync_connection(owner_connection.pk)
    event_type = EventType.objects.get(owner_uri=sim.owner.uri, name="30 Minute Meeting")
    start = (timezone.now() + timedelta(days=3)).replace(hour=14, minute=0, second=0, microsecond=0)

    booked = sim.book(
        event_type.uri,
        start,
        "Ada Lovelace",
        "ada@example.com",
        questions_and_answers=[
            {"question": "What would you like to discuss?", "answer": "Engines", "position": 0}
        ],
        tracking={"utm_source": "newsletter", "utm_campaign": "spring"},
    )
    moved = sim.reschedule(booked, start + timedelta(days=1))
    sync_connection(owner_connection.pk)

    old, new = Invitee.objects.get(uri=booked), Invitee.objects.get(uri=moved)
    assert old.status == "canceled" and old.rescheduled and old.new_invitee_uri == moved
    assert new.old_invitee_uri == booked and new.status == "active"
    assert new.utm_source == "newsletter" and new.utm_campaign == "spring"
    assert new.questions_and_answers[0]["answer"] == "Engines"
    assert new.event.event_type == event_type
    assert new.event.hosts.get().user_uri == sim.owner.uri


def test_no_shows_of_recent_events_are_picked_up(sim, owner_connection, settings):
    sync_connection(owner_connection.pk)
    invitee = (
        Invitee.objects.filter(
            is_no_show=False,
            status="active",
            event__start_time__lt=timezone.now(),
            event__start_time__gt=timezone.now() - timedelta(days=2),
        )
        .select_related("event")
        .first()
    )
    assert invitee is not None, "the dataset has an event in the last two days"
    sim.mark_no_show(invitee.uri)

    sync_connection(owner_connection.pk)  # checked less than an hour ago: not yet
    invitee.refresh_from_db()
    assert not invitee.is_no_show

    settings.CALENDLY = {**settings.CALENDLY, "SYNC_NO_SHOW_RECHECK_MINUTES": 0}
    sync_connection(owner_connection.pk)
    invitee.refresh_from_db()
    assert invitee.is_no_show and invitee.no_show_uri

    sim.unmark_no_show(invitee.uri)
    sync_connection(owner_connection.pk)
    invitee.refresh_from_db()
    assert not invitee.is_no_show and invitee.no_show_uri == ""


def test_an_incremental_sync_takes_the_configured_window(sim, owner_connection, settings):
    settings.CALENDLY = {**settings.CALENDLY, "SYNC_BACKFILL_DAYS": 10, "SYNC_HORIZON_DAYS": 20}
    run = sync_connection(owner_connection.pk)

    start, end = run.window_start, run.window_end
    assert end - start == timedelta(days=30)
    assert abs((start - (timezone.now() - timedelta(days=10))).total_seconds()) < 60
    expected = sim_event_uris(sim, start=start, end=end)
    assert db_event_uris() == expected
    assert 0 < len(expected) < len(sim_event_uris(sim))
    assert {r.query["min_start_time"][0][:10] for r in event_list_requests(sim)} == {
        start.strftime("%Y-%m-%d")
    }


def test_since_and_until_choose_the_window(sim, owner_connection):
    today = timezone.now().date()
    run = sync_connection(
        owner_connection.pk, since=today - timedelta(days=60), until=today - timedelta(days=31)
    )
    assert run.status == SyncRun.Status.SUCCEEDED
    assert run.window_end - run.window_start == timedelta(days=30)
    assert db_event_uris() == sim_event_uris(sim, start=run.window_start, end=run.window_end)


def test_a_member_mirrors_their_own_events_and_event_types(sim, connect):
    member = sim.members[0]
    connection = connect(member)
    run = sync_connection(connection.pk, full=True)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert db_event_uris() == sim_event_uris(sim, host_uri=member.uri)
    assert set(EventType.objects.values_list("owner_uri", flat=True)) == {member.uri}
    assert set(Membership.objects.values_list("user__uri", "role")) == {(member.uri, "user")}
    assert not RoutingForm.objects.exists()
    assert set(AvailabilitySchedule.objects.values_list("user_uri", flat=True)) == {member.uri}
    assert not [
        r for r in sim.requests if r.query.get("organization") and r.path == "/scheduled_events"
    ]


def test_two_connections_of_one_organization_share_rows(sim, owner_connection, connect):
    member_connection = connect(sim.members[0])
    sync_connection(owner_connection.pk, full=True)
    count = ScheduledEvent.objects.count()

    run = sync_connection(member_connection.pk, full=True)

    assert ScheduledEvent.objects.count() == count
    assert run.counts["scheduled_events"] == {
        "unchanged": len(sim_event_uris(sim, host_uri=sim.members[0].uri))
    }
    assert Organization.objects.count() == 1
