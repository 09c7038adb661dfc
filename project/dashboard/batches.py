"""Interview-link batches kept in the user's session, so their CSV can be downloaded later.

The session (server-side rows with Django's default backend) holds the last few batches: the
links are the user's own, must not leak into URLs or logs, and need no table of their own in a
demo. A batch is addressed by a random id; another user's session simply has no such batch.
"""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Iterable
from typing import Any

from django.contrib.sessions.backends.base import SessionBase

from calendly_integration.services.links import InterviewLink

SESSION_KEY = "demo_interview_batches"
KEPT_BATCHES = 5
CSV_COLUMNS = ("name", "email", "booking_url")
#: Spreadsheets run cells starting with these as formulas; a leading quote keeps them text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def save_batch(session: SessionBase, event_type_name: str, results: Iterable[InterviewLink]) -> str:
    """Store a batch (newest first, at most ``KEPT_BATCHES``) and return its id."""
    batch_id = secrets.token_urlsafe(9)
    rows = [
        {
            "name": result.name,
            "email": result.email,
            "booking_url": result.booking_url or "",
            "error": result.error.message if result.error else "",
        }
        for result in results
    ]
    batches = [
        {"id": batch_id, "event_type": event_type_name, "rows": rows},
        *session.get(SESSION_KEY, []),
    ][:KEPT_BATCHES]
    session[SESSION_KEY] = batches
    return batch_id


def load_batch(session: SessionBase, batch_id: str) -> dict[str, Any] | None:
    for batch in session.get(SESSION_KEY, []):
        if batch["id"] == batch_id:
            return batch
    return None


def _cell(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def batch_csv(batch: dict[str, Any]) -> str:
    """The batch as CSV with a header row: name, email, booking_url (empty when it failed)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in batch["rows"]:
        writer.writerow([_cell(row[column]) for column in CSV_COLUMNS])
    return out.getvalue()
