"""Queueing the app's background work: every task's name, and one helper per kind of work.

Each task is named here once, by the dotted path django-q2 stores (so a worker on another
machine imports it), and queued through a named helper with the same task name and group
wherever the work comes from: a sync is ``calendly-sync-<connection id>`` in group
``calendly-sync``; webhook work is in group ``calendly-webhooks``, Slack posts in
``calendly-slack``.

One switch runs every task in the calling process instead of on a worker: django-q2's own
``Q_CLUSTER["sync"]`` (handy in development and tests, where no cluster runs, at the cost of the
caller waiting). The helpers then pass ``sync=True`` to ``async_task``, so django-q2 runs the task
as a worker would and records its result. ``CALENDLY["WEBHOOK_PROCESS_INLINE"]`` is a deprecated
alias of that switch. A task that fails inline is logged, not raised: a webhook answer, a signal
receiver or an admin action must not fail because background work did, as they would not with a
cluster. (django-q2 reads ``Q_CLUSTER`` once, at import: tests set ``Conf.SYNC`` instead.)

This module sits below everything else of ours (it imports only django-q2, the settings and the
standard library), so the sync, the webhooks and the services queue work without importing
``tasks``, which imports them.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from calendly_integration.conf import calendly_settings

if TYPE_CHECKING:
    from django_q.models import Schedule

logger = logging.getLogger(__name__)

_TASKS = "calendly_integration.tasks."
#: Sync one connection: ``(connection_id, full=False)``.
RUN_SYNC = _TASKS + "run_sync"
#: Queue a sync of every active connection.
SYNC_ALL = _TASKS + "sync_all_connections"
#: Refresh and check the tokens of active connections: ``(connection_ids=None)``.
CHECK_TOKENS = _TASKS + "check_token_health"
#: Delete old sync runs: ``(days=None)``.
PRUNE_SYNC_RUNS = _TASKS + "prune_sync_runs"
#: Process one stored webhook delivery: ``(delivery_id, force=False)``.
PROCESS_DELIVERY = _TASKS + "process_webhook_delivery"
#: Process every delivery received and not yet tried: ``(not_before=0.0)``.
DRAIN_DELIVERIES = _TASKS + "drain_webhook_deliveries"
#: Queue failed deliveries whose backoff has passed.
RETRY_DELIVERIES = _TASKS + "retry_failed_webhook_deliveries"
#: Create, check or heal one connection's webhook subscriptions: ``(connection_id)``.
ENSURE_WEBHOOKS = _TASKS + "ensure_webhook_subscriptions"
#: Queue ``ENSURE_WEBHOOKS`` for every active connection.
CHECK_WEBHOOKS = _TASKS + "check_webhook_subscriptions"
#: Delete old webhook deliveries: ``(days=None)``.
PRUNE_DELIVERIES = _TASKS + "prune_webhook_deliveries"
#: Post a booking or cancellation to Slack: ``(invitee_id, kind)``.
POST_SLACK = _TASKS + "post_slack_notification"

SYNC_GROUP = "calendly-sync"
WEBHOOKS_GROUP = "calendly-webhooks"
SLACK_GROUP = "calendly-slack"

_broker: Any = None
_broker_lock = threading.Lock()


def runs_inline() -> bool:
    """Whether tasks run in the calling process: ``Q_CLUSTER["sync"]``, or its deprecated alias
    ``CALENDLY["WEBHOOK_PROCESS_INLINE"]``."""
    from django_q.conf import Conf

    return bool(Conf.SYNC) or bool(calendly_settings.WEBHOOK_PROCESS_INLINE)


def worker_count() -> int:
    """Workers of this process's cluster (``Q_CLUSTER["workers"]``; django-q2's default is the
    CPU count): what the scheduler sizes its rounds by when ``SYNC_ROUND_SIZE`` is 0."""
    from django_q.conf import Conf

    return max(int(Conf.WORKERS or 1), 1)


def broker() -> Any:
    """django-q2's broker, made once per process.

    ``async_task`` otherwise builds a new broker, and with Redis a new connection, for every
    task: most of the webhook receiver's time under load went there.
    """
    global _broker
    if _broker is None:
        with _broker_lock:
            if _broker is None:
                from django_q.brokers import get_broker

                _broker = get_broker()
    return _broker


def enqueue(
    task: str, *args: Any, group: str, task_name: str | None = None, **kwargs: Any
) -> str | None:
    """Queue ``task(*args, **kwargs)`` for a worker, or run it now when tasks run inline.

    Returns django-q2's task id; ``None`` for an inline task that failed (it is logged).
    """
    from django_q.tasks import async_task

    options: dict[str, Any] = {"group": group}
    if task_name:
        options["task_name"] = task_name
    if not runs_inline():
        return async_task(task, *args, broker=broker(), **options, **kwargs)
    try:
        return async_task(task, *args, sync=True, **options, **kwargs)
    except Exception:
        logger.exception("Inline task %s%r failed", task, args)
        return None


def queue_sync(connection_id: int, *, full: bool = False) -> str | None:
    """Sync one connection in the background (the sync itself skips a connection already syncing)."""
    return enqueue(
        RUN_SYNC,
        connection_id,
        full=full,
        group=SYNC_GROUP,
        task_name=f"calendly-sync-{connection_id}",
    )


def queue_processing(delivery_id: int) -> str | None:
    """Process one stored webhook delivery in the background."""
    return enqueue(PROCESS_DELIVERY, delivery_id, group=WEBHOOKS_GROUP)


def queue_drain(not_before: float) -> str | None:
    """Process the received deliveries, looking until at least ``not_before`` (Unix time)."""
    return enqueue(DRAIN_DELIVERIES, not_before, group=WEBHOOKS_GROUP)


def queue_ensure_webhooks(connection_id: int) -> str | None:
    """Create, check or heal one connection's webhook subscriptions in the background."""
    return enqueue(ENSURE_WEBHOOKS, connection_id, group=WEBHOOKS_GROUP)


def queue_slack_notification(invitee_id: int, kind: str) -> str | None:
    """Post a booking (``kind`` "booked") or cancellation ("canceled") to Slack."""
    return enqueue(POST_SLACK, invitee_id, kind, group=SLACK_GROUP)


def schedule_once(task: str, *args: Any, at: datetime, name: str, **kwargs: Any) -> Schedule:
    """A one-off schedule running ``task(*args, **kwargs)`` at ``at``; one per ``name``, so a
    newer request moves it instead of adding another."""
    from django_q.models import Schedule

    schedule, _ = Schedule.objects.update_or_create(
        name=name,
        defaults={
            "func": task,
            "args": repr(args),
            "kwargs": repr(kwargs),
            "schedule_type": Schedule.ONCE,
            "repeats": -1,
            "next_run": at,
        },
    )
    return schedule


def schedule_sync(
    connection_id: int, *, full: bool = False, at: datetime, resume: bool = False
) -> Schedule:
    """Continue a sync of ``connection_id`` at ``at`` (one continuation per connection).

    ``resume`` marks the continuation of a sync that was already let in under its organization's
    cap (stopped by Calendly's rate limit or the task time limit), so it is not refused again.
    """
    extra = {"resume": True} if resume else {}
    return schedule_once(
        RUN_SYNC,
        connection_id,
        full=full,
        at=at,
        name=f"calendly: continue sync of connection {connection_id}",
        **extra,
    )


def retry_later(task: str, *args: Any, after: float, **kwargs: Any) -> Schedule:
    """Run ``task(*args, **kwargs)`` again in ``after`` seconds (at least one): what a task does
    when Calendly's rate limit stops it, instead of holding a worker asleep."""
    at = timezone.now() + timedelta(seconds=max(float(after), 1.0))
    call = f"{task.rsplit('.', 1)[-1]}{args!r}"
    if kwargs:
        call += repr(kwargs)
    if len(call) > 60:
        call = f"{task.rsplit('.', 1)[-1]} #{hashlib.sha256(call.encode()).hexdigest()[:12]}"
    return schedule_once(task, *args, at=at, name=f"calendly: {call} after a rate limit", **kwargs)
