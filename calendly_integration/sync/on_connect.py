"""A connection made (or renewed) is synced right away, not at the next scheduled sync.

Without this, someone who connects Calendly sees an empty mirror for up to
``SYNC_INTERVAL_MINUTES``. The sync is queued (``queueing.queue_sync``) once the connection's row
is committed, so a worker never looks for a connection that is not there yet.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver

from calendly_integration import queueing
from calendly_integration.conf import calendly_settings
from calendly_integration.models import Connection
from calendly_integration.signals import connection_connected


def queue_first_sync(connection: Connection) -> None:
    """Queue a sync of ``connection`` when the current transaction commits."""
    connection_id = connection.pk
    transaction.on_commit(lambda: queueing.queue_sync(connection_id))


@receiver(connection_connected, sender=Connection, dispatch_uid="calendly_sync.connected")
def sync_new_connection(sender: Any, connection: Connection, **kwargs: Any) -> None:
    if calendly_settings.SYNC_ON_CONNECT and connection.is_usable:
        queue_first_sync(connection)
