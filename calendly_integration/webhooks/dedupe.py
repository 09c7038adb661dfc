"""Telling a new delivery from one Calendly already sent: a unique key, raced on by the database.

Calendly sends no delivery id and may deliver the same event twice (retries after a slow answer,
an organization and a user subscription that both match). What identifies an event is the event
name, the URI of the object it is about and the envelope's ``created_at``; their hash is the dedupe
key. Only the first delivery stores it in the unique ``dedupe_key`` column, so when duplicates
arrive at the same moment the database lets exactly one insert win. The losers are stored too, as
duplicates carrying the key in ``duplicate_key``: nothing that reached us is ever dropped.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from typing import Any, NamedTuple

from django.db import IntegrityError, router, transaction

from calendly_integration.models import WebhookDelivery
from calendly_integration.webhooks import batching
from calendly_integration.webhooks.rows import insert_row, supports_insert_new_rows


class Stored(NamedTuple):
    """A stored delivery: its id, its status, and whether it was the first with its key."""

    pk: int
    status: str
    first: bool


def payload_uri(payload: Any) -> str:
    """The URI of what a payload is about (an invitee, a submission, an event type)."""
    if isinstance(payload, dict):
        for key in ("uri", "invitee"):
            value = payload.get(key)
            if isinstance(value, str) and value:
                return value[:255]
            if isinstance(value, dict) and isinstance(value.get("uri"), str):
                return value["uri"][:255]
    return ""


def dedupe_key(envelope: dict[str, Any]) -> str:
    """SHA-256 of (event, payload URI, created_at); a payload without a URI hashes whole."""
    payload = envelope.get("payload")
    subject = payload_uri(payload) or json.dumps(payload, sort_keys=True, default=str)
    material = "\n".join((str(envelope.get("event", "")), subject, str(envelope.get("created_at"))))
    # surrogatepass: a lone surrogate in a signed payload hashes instead of raising; every
    # other string encodes exactly as plain UTF-8, so existing keys are unchanged.
    return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()


def _own_transaction(alias: str) -> contextlib.AbstractContextManager[Any]:
    """A savepoint inside a caller's transaction; outside one, the INSERT commits by itself
    (autocommit), which spares the receiver a BEGIN and a COMMIT round trip."""
    if transaction.get_connection(alias).in_atomic_block:
        return transaction.atomic(using=alias)
    return contextlib.nullcontext()


def store_first_or_duplicate(key: str, fields: dict[str, Any], on_first: Any = None) -> Stored:
    """Insert the delivery with ``key`` (``fields`` by attname, e.g. ``subscription_id``).

    The insert is its own transaction (a savepoint when the caller has one), so the loser of a
    race gets an ``IntegrityError`` that rolls back only that insert; it is then stored as a
    duplicate pointing at the winner. Outside a transaction (the receiver) the insert may share
    one statement with other threads' deliveries (``batching``), which skips a key already stored
    instead of failing on it. ``on_first(pk)`` runs right after the winning insert, which
    is where ``transaction.on_commit`` callbacks (queueing the processing) belong: they run once
    the insert is committed.
    """
    status = fields.get("status", WebhookDelivery.Status.RECEIVED)
    alias = router.db_for_write(WebhookDelivery)
    if not transaction.get_connection(alias).in_atomic_block and supports_insert_new_rows(alias):
        try:
            pk = batching.insert_or_conflict(fields, key)
        except batching.Retry:
            pass
        else:
            if pk is None:
                return _store_duplicate(key, fields, _first_with(key))
            if on_first is not None:
                on_first(pk)
            return Stored(pk, status, True)
    try:
        with _own_transaction(alias):
            pk = insert_row(WebhookDelivery, {**fields, "dedupe_key": key})
            if on_first is not None:
                on_first(pk)
        return Stored(pk, status, True)
    except IntegrityError:
        original = _first_with(key)
        if original is None:  # not our unique key that failed: let it be seen
            raise
    return _store_duplicate(key, fields, original)


def _first_with(key: str) -> int | None:
    """The id of the delivery that holds ``key``."""
    return WebhookDelivery.objects.filter(dedupe_key=key).values_list("pk", flat=True).first()


def _store_duplicate(key: str, fields: dict[str, Any], original: int | None) -> Stored:
    """Store a delivery whose key the first delivery holds, pointing at that first delivery."""
    status = WebhookDelivery.Status.DUPLICATE
    duplicate = insert_row(
        WebhookDelivery,
        {**fields, "duplicate_key": key, "duplicate_of_id": original, "status": status},
    )
    return Stored(duplicate, status, False)
