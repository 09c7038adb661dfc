"""Running webhook work in the background (django-q2), or right away when the settings say so.

Tasks are named by dotted path with plain arguments (ids), as django-q2 likes them, so a worker on
another machine can run them. ``WEBHOOK_PROCESS_INLINE`` runs them in the calling process instead:
handy in development and tests, where no cluster runs, at the cost of the caller waiting.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.utils.module_loading import import_string

from calendly_integration.conf import calendly_settings

logger = logging.getLogger(__name__)

_broker: Any = None
_broker_lock = threading.Lock()


def broker() -> Any:
    """django-q2's broker, made once per process.

    ``async_task`` otherwise builds a new broker, and with Redis a new connection, for every
    task: most of the receiver's time under load went there.
    """
    global _broker
    if _broker is None:
        with _broker_lock:
            if _broker is None:
                from django_q.brokers import get_broker

                _broker = get_broker()
    return _broker


def run_task(path: str, *args: Any, group: str = "calendly-webhooks") -> None:
    """Queue ``path(*args)`` for a django-q2 worker, or call it now when processing is inline.

    An inline task that raises is logged, never propagated: the caller (a webhook answer, a
    signal receiver) must not fail because background work did.
    """
    if calendly_settings.WEBHOOK_PROCESS_INLINE:
        try:
            import_string(path)(*args)
        except Exception:
            logger.exception("Inline task %s%r failed", path, args)
        return
    from django_q.tasks import async_task

    async_task(path, *args, group=group, broker=broker())
