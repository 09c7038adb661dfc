"""Keeping the delivery log from growing forever.

Deliveries are kept ``DELIVERY_RETENTION_DAYS`` (long enough to replay and audit them), then
deleted in batches so a large backlog never holds a long lock. A delivery still waiting or failed
is pruned too once it is that old: Calendly's own copy of the data is the source of truth and a
sync brings it back.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone

from calendly_integration.conf import calendly_settings
from calendly_integration.models import WebhookDelivery

logger = logging.getLogger(__name__)

BATCH = 1000


def prune_deliveries(days: int | None = None) -> int:
    """Delete deliveries received more than ``days`` (default: the setting) ago."""
    days = int(calendly_settings.DELIVERY_RETENTION_DAYS if days is None else days)
    cutoff = timezone.now() - timedelta(days=days)
    old = WebhookDelivery.objects.filter(received_at__lt=cutoff)
    total = 0
    while True:
        ids = list(old.values_list("pk", flat=True)[:BATCH])
        if not ids:
            break
        deleted, _ = WebhookDelivery.objects.filter(pk__in=ids).delete()
        total += deleted
    logger.info("Pruned %s Calendly webhook deliveries older than %s days", total, days)
    return total
