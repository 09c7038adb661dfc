"""Waking a worker for newly received deliveries: one task per short window, not one per delivery.

Queueing a django-q2 task costs the receiver more than storing the delivery does (the task is
pickled and signed, and the ORM broker inserts a second row). The delivery row already says what
is left to do (``received``, never tried), so the receiver only has to make sure a worker will
look soon. After a delivery commits, ``wake_drain`` queues ``drain_received_deliveries`` unless
this process queued one less than ``WINDOW`` seconds ago. That drain does not finish before
``WINDOW`` has passed since it was queued: its last look at the table comes after every delivery
that skipped queueing because of it had committed. So each delivery still has, on its commit, a
task queued that will process it. Should that task be lost (broker purged, worker killed),
``retry_failed_deliveries`` queues the delivery again after ``WEBHOOK_STUCK_AFTER`` seconds.
"""

from __future__ import annotations

import logging
import threading
import time

from calendly_integration import queueing
from calendly_integration.models import WebhookDelivery
from calendly_integration.webhooks.processing import process_delivery

logger = logging.getLogger(__name__)

#: Seconds during which a process queues no second drain task.
WINDOW = 0.5
#: Deliveries read per query while draining.
BATCH = 200
#: Seconds between looks at the table while a drain waits for the end of its window.
POLL = 0.05

_lock = threading.Lock()
_queued_until = 0.0


def wake_processing(delivery_id: int) -> None:
    """What the receiver calls once a delivery commits: when tasks run inline
    (``queueing.runs_inline``) the delivery is processed now; otherwise a drain task is woken."""
    if queueing.runs_inline():
        queueing.queue_processing(delivery_id)
    else:
        wake_drain()


def wake_drain() -> None:
    """Make sure a drain task that will see the just-committed delivery is queued.

    When tasks run inline every call runs a drain at once. A failure to queue is logged, not
    raised: the delivery is stored, and the sweep of stuck deliveries picks it up.
    """
    global _queued_until
    if queueing.runs_inline():
        _queue(0.0)
        return
    now = time.monotonic()
    with _lock:
        if now < _queued_until:
            return
        _queued_until = now + WINDOW
    if not _queue(time.time() + WINDOW):
        with _lock:
            _queued_until = 0.0


def _queue(not_before: float) -> bool:
    try:
        queueing.queue_drain(not_before)
    except Exception:
        logger.exception("Could not queue the processing of received webhook deliveries")
        return False
    return True


def forget_queued_drain() -> None:
    """Let the next delivery queue a drain at once (for tests that empty the queue)."""
    global _queued_until
    with _lock:
        _queued_until = 0.0


def drain_received_deliveries(not_before: float = 0.0) -> int:
    """Process every delivery not yet tried, oldest first; returns how many were handed over.

    Runs until the table has no untried delivery at a look taken at or after ``not_before`` (a
    Unix time). Several drains may run at once: ``process_delivery`` claims each delivery, so
    each is processed once.
    """
    handed = 0
    while True:
        last_look = time.time() >= not_before
        pending = list(
            WebhookDelivery.objects.filter(status=WebhookDelivery.Status.RECEIVED, attempts=0)
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH]
        )
        for pk in pending:
            process_delivery(pk)
        handed += len(pending)
        if len(pending) == BATCH:
            continue
        if last_look:
            return handed
        time.sleep(min(POLL, max(0.0, not_before - time.time())))
