"""A connection made (or renewed) is synced right away, not at the next scheduled sync.

Without this, someone who connects Calendly sees an empty mirror for up to
``SYNC_INTERVAL_MINUTES``. The sync is queued for a django-q2 worker once the connection's row
is committed, by dotted path, so this module needs nothing from ``tasks`` (which builds on sync).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver

from calendly_integration.conf import calendly_settings
from calendly_integration.models import Connection
from calendly_integration.signals import connection_connected

SYNC_TASK = "calendly_integration.tasks.sync_connection"


def queue_first_sync(connection: Connection) -> None:
    """Queue a sync of ``connection`` when the current transaction commits."""
    connection_id = connection.pk

    def queue() -> None:
        from django_q.tasks import async_task

        async_task(SYNC_TASK, connection_id, task_name=f"calendly-sync-{connection_id}")

    transaction.on_commit(queue)


@receiver(connection_connected, sender=Connection, dispatch_uid="calendly_sync.connected")
def sync_new_connection(sender: Any, connection: Connection, **kwargs: Any) -> None:
    if calendly_settings.SYNC_ON_CONNECT and connection.is_usable:
        queue_first_sync(connection)
