"""One sync per connection at a time: a lease row claimed by a conditional UPDATE.

``UPDATE ... SET lock_token=<mine>, locked_until=<now + lease> WHERE locked_until IS NULL OR
locked_until < now`` is atomic on every database Django supports: of two workers that try at the
same moment, one updates the row and the other matches nothing (on PostgreSQL the second waits for
the first to commit, then re-checks the condition). No transaction is held open while the sync
runs, so nothing blocks and SQLite works the same. The lease is renewed with every committed page;
a worker that was killed stops renewing and the lease lapses after ``SYNC_LOCK_SECONDS``.

A background sync also respects ``SYNC_MAX_PER_ORGANIZATION``: two connections of one Calendly
organization (the owner's and a member's) fetch overlapping data, so only that many of an
organization's leases are held at once. The count and the claim must be one atomic step across
every worker on every machine, so the database arbitrates (``acquire`` with ``organization_cap``):
in one short transaction the claimer locks the organization's lease rows (``SELECT ... FOR UPDATE``
in primary-key order, so claimers of one organization queue behind each other and never deadlock;
only the lease rows, ``of=self``, so token refreshes on the connection rows do not wait), claims
its own lease, counts the organization's held leases and rolls the claim back if that is over the
cap. SQLite has no row locks but one writer at a time: the claim's UPDATE is the transaction's
first statement, so it takes the write lock before the count reads and a second claimer waits.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.db import connections, router, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from calendly_integration.conf import calendly_settings
from calendly_integration.models import SyncState


class LeaseLost(Exception):
    """Another worker took over the connection's sync (our lease had expired)."""


class OrganizationBusy(Exception):
    """The connection's organization already runs ``SYNC_MAX_PER_ORGANIZATION`` syncs."""

    def __init__(self, connection_id: int, organization_uri: str, cap: int) -> None:
        self.connection_id = connection_id
        self.organization_uri = organization_uri
        self.cap = cap
        super().__init__(
            gettext(
                "Connection %(id)s not synced now: its organization already runs %(cap)s syncs."
            )
            % {"id": connection_id, "cap": cap}
        )


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

    def acquire(self, *, organization_uri: str = "", organization_cap: int = 0) -> bool:
        """Claim the lease; ``False`` when another sync of this connection holds it.

        With ``organization_cap`` (and an ``organization_uri``), raises ``OrganizationBusy``
        instead of claiming when that many leases of the organization are held already.
        Claiming clears ``queued_at``: the queued sync has started.
        """
        SyncState.objects.get_or_create(connection_id=self.connection_id)
        if organization_cap <= 0 or not organization_uri:
            return self._claim()
        alias = router.db_for_write(SyncState)
        with transaction.atomic(using=alias):
            if connections[alias].features.has_select_for_update:
                list(
                    SyncState.objects.using(alias)
                    .select_for_update(of=("self",))
                    .filter(connection__organization_uri=organization_uri)
                    .order_by("pk")
                    .values_list("pk", flat=True)
                )
            if not self._claim():
                return False
            held = (
                SyncState.objects.using(alias)
                .filter(
                    connection__organization_uri=organization_uri,
                    locked_until__gt=timezone.now(),
                )
                .count()
            )
            if held > organization_cap:
                self.held = False
                raise OrganizationBusy(self.connection_id, organization_uri, organization_cap)
        return self.held

    def _claim(self) -> bool:
        now = timezone.now()
        claimed = (
            SyncState.objects.filter(connection_id=self.connection_id)
            .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
            .update(lock_token=self.token, locked_until=self._until(), queued_at=None)
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
