"""One sync per connection at a time: a lease row claimed by a conditional UPDATE.

``UPDATE ... SET lock_token=<mine>, locked_until=<now + lease> WHERE locked_until IS NULL OR
locked_until < now`` is atomic on every database Django supports: of two workers that try at the
same moment, one updates the row and the other matches nothing (on PostgreSQL the second waits for
the first to commit, then re-checks the condition). No transaction is held open while the sync
runs, so nothing blocks and SQLite works the same. The lease is renewed with every committed page;
a worker that was killed stops renewing and the lease lapses after ``SYNC_LOCK_SECONDS``.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from calendly_integration.conf import calendly_settings
from calendly_integration.models import SyncState


class LeaseLost(Exception):
    """Another worker took over the connection's sync (our lease had expired)."""


class Lease:
    def __init__(self, connection_id: int, seconds: float | None = None) -> None:
        self.connection_id = connection_id
        self.seconds = float(
            seconds if seconds is not None else calendly_settings.SYNC_LOCK_SECONDS
        )
        self.token = secrets.token_hex(16)
        self.held = False

    def _until(self):
        return timezone.now() + timedelta(seconds=self.seconds)

    def acquire(self) -> bool:
        """Claim the lease; ``False`` when another sync of this connection holds it."""
        SyncState.objects.get_or_create(connection_id=self.connection_id)
        now = timezone.now()
        claimed = (
            SyncState.objects.filter(connection_id=self.connection_id)
            .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
            .update(lock_token=self.token, locked_until=self._until())
        )
        self.held = claimed == 1
        return self.held

    def renew(self, **changes: Any) -> None:
        """Extend the lease and save ``changes`` (the resume cursor) in the same statement.

        Raises ``LeaseLost`` when the row no longer carries our token: another worker took
        over after our lease expired, and whatever we were about to commit must be rolled back.
        """
        updated = SyncState.objects.filter(
            connection_id=self.connection_id, lock_token=self.token
        ).update(locked_until=self._until(), **changes)
        if updated != 1:
            self.held = False
            raise LeaseLost(
                gettext("The sync lease of connection %(id)s expired and another worker took over.")
                % {"id": self.connection_id}
            )

    def release(self, **changes: Any) -> None:
        """Give the lease back (a no-op if it was already lost), saving ``changes`` with it."""
        if not self.held:
            return
        SyncState.objects.filter(connection_id=self.connection_id, lock_token=self.token).update(
            lock_token="", locked_until=None, **changes
        )
        self.held = False
