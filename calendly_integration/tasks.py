"""django-q2 tasks and their schedules.

Tasks are plain functions taking ids, so they pickle small and a retried task re-reads the
database. They take their own locks (a sync holds its connection's lease), so a task that django-q2
runs twice, or a schedule that fires while the last run is still going, does no harm: the second
sync of a connection exits at once.

Queue settings that go with them (``Q_CLUSTER``): ``timeout`` above ``SYNC_TASK_TIME_LIMIT`` (a
sync stops by itself at a page boundary before django-q2 would kill it, and queues its own
continuation), and ``retry`` above ``timeout`` (django-q2 re-queues a task not acknowledged
within ``retry`` seconds; a smaller value would start a second copy of a sync still running).
The demo uses ``timeout`` 600 and ``retry`` 720 with the default limit of 480 seconds.

A rate limit is never slept through: the sync stops with status ``rate_limited`` and a one-off
schedule runs it again when Calendly's window resets, resuming from the last committed page.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django_q.models import Schedule

from calendly_integration.client import CalendlyError
from calendly_integration.conf import calendly_settings
from calendly_integration.models import Connection, SyncRun, SyncState
from calendly_integration.oauth.errors import ConnectionUnusable
from calendly_integration.oauth.tokens import client_for_connection
from calendly_integration.sync import engine

logger = logging.getLogger(__name__)

SYNC_TASK = "calendly_integration.tasks.sync_connection"
SYNC_ALL_TASK = "calendly_integration.tasks.sync_all_connections"
TOKEN_CHECK_TASK = "calendly_integration.tasks.check_token_health"
PRUNE_TASK = "calendly_integration.tasks.prune_sync_runs"

SYNC_ALL_SCHEDULE = "calendly: sync all connections"
TOKEN_CHECK_SCHEDULE = "calendly: check token health"
PRUNE_SCHEDULE = "calendly: prune sync runs"


def sync_connection(connection_id: int, full: bool = False) -> dict[str, Any]:
    """Sync one connection (within ``SYNC_TASK_TIME_LIMIT``); continue later if it had to stop.

    Returns a summary of the ``SyncRun`` (django-q2 stores it as the task's result).
    """
    if not Connection.objects.filter(pk=connection_id).exists():
        logger.info("Calendly connection %s no longer exists; nothing to sync", connection_id)
        return {"connection": connection_id, "status": "missing"}
    run = engine.sync_connection(
        connection_id, full=full, time_limit=calendly_settings.SYNC_TASK_TIME_LIMIT
    )
    if run.status == SyncRun.Status.RATE_LIMITED:
        schedule_sync(connection_id, full=full, at=run.retry_at)
    elif run.status == SyncRun.Status.PARTIAL:
        schedule_sync(connection_id, full=full, at=timezone.now())
    return summary(run)


def sync_all_connections() -> dict[str, int]:
    """Queue a sync of every active connection (one task each, so workers share them).

    A connection whose sync is running right now is left out rather than queued behind itself.
    """
    from django_q.tasks import async_task

    now = timezone.now()
    busy = set(
        SyncState.objects.filter(locked_until__gt=now).values_list("connection_id", flat=True)
    )
    queued = 0
    for connection_id in Connection.objects.active().values_list("pk", flat=True):
        if connection_id in busy:
            continue
        async_task(SYNC_TASK, connection_id, task_name=f"calendly-sync-{connection_id}")
        queued += 1
    logger.info("Queued %s Calendly syncs (%s already running)", queued, len(busy))
    return {"queued": queued, "running": len(busy)}


def check_token_health() -> dict[str, int]:
    """Refresh every active connection's token if it is due, and check it with ``/users/me``.

    A token Calendly refuses marks its connection ``needs_reauth`` (and tells its owner, through
    the ``connection_needs_reauth`` signal) before a user or a sync runs into it.
    """
    result = {"ok": 0, "needs_reauth": 0, "errors": 0}
    for connection in Connection.objects.active():
        client = client_for_connection(connection)
        try:
            client.get_current_user()
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


def prune_sync_runs(days: int | None = None) -> int:
    """Delete finished sync runs older than ``SYNC_RUN_RETENTION_DAYS``; returns how many."""
    days = calendly_settings.SYNC_RUN_RETENTION_DAYS if days is None else days
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = SyncRun.objects.finished().filter(started_at__lt=cutoff).delete()
    logger.info("Pruned %s Calendly sync runs older than %s days", deleted, days)
    return deleted


def schedule_sync(
    connection_id: int, *, full: bool = False, at: datetime | None = None
) -> Schedule:
    """A one-off schedule that syncs ``connection_id`` at ``at`` (one per connection: a newer
    request moves it instead of adding another)."""
    schedule, _ = Schedule.objects.update_or_create(
        name=f"calendly: continue sync of connection {connection_id}",
        defaults={
            "func": SYNC_TASK,
            "args": repr((connection_id,)),
            "kwargs": repr({"full": full}),
            "schedule_type": Schedule.ONCE,
            "repeats": -1,
            "next_run": at or timezone.now(),
        },
    )
    return schedule


def ensure_schedules() -> list[tuple[Schedule, bool]]:
    """Create or update the sync schedules (idempotent); returns (schedule, created) pairs."""
    wanted = (
        (
            SYNC_ALL_SCHEDULE,
            SYNC_ALL_TASK,
            Schedule.MINUTES,
            calendly_settings.SYNC_INTERVAL_MINUTES,
        ),
        (
            TOKEN_CHECK_SCHEDULE,
            TOKEN_CHECK_TASK,
            Schedule.MINUTES,
            calendly_settings.TOKEN_CHECK_INTERVAL_MINUTES,
        ),
        (PRUNE_SCHEDULE, PRUNE_TASK, Schedule.DAILY, None),
    )
    return _ensure_periodic(wanted)


def _ensure_periodic(
    wanted: tuple[tuple[str, str, str, int | None], ...],
) -> list[tuple[Schedule, bool]]:
    """One schedule per name, updated in place; stray duplicates of a name are removed."""
    results = []
    for name, func, schedule_type, minutes in wanted:
        schedule = Schedule.objects.filter(name=name).order_by("pk").first()
        created = schedule is None
        if created:
            schedule = Schedule(name=name, next_run=timezone.now())
        schedule.func = func
        schedule.schedule_type = schedule_type
        schedule.minutes = minutes
        schedule.repeats = -1
        schedule.save()
        Schedule.objects.filter(name=name).exclude(pk=schedule.pk).delete()
        results.append((schedule, created))
    return results


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


# Webhooks (issue 6): processing deliveries, retrying failed ones, keeping subscriptions alive,
# pruning the delivery log, and Slack notifications. The work lives in ``webhooks/``; these are
# the task entry points django-q2 runs by dotted path.

PROCESS_WEBHOOK_TASK = "calendly_integration.tasks.process_webhook_delivery"
RETRY_WEBHOOKS_TASK = "calendly_integration.tasks.retry_failed_webhook_deliveries"
CHECK_WEBHOOKS_TASK = "calendly_integration.tasks.check_webhook_subscriptions"
PRUNE_WEBHOOKS_TASK = "calendly_integration.tasks.prune_webhook_deliveries"

RETRY_WEBHOOKS_SCHEDULE = "calendly: retry failed webhook deliveries"
CHECK_WEBHOOKS_SCHEDULE = "calendly: check webhook subscriptions"
PRUNE_WEBHOOKS_SCHEDULE = "calendly: prune webhook deliveries"


def process_webhook_delivery(delivery_id: int, force: bool = False) -> str:
    """Process one stored webhook delivery (rows, then signals); returns its new status."""
    from calendly_integration.webhooks.processing import process_delivery

    return process_delivery(delivery_id, force=force)


def drain_webhook_deliveries(not_before: float = 0.0) -> int:
    """Process the deliveries received and not yet tried (the receiver queues this, debounced)."""
    from calendly_integration.webhooks.drain import drain_received_deliveries

    return drain_received_deliveries(not_before)


def retry_failed_webhook_deliveries() -> int:
    """Queue failed deliveries whose backoff has passed (and any lost in the queue)."""
    from calendly_integration.webhooks.processing import retry_failed_deliveries

    return retry_failed_deliveries()


def ensure_webhook_subscriptions(connection_id: int) -> list[str]:
    """Create, check or heal one connection's webhook subscriptions; returns their URIs.

    Subscriptions staff deleted on purpose stay deleted (see ``pause_subscriptions``).
    """
    from calendly_integration.webhooks.subscriptions import ensure_subscriptions

    if not Connection.objects.active().filter(pk=connection_id).exists():
        return []
    return [s.uri or "" for s in ensure_subscriptions(connection_id, automatic=True)]


def check_webhook_subscriptions() -> int:
    """Queue a check of every active connection's webhook subscriptions."""
    from calendly_integration.webhooks.subscriptions import check_all_subscriptions

    return check_all_subscriptions()


def prune_webhook_deliveries(days: int | None = None) -> int:
    """Delete webhook deliveries older than ``DELIVERY_RETENTION_DAYS``; returns how many."""
    from calendly_integration.webhooks.retention import prune_deliveries

    return prune_deliveries(days)


def post_slack_notification(invitee_id: int, kind: str) -> int | None:
    """Post a booking or cancellation to ``SLACK_WEBHOOK_URL``."""
    from calendly_integration.webhooks.slack import post_notification

    return post_notification(invitee_id, kind)


def ensure_webhook_schedules() -> list[tuple[Schedule, bool]]:
    """The webhook schedules: retry failed deliveries, check subscriptions, prune old deliveries."""
    wanted = (
        (RETRY_WEBHOOKS_SCHEDULE, RETRY_WEBHOOKS_TASK, Schedule.MINUTES, 1),
        (
            CHECK_WEBHOOKS_SCHEDULE,
            CHECK_WEBHOOKS_TASK,
            Schedule.MINUTES,
            calendly_settings.WEBHOOK_CHECK_INTERVAL_MINUTES,
        ),
        (PRUNE_WEBHOOKS_SCHEDULE, PRUNE_WEBHOOKS_TASK, Schedule.DAILY, None),
    )
    return _ensure_periodic(wanted)
