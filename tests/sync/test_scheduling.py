"""The sync scheduler: what a round queues, how many, in which order, and the per-organization cap
(in a round, and where it is enforced: the lease claim, on two real PostgreSQL connections)."""

from __future__ import annotations

import itertools
import threading
from collections import Counter, defaultdict
from datetime import datetime, timedelta

import pytest
from django.conf import settings as django_settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import OrmQ, Schedule
from django_q.signing import SignedPackage

from calendly_integration import queueing, tasks
from calendly_integration.models import Connection, SyncRun, SyncState
from calendly_integration.sync import scheduling
from calendly_integration.sync.lease import Lease, OrganizationBusy
from tests import tenants

ON_POSTGRES = "postgresql" in django_settings.DATABASES["default"]["ENGINE"]


@pytest.fixture
def queue(monkeypatch):
    """The broker's queue, empty, with tasks left in it (not run inline) and four workers."""
    monkeypatch.setattr(Conf, "SYNC", False)
    monkeypatch.setattr(Conf, "WORKERS", 4)
    broker = queueing.broker()
    broker.purge_queue()
    yield broker
    broker.purge_queue()


def take(broker, most: int) -> list[dict]:
    """Take up to ``most`` tasks off the queue, oldest first, as a worker would."""
    if type(broker).__name__ == "ORM":
        rows = list(OrmQ.objects.filter(key=broker.list_key).order_by("pk")[:most])
        OrmQ.objects.filter(pk__in=[row.pk for row in rows]).delete()
        payloads = [row.payload for row in rows]
    else:
        popped = (broker.connection.lpop(broker.list_key) for _ in range(most))
        payloads = [payload for payload in popped if payload]
    return [SignedPackage.loads(payload) for payload in payloads]


def queued_ids(broker) -> list[int]:
    return [task["args"][0] for task in take(broker, 10_000)]


def state(conn: Connection, **fields) -> None:
    SyncState.objects.update_or_create(connection=conn, defaults=fields)


@pytest.mark.django_db
def test_a_round_queues_only_connections_that_are_due(queue, settings):
    settings.CALENDLY = {"SYNC_INTERVAL_MINUTES": 15, "SYNC_MAX_PER_ORGANIZATION": 0}
    now = timezone.now()
    never = tenants.connection()
    stale = tenants.connection()
    state(stale, last_success_at=now - timedelta(minutes=16))
    recent = tenants.connection()
    state(recent, last_success_at=now - timedelta(minutes=14))
    running = tenants.connection()
    state(running, locked_until=now + timedelta(minutes=1))
    waiting = tenants.connection()
    state(waiting, queued_at=now - timedelta(minutes=5))
    lost = tenants.connection()
    state(lost, queued_at=now - timedelta(minutes=16))
    backing_off = tenants.connection()
    rate_limited = SyncRun.objects.create(
        connection=backing_off, status="rate_limited", retry_at=now + timedelta(seconds=40)
    )
    state(backing_off, run=rate_limited)
    inactive = tenants.connection()
    Connection.objects.filter(pk=inactive.pk).update(status=Connection.Status.NEEDS_REAUTH)

    assert tasks.sync_all_connections() == {"queued": 3, "running": 1}

    assert sorted(queued_ids(queue)) == sorted([never.pk, stale.pk, lost.pk])
    assert SyncState.objects.filter(queued_at__gte=now).count() == 3
    assert tasks.sync_all_connections() == {"queued": 0, "running": 1}, "queued, not started"


@pytest.mark.django_db
def test_a_round_takes_the_oldest_synced_first_up_to_its_size(queue, settings):
    settings.CALENDLY = {"SYNC_ROUND_SIZE": 3, "SYNC_MAX_PER_ORGANIZATION": 0}
    now = timezone.now()
    by_age = {}
    for minutes in (20, 60, 30, 40):
        by_age[minutes] = tenants.connection()
        state(by_age[minutes], last_success_at=now - timedelta(minutes=minutes))
    never = tenants.connection()

    first = scheduling.run_round()
    assert first.queued == [never.pk, by_age[60].pk, by_age[40].pk]
    assert first.due == 5 and first.size == 3

    assert scheduling.run_round().queued == [], "three wait in the queue: the round is full"
    take(queue, 2)
    for conn_id in (never.pk, by_age[60].pk):  # two workers took and finished theirs
        lease = Lease(conn_id)
        assert lease.acquire()
        lease.release(last_success_at=timezone.now())
    assert scheduling.run_round().queued == [by_age[30].pk, by_age[20].pk]


@pytest.mark.django_db
def test_the_default_round_size_follows_the_workers_and_the_interval(settings, monkeypatch):
    settings.CALENDLY = {"SYNC_INTERVAL_MINUTES": 15, "SYNC_ROUND_MINUTES": 1}
    monkeypatch.setattr(Conf, "WORKERS", 4)
    assert scheduling.round_size(1) == 8
    assert scheduling.round_size(200) == 14
    settings.CALENDLY = {"SYNC_ROUND_SIZE": 5}
    assert scheduling.round_size(200) == 5


@pytest.mark.django_db
def test_a_round_leaves_an_organization_at_its_cap_for_later(queue, settings):
    settings.CALENDLY = {"SYNC_MAX_PER_ORGANIZATION": 2, "SYNC_ROUND_SIZE": 10}
    acme, globex = tenants.organization("Acme"), tenants.organization("Globex")
    acme_conns = [tenants.connection(acme) for _ in range(4)]
    globex_conns = [tenants.connection(globex) for _ in range(2)]
    loners = [tenants.connection() for _ in range(3)]
    assert Lease(acme_conns[0].pk).acquire()

    plan = scheduling.run_round()

    assert plan.queued == [acme_conns[1].pk, *[c.pk for c in globex_conns], *[c.pk for c in loners]]
    assert plan.held_back == 2 and plan.running == 1


@pytest.mark.django_db
def test_the_lease_claim_refuses_a_sync_over_its_organizations_cap(settings):
    org = tenants.organization()
    first, second = tenants.connection(org), tenants.connection(org)
    loner = tenants.connection()

    held = Lease(first.pk)
    assert held.acquire(organization_uri=org.uri, organization_cap=1)
    refused = Lease(second.pk)
    with pytest.raises(OrganizationBusy):
        refused.acquire(organization_uri=org.uri, organization_cap=1)
    assert not refused.held
    assert not SyncState.objects.get(connection=second).locked_until, "the claim rolled back"
    assert Lease(loner.pk).acquire(organization_uri="", organization_cap=1)
    assert Lease(second.pk).acquire(), "the cap binds only the background task"

    held.release()
    SyncState.objects.filter(connection=second).update(locked_until=None, lock_token="")
    assert Lease(second.pk).acquire(organization_uri=org.uri, organization_cap=1)


@pytest.mark.django_db
def test_a_sync_task_over_the_cap_hands_itself_back_a_round_later(queue, settings):
    settings.CALENDLY = {"SYNC_MAX_PER_ORGANIZATION": 1, "SYNC_ROUND_MINUTES": 1}
    org = tenants.organization()
    running, deferred = tenants.connection(org), tenants.connection(org)
    assert Lease(running.pk).acquire()

    result = tasks.run_sync(deferred.pk, full=True)

    assert result["status"] == "deferred"
    assert not SyncRun.objects.exists(), "nothing ran, nothing recorded"
    schedule = Schedule.objects.get()
    assert schedule.func == queueing.RUN_SYNC and "'full': True" in schedule.kwargs
    assert 50 < (schedule.next_run - timezone.now()).total_seconds() <= 60
    assert SyncState.objects.get(connection=deferred).queued_at is not None
    assert scheduling.run_round().queued == [], "handed back counts as waiting"


@pytest.mark.django_db
def test_a_sync_waiting_for_the_rate_limit_reset_holds_no_slot_of_its_organization(queue, settings):
    """Calendly counts requests per user: while the owner waits for its reset, members sync."""
    settings.CALENDLY = {"SYNC_MAX_PER_ORGANIZATION": 1, "SYNC_ROUND_SIZE": 10}
    now = timezone.now()
    org = tenants.organization()
    owner, member = tenants.connection(org), tenants.connection(org)
    waiting = SyncRun.objects.create(
        connection=owner, status="rate_limited", retry_at=now + timedelta(seconds=40)
    )
    state(owner, run=waiting, queued_at=now)

    plan = scheduling.run_round()

    assert plan.queued == [member.pk]
    assert plan.waiting == 0 and plan.held_back == 0


@pytest.mark.django_db
def test_a_continuation_resumes_past_the_cap_and_a_new_sync_does_not(queue, settings):
    settings.CALENDLY = {"SYNC_MAX_PER_ORGANIZATION": 1}
    org = tenants.organization()
    member, owner = tenants.connection(org), tenants.connection(org)
    assert Lease(member.pk).acquire()

    assert tasks.run_sync(owner.pk)["status"] == "deferred"
    schedule = Schedule.objects.get()
    assert "resume" not in schedule.kwargs, "handed back: it asks for a slot again"
    resumed = tasks.run_sync(owner.pk, resume=True)

    assert resumed["status"] != "deferred"
    assert SyncRun.objects.filter(connection=owner).count() == 1


@pytest.mark.django_db
def test_a_connection_whose_continuation_is_pending_is_not_queued_afresh(queue, settings):
    """After Calendly's reset the continuation resumes the sync from its cursor; a fresh sync
    queued beside it would list again on top of that cursor (bench-fleet lost an event so)."""
    settings.CALENDLY = {"SYNC_INTERVAL_MINUTES": 2, "SYNC_MAX_PER_ORGANIZATION": 0}
    now = timezone.now()
    pending, overdue = tenants.connection(), tenants.connection()
    for conn, reset in (
        (pending, now - timedelta(seconds=30)),
        (overdue, now - timedelta(minutes=3)),
    ):
        run = SyncRun.objects.create(connection=conn, status="rate_limited", retry_at=reset)
        state(conn, run=run, queued_at=now - timedelta(minutes=3))

    assert scheduling.run_round().queued == [overdue.pk], "a lost continuation is not waited for"


@pytest.mark.django_db
def test_a_sync_that_ends_hands_its_slot_to_the_next_due_connection_of_its_organization(
    queue, settings
):
    settings.CALENDLY = {"SYNC_MAX_PER_ORGANIZATION": 1, "SYNC_ROUND_SIZE": 10}
    org = tenants.organization()
    first, second, third = (tenants.connection(org) for _ in range(3))
    elsewhere = tenants.connection()

    tasks.run_sync(first.pk)

    assert queued_ids(queue) == [second.pk], "one slot freed, the oldest due of the same org"
    assert SyncState.objects.get(connection=second).queued_at is not None
    assert not SyncState.objects.filter(connection__in=[third, elsewhere]).exclude(
        queued_at=None
    ), "the cap holds and other organizations wait for their round"


@pytest.mark.django_db
def test_of_two_schedulers_choosing_one_connection_only_one_queues_it(queue):
    connection_ = tenants.connection()
    now = timezone.now()

    assert scheduling.claim_queue_slot(connection_.pk, now)
    assert not scheduling.claim_queue_slot(connection_.pk, now)
    assert scheduling.claim_queue_slot(connection_.pk, now + timedelta(minutes=16)), "lost"


@pytest.mark.django_db
def test_two_hundred_connections_in_twenty_organizations(queue, settings, capsys):
    """The experiment: 45 simulated minutes of rounds and a fleet of four workers that finishes
    16 syncs a minute. Before, every round queued every active connection (200 at once, every
    15 minutes); now no round and no moment holds more than the round size, no organization runs
    more than its cap, and every connection is synced about once an interval."""
    settings.CALENDLY = {
        "SYNC_INTERVAL_MINUTES": 15,
        "SYNC_ROUND_MINUTES": 1,
        "SYNC_MAX_PER_ORGANIZATION": 2,
    }
    organizations = [tenants.organization(f"Org {n}") for n in range(20)]
    conns = [tenants.connection(org) for org in organizations for _ in range(10)]
    org_of = {c.pk: c.organization_uri for c in conns}
    size = scheduling.round_size(len(conns))
    start = timezone.now()
    synced: dict[int, list[datetime]] = defaultdict(list)
    per_round, depths, refused, peak_per_org = [], [], 0, 0

    first_round: list[int] = []
    for minute in range(45):
        now = start + timedelta(minutes=minute)
        plan = scheduling.run_round(now)
        first_round = first_round or plan.queued
        per_round.append(len(plan.queued))
        depths.append(queue.queue_size())
        leases = []
        for task in take(queue, 16):  # what four workers finish in a minute
            conn_id = task["args"][0]
            lease = Lease(conn_id)
            try:
                assert lease.acquire(organization_uri=org_of[conn_id], organization_cap=2)
            except OrganizationBusy:
                refused += 1
                continue
            leases.append(lease)
        held = Counter(org_of[lease.connection_id] for lease in leases)
        peak_per_org = max(peak_per_org, *held.values(), 0)
        for lease in leases:
            lease.release(last_success_at=now)
            synced[lease.connection_id].append(now)

    gaps = [b - a for times in synced.values() for a, b in itertools.pairwise(times)]
    print(
        f"\nround size {size}; queued per round: first {per_round[0]}, max {max(per_round)}; "
        f"peak queue depth {max(depths)}; syncs {sum(map(len, synced.values()))}; "
        f"refused at the claim {refused}; peak per organization {peak_per_org}; "
        f"longest gap {max(gaps)}"
    )
    assert size == 14
    assert max(per_round) <= size and max(depths) <= size
    assert peak_per_org <= 2 and refused == 0
    assert len(synced) == 200, "nobody starved"
    assert all(len(times) >= 2 for times in synced.values())
    assert max(gaps) <= timedelta(minutes=16)
    assert first_round == [conns[org * 10 + n].pk for org in range(7) for n in range(2)], (
        "never synced, lowest id first, two per organization"
    )


@pytest.mark.skipif(not ON_POSTGRES, reason="concurrent transactions need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_second_claimer_waits_for_the_first_and_then_counts_its_lease():
    """Without the organization's row locks the second claim would count before the first
    commits (READ COMMITTED) and both would run: cap 1, two syncs."""
    org = tenants.organization()
    first, second = tenants.connection(org), tenants.connection(org)
    outcome: dict[str, object] = {}

    def claim_second():
        try:
            outcome["second"] = Lease(second.pk).acquire(
                organization_uri=org.uri, organization_cap=1
            )
        except OrganizationBusy as exc:
            outcome["second"] = exc
        finally:
            close_old_connections()

    SyncState.objects.create(connection=second)
    with transaction.atomic():
        assert Lease(first.pk).acquire(organization_uri=org.uri, organization_cap=1)
        thread = threading.Thread(target=claim_second)
        thread.start()
        wait_until_a_query_waits_for_a_lock()
    thread.join(30)

    assert isinstance(outcome["second"], OrganizationBusy)
    assert SyncState.objects.filter(locked_until__isnull=False).count() == 1


def wait_until_a_query_waits_for_a_lock() -> None:
    """Poll PostgreSQL until another session of this database waits on a row lock."""
    with connection.cursor() as cursor:
        for _ in range(2000):
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # else fixed for the transaction
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
            cursor.execute("SELECT pg_sleep(0.01)")
    raise AssertionError("the second claim never waited for the first")


@pytest.mark.skipif(not ON_POSTGRES, reason="concurrent transactions need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_eight_workers_racing_in_one_organization_run_at_most_its_cap():
    org = tenants.organization()
    conns = [tenants.connection(org) for _ in range(8)]
    for conn in conns:
        SyncState.objects.create(connection=conn)
    barrier = threading.Barrier(8)
    outcomes: list[object] = []

    def race(conn_id: int):
        try:
            barrier.wait(10)
            outcomes.append(Lease(conn_id).acquire(organization_uri=org.uri, organization_cap=2))
        except OrganizationBusy as exc:
            outcomes.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=race, args=(c.pk,)) for c in conns]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert outcomes.count(True) == 2
    assert sum(isinstance(o, OrganizationBusy) for o in outcomes) == 6
    assert SyncState.objects.filter(locked_until__isnull=False).count() == 2
