"""Objects that vanish from a complete listing are marked removed, not left looking live."""

from datetime import timedelta

import pytest
from django.utils import timezone

from calendly_integration.client import CalendlyClient
from calendly_integration.models import EventType, Membership, ScheduledEvent, SyncRun
from calendly_integration.sync import sync_connection
from tests.sync.helpers import db_event_uris, sim_event_uris

pytestmark = pytest.mark.django_db


def test_a_deleted_event_type_is_marked_removed_and_revived_if_it_returns(sim, owner_connection):
    sync_connection(owner_connection.pk)
    event_type = EventType.objects.filter(owner_uri=sim.members[0].uri).first()
    with sim.store.lock:
        data = sim.store.event_types.pop(event_type.uuid)

    run = sync_connection(owner_connection.pk)

    event_type.refresh_from_db()
    assert event_type.is_removed
    assert run.counts["event_types"]["removed"] == 1
    assert event_type not in EventType.objects.live()

    with sim.store.lock:
        sim.store.event_types[event_type.uuid] = data
    sync_connection(owner_connection.pk)
    event_type.refresh_from_db()
    assert not event_type.is_removed


def test_a_removed_member_is_marked_and_their_rows_stay(sim, owner_connection):
    sync_connection(owner_connection.pk)
    member = sim.members[1]
    membership = Membership.objects.get(user__uri=member.uri)
    with CalendlyClient(owner_connection.access_token, base_url=sim.url) as client:
        client.delete_organization_membership(membership.uri)

    run = sync_connection(owner_connection.pk)

    membership.refresh_from_db()
    assert membership.removed_at is not None
    assert run.counts["memberships"]["removed"] == 1
    assert Membership.objects.live().count() == len(sim.users) - 1


def test_deleted_scheduled_events_are_marked_within_the_listed_window(sim, owner_connection):
    sync_connection(owner_connection.pk, full=True)
    now = timezone.now()
    start, end = now - timedelta(days=20), now - timedelta(days=10)
    doomed = sim_event_uris(sim, start=start, end=end)
    assert doomed
    with CalendlyClient(owner_connection.access_token, base_url=sim.url) as client:
        client.delete_scheduled_event_data(start, end)

    run = sync_connection(owner_connection.pk, full=True)

    assert run.status == SyncRun.Status.SUCCEEDED
    assert run.counts["scheduled_events"]["removed"] == len(doomed)
    assert set(ScheduledEvent.objects.removed().values_list("uri", flat=True)) == doomed
    assert db_event_uris() == sim_event_uris(sim)


def test_a_window_sync_leaves_events_outside_the_window_alone(sim, owner_connection):
    sync_connection(owner_connection.pk, full=True)
    today = timezone.now().date()
    with sim.store.lock:
        everything = dict(sim.store.events)
        sim.store.events.clear()

    run = sync_connection(owner_connection.pk, since=today - timedelta(days=3), until=today)

    inside = set(ScheduledEvent.objects.removed().values_list("uri", flat=True))
    assert inside and run.counts["scheduled_events"]["removed"] == len(inside)
    assert all(
        run.window_start <= e.start_time < run.window_end for e in ScheduledEvent.objects.removed()
    )
    assert ScheduledEvent.objects.live().count() == len(everything) - len(inside)
