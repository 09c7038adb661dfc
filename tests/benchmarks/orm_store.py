"""The receiver's store written with the ORM's own insert, for the benchmark to weigh against
``dedupe.store_first_or_duplicate`` (one hand-built INSERT, shared between threads).

Same guarantees: the delivery is committed before the view answers (autocommit outside a
transaction, a savepoint inside one), the unique ``dedupe_key`` lets exactly one delivery of a key
win, the loser is stored as a duplicate of the winner, and ``on_first`` (where processing is
queued on commit) runs right after the winning insert.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, router

from calendly_integration.models import WebhookDelivery
from calendly_integration.webhooks.dedupe import Stored, _first_with, _own_transaction


def store_with_orm(key: str, fields: dict[str, Any], on_first: Any = None) -> Stored:
    """``store_first_or_duplicate`` through ``WebhookDelivery.objects.create``."""
    status = fields.get("status", WebhookDelivery.Status.RECEIVED)
    try:
        with _own_transaction(router.db_for_write(WebhookDelivery)):
            pk = WebhookDelivery.objects.create(**fields, dedupe_key=key).pk
            if on_first is not None:
                on_first(pk)
        return Stored(pk, status, True)
    except IntegrityError:
        original = _first_with(key)
        if original is None:
            raise
    duplicate = WebhookDelivery.objects.create(
        **fields,
        duplicate_key=key,
        duplicate_of_id=original,
        status=WebhookDelivery.Status.DUPLICATE,
    )
    return Stored(duplicate.pk, duplicate.status, False)
