"""Finding the subscription a delivery's URL names, without a query for every delivery.

Under load most of the receiver's time went into reading the same subscription row again for each
delivery. Each process keeps what it read (the row's id and its decrypted signing key, never the
model instance) for ``TTL`` seconds, keyed by the callback token. A stale entry can never let a
wrong delivery through or lose a good one:

- a subscription saved or deleted in this process is forgotten at once (Django signals);
- one changed in another process: a signature that fails against the remembered key is checked
  again against a fresh read (``fresh=True``) before the delivery is rejected;
- one deleted in another process: storing the delivery breaks the foreign key, and the receiver
  then reads again and answers 404, as for any unknown token.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from calendly_integration import crypto
from calendly_integration.models import WebhookSubscription

#: Seconds a process trusts what it read about a subscription.
TTL = 30.0
#: Entries kept per process; past that the cache starts again empty (tokens are few in practice).
MAX_ENTRIES = 10_000

_known: dict[str, KnownSubscription] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class KnownSubscription:
    """What the receiver needs of a subscription: its id and the key that signs its deliveries."""

    pk: int
    own_signing_key: str
    fresh: bool
    expires: float


def find_subscription(token: str) -> KnownSubscription | None:
    """The subscription with this callback token, from this process's memory when recent."""
    known = _known.get(token)
    if known is not None and known.expires > time.monotonic():
        return known
    return read_subscription(token)


def read_subscription(token: str) -> KnownSubscription | None:
    """Read the subscription from the database and remember it; None when there is none."""
    row = (
        WebhookSubscription.objects.filter(token=token)
        .values_list("pk", "encrypted_signing_key")
        .first()
    )
    if row is None:
        forget_subscription(token)
        return None
    pk, encrypted = row
    known = KnownSubscription(
        pk=pk,
        own_signing_key=crypto.decrypt(encrypted) if encrypted else "",
        fresh=True,
        expires=time.monotonic() + TTL,
    )
    with _lock:
        if len(_known) >= MAX_ENTRIES:
            _known.clear()
        _known[token] = KnownSubscription(known.pk, known.own_signing_key, False, known.expires)
    return known


def forget_subscription(token: str) -> None:
    """Drop what this process remembers of a token (the next delivery reads the row)."""
    with _lock:
        _known.pop(token, None)


@receiver(post_save, sender=WebhookSubscription, dispatch_uid="calendly-forget-subscription-save")
@receiver(
    post_delete, sender=WebhookSubscription, dispatch_uid="calendly-forget-subscription-delete"
)
def _forget_changed(sender: type, instance: WebhookSubscription, **kwargs: Any) -> None:
    if instance.token:
        forget_subscription(instance.token)
