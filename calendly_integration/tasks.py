"""django-q2 tasks and their schedules.

Tasks are plain functions taking ids, so they pickle small and a retried task re-reads the
database. They are named once, by dotted path, in ``queueing`` (which also queues them); the work
itself lives in ``sync`` and ``webhooks``, which these entry points call. They take their own
locks (a sync holds its connection's lease), so a task that django-q2 runs twice, or a schedule
that fires while the last run is still going, does no harm: the second sync of a connection exits
at once.

Queue settings that go with them (``Q_CLUSTER``): ``timeout`` above ``SYNC_TASK_TIME_LIMIT`` (a
sync stops by itself at a page boundary before django-q2 would kill it, and queues its own
continuation), and ``retry`` above ``timeout`` (django-q2 re-queues a task not acknowledged
within ``retry`` seconds; a smaller value would start a second copy of a sync still running).
The demo uses ``timeout`` 600 and ``retry`` 720 with the default limit of 480 seconds.

A rate limit is never slept through: every task that Calendly's 429 stops (``RateLimited``, which
carries the wait) runs again from a one-off schedule when Calendly's window resets
(``reschedules_when_rate_limited``); a sync stops with status ``rate_limited`` and resumes from the
last committed page. The periodic schedules start a few minutes apart, so on a new site the token
check and the webhook check do not meet the first syncs in the same rate-limit window.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any, ParamSpec, TypeVar

from django.utils import timezone
from django_q.models import Schedule

from calendly_integration import queueing
from calendly_integration.client import CalendlyError, RateLimited
from calendly_integration.conf import calendly_settings
from calendly_integration.exceptions import ConnectionUnusable
from calendly_integration.models import Connection, SyncRun
from calendly_integration.oauth.tokens import client_for_connection
from calendly_integration.sync import engine, scheduling
from calendly_integration.sync.lease import OrganizationBusy
from calendly_integration.webhooks import drain, processing, retention, slack, subscriptions

logger = logging.getLogger(__name__)

SYNC_ALL_SCHEDULE = "calendly: sync all connections"
TOKEN_CHECK_SCHEDULE = "calendly: check token health"
PRUNE_SCHEDULE = "calendly: prune sync runs"
RETRY_WEBHOOKS_SCHEDULE = "calendly: retry failed webhook deliveries"
CHECK_WEBHOOKS_SCHEDULE = "calendly: check webhook subscriptions"
PRUNE_WEBHOOKS_SCHEDULE = "calendly: prune webhook deliveries"

P = ParamSpec("P")
R = TypeVar("R")


def reschedules_when_rate_limited(task: Callable[P, R]) -> Callable[P, R | dict[str, Any]]:
    """Run the task again when Calendly's window resets if its rate limit stops the task.

    The client waits out a short 429 itself (``RATE_LIMIT_MAX_WAIT``) and raises ``RateLimited``
    for a longer one; holding a worker asleep that long would starve the queue, so the task ends
    (its result says when it runs again) and a one-off schedule repeats it with the same
    arguments.
    """
    path = f"{task.__module__}.{task.__name__}"

    @functools.wraps(task)
    def run(*args: P.args, **kwargs: P.kwargs) -> R | dict[str, Any]:
        try:
            return task(*args, **kwargs)
        except RateLimited as exc:
            schedule = queueing.retry_later(path, *args, after=exc.retry_after, **kwargs)
            logger.warning(
                "Calendly's rate limit stopped %s%r; it runs again at %s",
                task.__name__,
                args,
                schedule.next_run.isoformat(timespec="seconds"),
            )
            return {"status": "rate_limited", "retry_at": schedule.next_run.isoformat()}

    return run


# Sync.


@reschedules_when_rate_limited
def run_sync(connection_id: int, full: bool = False, resume: bool = False) -> dict[str, Any]:
    """Sync one connection (within ``SYNC_TASK_TIME_LIMIT``); continue later if it had to stop.

    A new sync starts only within ``SYNC_MAX_PER_ORGANIZATION``; a continuation (``resume``) of
    one that Calendly's rate limit or the time limit stopped goes on without asking again: it
    was let in already, and making the busiest user of an organization queue behind its members
    would stretch the whole organization's sync (measured by ``make bench-fleet``).

    Returns a summary of the ``SyncRun`` (django-q2 stores it as the task's result).
    """
    if not Connection.objects.filter(pk=connection_id).exists():
        logger.info("Calendly connection %s no longer exists; nothing to sync", connection_id)
        return {"connection": connection_id, "status": "missing"}
    try:
        run = engine.sync_connection(
            connection_id,
            full=full,
            time_limit=calendly_settings.SYNC_TASK_TIME_LIMIT,
            organization_cap=0 if resume else int(calendly_settings.SYNC_MAX_PER_ORGANIZATION or 0),
        )
    except OrganizationBusy as exc:
        at = scheduling.hand_back(connection_id, full=full)
        logger.info("%s It runs again at %s", exc, at.isoformat(timespec="seconds"))
        return {"connection": connection_id, "status": "deferred", "retry_at": at.isoformat()}
    if run.status == SyncRun.Status.RATE_LIMITED:
        queueing.schedule_sync(
            connection_id, full=full, at=run.retry_at or timezone.now(), resume=True
        )
        scheduling.mark_queued([connection_id])
    elif run.status == SyncRun.Status.PARTIAL:
        queueing.schedule_sync(connection_id, full=full, at=timezone.now(), resume=True)
        scheduling.mark_queued([connection_id])
    if run.status != SyncRun.Status.PARTIAL:
        scheduling.refill(run.connection.organization_uri, after=connection_id)
    return summary(run)


@reschedules_when_rate_limited
def sync_all_connections() -> dict[str, int]:
    """One scheduler round (every ``SYNC_ROUND_MINUTES``): queue the connections that are due,
    oldest-synced first, keeping at most ``SYNC_ROUND_SIZE`` waiting and an organization's
    syncs within ``SYNC_MAX_PER_ORGANIZATION`` (``sync.scheduling`` says why).

    Returns how many it queued and how many syncs were running.
    """
    plan = scheduling.run_round()
    logger.info(
        "Queued %s of %s due Calendly syncs (%s running, %s waiting, %s held back by the "
        "organization cap, round size %s)",
        len(plan.queued),
        plan.due,
        plan.running,
        plan.waiting,
        plan.held_back,
        plan.size,
    )
    return {"queued": len(plan.queued), "running": plan.running}


@reschedules_when_rate_limited
def check_token_health(connection_ids: list[int] | None = None) -> dict[str, int]:
    """Refresh active connections' tokens if they are due, and check each with ``/users/me``.

    A token Calendly refuses marks its connection ``needs_reauth`` (and tells its owner, through
    the ``connection_needs_reauth`` signal) before a user or a sync runs into it. Calendly's rate
    limit stops the round: the connections not yet checked are checked when it resets
    (``connection_ids`` names them; ``None`` is every active connection).
    """
    connections = Connection.objects.active().order_by("pk")
    if connection_ids is not None:
        connections = connections.filter(pk__in=connection_ids)
    pending = list(connections)
    result = {"ok": 0, "needs_reauth": 0, "errors": 0, "rate_limited": 0}
    for index, connection in enumerate(pending):
        client = client_for_connection(connection)
        try:
            client.get_current_user()
        except RateLimited as exc:
            rest = [c.pk for c in pending[index:]]
            queueing.retry_later(queueing.CHECK_TOKENS, rest, after=exc.retry_after)
            result["rate_limited"] = len(rest)
            break
        except ConnectionUnusable:
            result["needs_reauth"] += 1
        except CalendlyError as exc:
            logger.warning("Token check of Calendly connection %s failed: %s", connection.pk, exc)
            result["errors"] += 1
        else:
            result["ok"] += 1
        finally:
            client.close()
    return result


@reschedules_when_rate_limited
def prune_sync_runs(days: int | None = None) -> int:
    """Delete finished sync runs older than ``SYNC_RUN_RETENTION_DAYS``; returns how many."""
    days = calendly_settings.SYNC_RUN_RETENTION_DAYS if days is None else days
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = SyncRun.objects.finished().filter(started_at__lt=cutoff).delete()
    logger.info("Pruned %s Calendly sync runs older than %s days", deleted, days)
    return deleted


def summary(run: SyncRun) -> dict[str, Any]:
    return {
        "run": run.pk,
        "connection": run.connection_id,
        "status": run.status,
        "created": run.created,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "removed": run.removed,
        "http_requests": run.http_requests,
        "seconds": round(run.duration.total_seconds(), 3) if run.duration else None,
        "error": run.error,
        "retry_at": run.retry_at.isoformat() if run.retry_at else None,
    }


# Webhooks: processing deliveries, retrying failed ones, keeping subscriptions alive, pruning the
# delivery log, and Slack notifications.


@reschedules_when_rate_limited
def process_webhook_delivery(delivery_id: int, force: bool = False) -> str:
    """Process one stored webhook delivery (rows, then signals); returns its new status.

    A failure, a rate limit included, marks the delivery failed; the retry sweep tries again
    after ``WEBHOOK_RETRY_DELAY`` (doubling), which outlasts Calendly's one-minute window.
    """
    return processing.process_delivery(delivery_id, force=force)


@reschedules_when_rate_limited
def drain_webhook_deliveries(not_before: float = 0.0) -> int:
    """Process the deliveries received and not yet tried (the receiver queues this, debounced)."""
    return drain.drain_received_deliveries(not_before)


@reschedules_when_rate_limited
def retry_failed_webhook_deliveries() -> int:
    """Queue failed deliveries whose backoff has passed (and any lost in the queue)."""
    return processing.retry_failed_deliveries()


@reschedules_when_rate_limited
def ensure_webhook_subscriptions(connection_id: int) -> list[str]:
    """Create, check or heal one connection's webhook subscriptions; returns their URIs.

    Subscriptions staff deleted on purpose stay deleted (see ``pause_subscriptions``).
    """
    if not Connection.objects.active().filter(pk=connection_id).exists():
        return []
    ensured = subscriptions.ensure_subscriptions(connection_id, automatic=True)
    return [s.uri or "" for s in ensured]


@reschedules_when_rate_limited
def check_webhook_subscriptions() -> int:
    """Queue a check of every active connection's webhook subscriptions."""
    return subscriptions.check_all_subscriptions()


@reschedules_when_rate_limited
def prune_webhook_deliveries(days: int | None = None) -> int:
    """Delete webhook deliveries older than ``DELIVERY_RETENTION_DAYS``; returns how many."""
    return retention.prune_deliveries(days)


@reschedules_when_rate_limited
def post_slack_notification(invitee_id: int, kind: str) -> int | None:
    """Post a booking or cancellation to ``SLACK_WEBHOOK_URL``."""
    return slack.post_notification(invitee_id, kind)


# Schedules.

#: (name, task, schedule type, minutes, first run this long after the schedule is created).
Periodic = tuple[str, str, str, int | None, timedelta]


def ensure_schedules() -> list[tuple[Schedule, bool]]:
    """Create or update the sync schedules (idempotent); returns (schedule, created) pairs."""
    wanted: tuple[Periodic, ...] = (
        (
            SYNC_ALL_SCHEDULE,
            queueing.SYNC_ALL,
            Schedule.MINUTES,
            int(calendly_settings.SYNC_ROUND_MINUTES),
            timedelta(0),
        ),
        (
            TOKEN_CHECK_SCHEDULE,
            queueing.CHECK_TOKENS,
            Schedule.MINUTES,
            calendly_settings.TOKEN_CHECK_INTERVAL_MINUTES,
            timedelta(minutes=5),
        ),
        (PRUNE_SCHEDULE, queueing.PRUNE_SYNC_RUNS, Schedule.DAILY, None, timedelta(minutes=30)),
    )
    return _ensure_periodic(wanted)


def ensure_webhook_schedules() -> list[tuple[Schedule, bool]]:
    """The webhook schedules: retry failed deliveries, check subscriptions, prune old deliveries."""
    wanted: tuple[Periodic, ...] = (
        (
            RETRY_WEBHOOKS_SCHEDULE,
            queueing.RETRY_DELIVERIES,
            Schedule.MINUTES,
            1,
            timedelta(minutes=1),
        ),
        (
            CHECK_WEBHOOKS_SCHEDULE,
            queueing.CHECK_WEBHOOKS,
            Schedule.MINUTES,
            calendly_settings.WEBHOOK_CHECK_INTERVAL_MINUTES,
            timedelta(minutes=10),
        ),
        (
            PRUNE_WEBHOOKS_SCHEDULE,
            queueing.PRUNE_DELIVERIES,
            Schedule.DAILY,
            None,
            timedelta(minutes=35),
        ),
    )
    return _ensure_periodic(wanted)


def _ensure_periodic(wanted: tuple[Periodic, ...]) -> list[tuple[Schedule, bool]]:
    """One schedule per name, updated in place; stray duplicates of a name are removed.

    A new schedule first runs ``first_run_after`` from now, so schedules made together start
    apart; an existing one keeps its next run.
    """
    results = []
    now = timezone.now()
    for name, func, schedule_type, minutes, first_run_after in wanted:
        schedule = Schedule.objects.filter(name=name).order_by("pk").first()
        created = schedule is None
        if created:
            schedule = Schedule(name=name, next_run=now + first_run_after)
        schedule.func = func
        schedule.schedule_type = schedule_type
        schedule.minutes = minutes
        schedule.repeats = -1
        schedule.save()
        Schedule.objects.filter(name=name).exclude(pk=schedule.pk).delete()
        results.append((schedule, created))
    return results
