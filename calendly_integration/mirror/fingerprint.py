"""The fingerprint of a row: how a write tells a changed object from one we already hold.

Every write into the mirror, a page of a sync or one object from a webhook or an action, stores
the same hash of the columns it wrote, so whichever way an object arrives next, an unchanged one
is recognised and left alone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

#: Columns that record our bookkeeping, not Calendly's data: never part of the fingerprint.
BOOKKEEPING = frozenset({"id", "synced_at", "removed_at", "fingerprint", "invitees_synced_at"})


def fingerprint(fields: Mapping[str, Any]) -> str:
    """A stable hash of the columns a row would get (raw JSON, typed columns, foreign key ids)."""
    material = {k: v for k, v in fields.items() if k not in BOOKKEEPING}
    encoded = json.dumps(material, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()
