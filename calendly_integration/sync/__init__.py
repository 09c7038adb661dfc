"""Turning Calendly's pages into rows: windows, bulk upserts, deletion marks, leases, resumes.

    from calendly_integration.sync import sync_connection

    run = sync_connection(connection.pk)            # incremental: the configured window
    run = sync_connection(connection.pk, full=True)  # every event ever

The mapping of each Calendly object to columns lives in ``sync.mapping``; the webhook handlers
reuse it (and ``sync.upsert``) so rows look the same however they arrived.
"""

from calendly_integration.sync.context import SyncProgress
from calendly_integration.sync.engine import sync_connection

__all__ = ["SyncProgress", "sync_connection"]
