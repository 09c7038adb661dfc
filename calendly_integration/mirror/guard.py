"""Writing one object into the mirror, never over something newer.

A sync writes whole pages of what Calendly says *now*; a webhook payload says what was true when
the delivery was made, and deliveries come late, twice, or out of order (and an action's read-back
can cross one of them). So a single object is written only when it is at least as new as what we
hold (Calendly's ``updated_at``), and a cancellation is final: a late ``invitee.created`` never
makes a canceled invitee active again.

The row gets the same fingerprint a sync would give it, so the next sync finds it unchanged
instead of writing it again. The check and the write happen under a row lock (or, for a row that
does not exist yet, behind the URI's unique constraint), so two workers cannot interleave them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from calendly_integration.mirror.fingerprint import fingerprint

M = TypeVar("M", bound=models.Model)
CANCELED = "canceled"


def is_older(held: models.Model, fields: Mapping[str, Any]) -> bool:
    """Whether ``fields`` describe an older state than the row ``held``.

    Canceled never turns back into active (Calendly cannot un-cancel), whatever the timestamps
    say; otherwise Calendly's ``updated_at`` decides, and equal times count as current so that a
    replay rewrites the same values.
    """
    if getattr(held, "status", None) == CANCELED and fields.get("status") not in (None, CANCELED):
        return True
    held_at: datetime | None = getattr(held, "calendly_updated_at", None)
    new_at: datetime | None = fields.get("calendly_updated_at")
    return held_at is not None and new_at is not None and new_at < held_at


def write_guarded(model: type[M], fields: Mapping[str, Any]) -> tuple[M, bool]:
    """Insert or update the row with ``fields["uri"]`` unless we hold a newer one.

    Returns the row (as stored afterwards) and whether it was written. Runs in the caller's
    transaction, or its own.
    """
    row = {
        "synced_at": timezone.now(),
        "removed_at": None,
        **fields,
        "fingerprint": fingerprint(fields),
    }
    manager = model._default_manager
    with transaction.atomic():
        held = manager.select_for_update().filter(uri=fields["uri"]).first()
        if held is None:
            try:
                with transaction.atomic():
                    return manager.create(**row), True
            except IntegrityError:  # created by someone else since we looked
                held = manager.select_for_update().get(uri=fields["uri"])
        if is_older(held, fields):
            return held, False
        for name, value in row.items():
            setattr(held, name, value)
        held.save()
        return held, True
