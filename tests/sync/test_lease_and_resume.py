"""One sync per connection at a time; an interrupted sync is resumed by the next one."""

import threading
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import close_old_connections
from django.utils import timezone

from calendly_integration.models import ScheduledEvent, SyncRun, SyncState
from calendly_integration.sync import sync_connection
from calendly_integration.sync.lease import Lease, LeaseLost
from tests.sync.helpers import db_event_uris, event_list_requests, sim_event_uris

ON_POSTGRES = "postgresql" in django_settings.DATABASES["default"]["ENGINE"]


@pytest.mark.django_db
def test_a_lease_is_held_by_one_holder_until_released_or_expired(owner_connection):
    first, second = Lease(owner_connection.pk), Lease(owner_connection.pk)
    assert first.acquire()
    assert not second.acquire()
    first.release()
    assert second.acquire()

    SyncState.objects.filter(connection=owner_connection).update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )
    assert first.acquire(), "an expired lease can be taken over"
    with pytest.raises(LeaseLost):
        second.renew()


@pytest.mark.django_db
def test_a_second_sync_exits_at_once_saying_so(sim, owner_connection):
    holder = Lease(owner_connection.pk)
    assert holder.acquire()
    sim.clear_requests()

    run = sync_connection(owner_connection.pk)

    assert run.status == SyncRun.Status.SKIPPED
    assert "Another sync of this connection is running" in run.error
    assert sim.requests == []
    holder.release()
    assert sync_connection(owner_connection.pk).status == SyncRun.Status.SUCCEEDED


@pytest.mark.django_db
def test_a_killed_worker_blocks_only_until_its_lease_lapses(sim, owner_connection):
    def stop_after_two_pages(p):
        if p.step == "scheduled_events" and p.pages == 2:
            raise SystemExit  # stands in for a worker that dies mid-sync

    with pytest.raises(SystemExit):
        sync_connection(owner_connection.pk, full=True, progress=stop_after_two_pages)
    dead = SyncRun.objects.get()
    # A real kill leaves the run "running" and the lease held: put it back that way.
    SyncRun.objects.filter(pk=dead.pk).update(status=SyncRun.Status.RUNNING)
    SyncState.objects.filter(connection=owner_connection).update(
        lock_token="dead-worker", locked_until=timezone.now() + timedelta(minutes=5), run=dead
    )
    assert sync_connection(owner_connection.pk, full=True).status == SyncRun.Status.SKIPPED

    SyncState.objects.filter(connection=owner_connection).update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )
    sim.clear_requests()
    run = sync_connection(owner_connection.pk, full=True)

    assert run.status == SyncRun.Status.SUCCEEDED and run.resumed
    assert "page_token" in event_list_requests(sim)[0].query
    dead.refresh_from_db()
    assert dead.status == SyncRun.Status.INTERRUPTED
    assert db_event_uris() == sim_event_uris(sim)


@pytest.mark.django_db
def test_a_time_limit_stops_at_a_page_and_the_next_run_continues(sim, owner_connection):
    runs = []
    for _ in range(20):
        run = sync_connection(owner_connection.pk, full=True, time_limit=1e-9)
        runs.append(run)
        if run.status == SyncRun.Status.SUCCEEDED:
            break
        assert run.status == SyncRun.Status.PARTIAL
    assert runs[-1].status == SyncRun.Status.SUCCEEDED
    assert len(runs) > 5
    assert all(run.resumed for run in runs[1:])
    assert db_event_uris() == sim_event_uris(sim)
    assert ScheduledEvent.objects.count() == len(sim_event_uris(sim))
    assert SyncState.objects.get().cursor == {}


@pytest.mark.django_db
def test_an_unfinished_full_sync_is_finished_by_the_next_incremental_one(sim, owner_connection):
    sync_connection(owner_connection.pk, full=True, time_limit=1e-9)
    run = sync_connection(owner_connection.pk)
    assert run.resumed and run.full and run.window_start is None
    assert db_event_uris() == sim_event_uris(sim)


@pytest.mark.django_db
def test_a_sync_for_another_window_starts_afresh(sim, owner_connection):
    sync_connection(owner_connection.pk, full=True, time_limit=1e-9)
    today = timezone.now().date()
    run = sync_connection(owner_connection.pk, since=today, until=today + timedelta(days=7))
    assert not run.resumed and not run.full


@pytest.mark.skipif(
    not ON_POSTGRES,
    reason="concurrent transactions need PostgreSQL (SQLite "
    "serializes writers on one file, so the race this checks cannot happen)",
)
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_syncs_of_one_connection_one_works_one_exits(sim, owner_connection):
    inside = threading.Event()
    release = threading.Event()
    results: dict[str, SyncRun] = {}

    def hold(p):
        if p.step == "scheduled_events" and p.pages == 1:
            inside.set()
            release.wait(30)

    def first():
        try:
            results["first"] = sync_connection(owner_connection.pk, full=True, progress=hold)
        finally:
            close_old_connections()

    def second():
        try:
            inside.wait(30)
            results["second"] = sync_connection(owner_connection.pk, full=True)
        finally:
            release.set()
            close_old_connections()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert results["first"].status == SyncRun.Status.SUCCEEDED
    assert results["second"].status == SyncRun.Status.SKIPPED
    assert str(results["first"].pk) in results["second"].error
    assert db_event_uris() == sim_event_uris(sim)


@pytest.mark.skipif(not ON_POSTGRES, reason="concurrent transactions need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_many_workers_racing_for_the_lease_one_wins(owner_connection):
    barrier = threading.Barrier(8)
    won: list[bool] = []

    def race():
        try:
            barrier.wait(10)
            won.append(Lease(owner_connection.pk).acquire())
        finally:
            close_old_connections()

    threads = [threading.Thread(target=race) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(won) == [False] * 7 + [True]


@pytest.mark.django_db
def test_a_saved_page_token_calendly_refuses_means_listing_again(sim, owner_connection):
    state = SyncState(cursor={})
    while not state.cursor.get("events"):  # stop one page into the event list
        sync_connection(owner_connection.pk, full=True, time_limit=1e-9)
        state = SyncState.objects.get()
    assert state.cursor["events"]["page_token"]
    state.cursor["events"]["page_token"] = "not-a-token"
    state.save()

    run = sync_connection(owner_connection.pk, full=True)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert any("listed it again" in warning for warning in run.warnings)
    assert db_event_uris() == sim_event_uris(sim)
