"""The django-q2 tasks: syncing, rescheduling on rate limits, fan-out, token checks, pruning."""

import io
import itertools
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import Schedule

from calendly_integration import queueing, tasks
from calendly_integration.models import Connection, SyncRun, SyncState
from tests.sync.helpers import db_event_uris, sim_event_uris

pytestmark = pytest.mark.django_db


def test_the_sync_task_syncs_and_returns_a_summary(sim, owner_connection):
    result = tasks.run_sync(owner_connection.pk)

    assert result["status"] == "succeeded"
    assert result["created"] > 0 and result["http_requests"] > 0
    assert SyncRun.objects.get().pk == result["run"]
    assert not Schedule.objects.exists()


def test_a_rate_limited_sync_reschedules_itself_for_the_reset(sim, owner_connection):
    sim.faults.rate_limit_next(1, retry_after=45)

    result = tasks.run_sync(owner_connection.pk, full=True)

    assert result["status"] == "rate_limited"
    schedule = Schedule.objects.get()
    assert schedule.func == queueing.RUN_SYNC
    assert schedule.schedule_type == Schedule.ONCE
    assert schedule.args == f"({owner_connection.pk},)"
    assert "'full': True" in schedule.kwargs
    wait = (schedule.next_run - timezone.now()).total_seconds()
    assert 35 < wait <= 46

    sim.faults.rate_limit_next(1, retry_after=90)
    tasks.run_sync(owner_connection.pk, full=True)
    assert Schedule.objects.count() == 1, "one continuation per connection, moved"
    assert (Schedule.objects.get().next_run - timezone.now()).total_seconds() > 80

    assert tasks.run_sync(owner_connection.pk, full=True)["status"] == "succeeded"
    assert db_event_uris() == sim_event_uris(sim)


def test_a_sync_that_reaches_its_time_limit_queues_its_continuation(
    sim, owner_connection, settings
):
    settings.CALENDLY = {**settings.CALENDLY, "SYNC_TASK_TIME_LIMIT": 1e-9}

    result = tasks.run_sync(owner_connection.pk, full=True)

    assert result["status"] == "partial"
    schedule = Schedule.objects.get()
    assert abs((schedule.next_run - timezone.now()).total_seconds()) < 5
    for _ in range(30):
        if tasks.run_sync(owner_connection.pk, full=True)["status"] == "succeeded":
            break
    assert db_event_uris() == sim_event_uris(sim)


def test_a_sync_task_for_a_deleted_connection_does_nothing(db):
    assert tasks.run_sync(12345) == {"connection": 12345, "status": "missing"}


def test_sync_all_queues_one_sync_per_active_connection(sim, connect, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", True)  # django-q2 runs queued tasks in-process
    owner = connect()
    member = connect(sim.members[0])
    stale = connect(sim.members[1])
    Connection.objects.filter(pk=stale.pk).update(status=Connection.Status.NEEDS_REAUTH)

    assert tasks.sync_all_connections() == {"queued": 2, "running": 0}

    assert set(SyncRun.objects.values_list("connection_id", "status")) == {
        (owner.pk, "succeeded"),
        (member.pk, "succeeded"),
    }


def test_sync_all_leaves_out_connections_being_synced(sim, connect, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", True)
    busy = connect()
    SyncState.objects.create(connection=busy, locked_until=timezone.now() + timedelta(minutes=1))

    assert tasks.sync_all_connections() == {"queued": 0, "running": 1}


def test_the_token_check_finds_revoked_tokens(sim, connect):
    good = connect()
    revoked = connect(sim.members[0])
    sim.revoke_token(revoked.access_token)

    assert tasks.check_token_health() == {
        "ok": 1,
        "needs_reauth": 1,
        "errors": 0,
        "rate_limited": 0,
    }

    revoked.refresh_from_db()
    good.refresh_from_db()
    assert revoked.status == Connection.Status.NEEDS_REAUTH
    assert good.status == Connection.Status.ACTIVE


def test_a_rate_limited_token_check_checks_the_rest_when_calendlys_window_resets(sim, connect):
    first = connect()
    second = connect(sim.members[0])
    sim.faults.rate_limit_next(1, retry_after=45)

    result = tasks.check_token_health()

    assert result == {"ok": 0, "needs_reauth": 0, "errors": 0, "rate_limited": 2}
    schedule = Schedule.objects.get()
    assert schedule.func == queueing.CHECK_TOKENS
    assert schedule.args == repr(([first.pk, second.pk],))
    assert 35 < (schedule.next_run - timezone.now()).total_seconds() <= 46

    assert tasks.check_token_health([first.pk, second.pk]) == {
        "ok": 2,
        "needs_reauth": 0,
        "errors": 0,
        "rate_limited": 0,
    }


def test_old_sync_runs_are_pruned(owner_connection, settings):
    settings.CALENDLY = {"SYNC_RUN_RETENTION_DAYS": 30}
    old = timezone.now() - timedelta(days=31)
    SyncRun.objects.create(connection=owner_connection, status="succeeded", started_at=old)
    SyncRun.objects.create(connection=owner_connection, status="running", started_at=old)
    recent = SyncRun.objects.create(connection=owner_connection, status="failed")

    assert tasks.prune_sync_runs() == 1
    assert set(SyncRun.objects.values_list("status", flat=True)) == {"running", "failed"}
    assert SyncRun.objects.filter(pk=recent.pk).exists()


def test_setting_up_schedules_is_idempotent(db, settings, capsys):
    settings.CALENDLY = {"SYNC_ROUND_MINUTES": 1}

    ours = (tasks.SYNC_ALL_SCHEDULE, tasks.TOKEN_CHECK_SCHEDULE, tasks.PRUNE_SCHEDULE)
    call_command("calendly_setup_schedules")
    first = {
        s.name: (s.func, s.schedule_type, s.minutes) for s in Schedule.objects.filter(name__in=ours)
    }
    total = Schedule.objects.count()
    call_command("calendly_setup_schedules")
    settings.CALENDLY = {"SYNC_ROUND_MINUTES": 5}
    call_command("calendly_setup_schedules")

    assert first == {
        tasks.SYNC_ALL_SCHEDULE: (queueing.SYNC_ALL, Schedule.MINUTES, 1),
        tasks.TOKEN_CHECK_SCHEDULE: (queueing.CHECK_TOKENS, Schedule.MINUTES, 60),
        tasks.PRUNE_SCHEDULE: (queueing.PRUNE_SYNC_RUNS, Schedule.DAILY, None),
    }
    assert Schedule.objects.count() == total
    assert Schedule.objects.filter(name__in=ours).count() == 3
    assert Schedule.objects.get(name=tasks.SYNC_ALL_SCHEDULE).minutes == 5
    output = capsys.readouterr().out
    assert "created" in output and "up to date" in output


def test_new_schedules_start_apart_so_their_first_runs_share_no_rate_limit_window(db):
    call_command("calendly_setup_schedules", stdout=io.StringIO())
    first = {s.name: s.next_run for s in Schedule.objects.all()}
    sync_all = first[tasks.SYNC_ALL_SCHEDULE]
    calling_calendly = [
        first[tasks.SYNC_ALL_SCHEDULE],
        first[tasks.TOKEN_CHECK_SCHEDULE],
        first[tasks.CHECK_WEBHOOKS_SCHEDULE],
    ]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(calling_calendly)]
    assert all(gap >= 60 for gap in gaps), gaps
    assert first[tasks.RETRY_WEBHOOKS_SCHEDULE] > sync_all

    call_command("calendly_setup_schedules", stdout=io.StringIO())
    assert {s.name: s.next_run for s in Schedule.objects.all()} == first, "existing ones stay"


def test_the_queue_is_configured_so_a_sync_never_runs_twice(settings):
    """django-q2 re-queues a task after ``retry`` seconds; a sync stops itself well before
    ``timeout``, which is shorter than ``retry``."""
    from calendly_integration.conf import calendly_settings

    assert settings.Q_CLUSTER["timeout"] > calendly_settings.SYNC_TASK_TIME_LIMIT
    assert settings.Q_CLUSTER["timeout"] < settings.Q_CLUSTER["retry"]
    assert settings.Q_CLUSTER["retry"] > calendly_settings.SYNC_LOCK_SECONDS
