"""Paging through Calendly into the mirror: windows, deletion detection, leases, resumes.

    from calendly_integration.sync import sync_connection

    run = sync_connection(connection.pk)            # incremental: the configured window
    run = sync_connection(connection.pk, full=True)  # every event ever

Paging, windows, leases and resume cursors live here; every row is written through
``calendly_integration.mirror`` (its mapping and bulk upserts), the package the webhook handlers
and the services write through too, so rows look the same however they arrived.
"""

from calendly_integration.sync.context import SyncProgress
from calendly_integration.sync.engine import sync_connection

__all__ = ["SyncProgress", "sync_connection"]
