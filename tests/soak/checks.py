"""The soak's verdicts, read from the database and the simulator once the faults stopped.

Each check returns (passed, explanation). They need ``django.setup()`` with the soak's settings.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

from django.db.models import Count

from calendly_integration.models import Connection, SyncRun, WebhookDelivery
from calendly_integration.testing.simulator import CalendlySimulator

Status = WebhookDelivery.Status
SETTLED = (Status.PROCESSED, Status.DUPLICATE, Status.IGNORED, Status.INVALID)


def delivery_counts() -> dict[str, int]:
    rows = WebhookDelivery.objects.values_list("status").annotate(n=Count("pk")).order_by()
    return dict(rows)


def unsettled_deliveries() -> int:
    """Deliveries still waiting (received) or given up on for now (failed)."""
    return WebhookDelivery.objects.exclude(status__in=SETTLED).count()


def check_deliveries_settled() -> tuple[bool, str]:
    """Every stored delivery processed, duplicate, ignored, or invalid with a reason."""
    waiting = list(
        WebhookDelivery.objects.exclude(status__in=SETTLED).values_list("pk", "status", "error")
    )
    unexplained = WebhookDelivery.objects.filter(status=Status.INVALID, error="").count()
    passed = not waiting and not unexplained
    detail = f"{len(waiting)} received/failed, {unexplained} invalid without a reason"
    if waiting:
        detail += f" (first: {waiting[:3]})"
    return passed, detail


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def check_nothing_lost(sim: CalendlySimulator) -> tuple[bool, str]:
    """Every webhook the simulator delivered with a 2xx answer is stored (as often as sent)."""
    sent = Counter(_digest(a.body.encode()) for a in sim.deliveries if a.ok)
    stored = Counter(
        _digest(bytes(body)) for body in WebhookDelivery.objects.values_list("body", flat=True)
    )
    missing = sent - stored
    total = sum(sent.values())
    return not missing, f"{total} answered 2xx, {sum(missing.values())} of them not stored"


def check_needs_reauth(connection_id: int) -> tuple[bool, str]:
    status = Connection.objects.get(pk=connection_id).status
    return status == Connection.Status.NEEDS_REAUTH, f"connection {connection_id} is {status}"


def check_single_refresh(sim: CalendlySimulator) -> tuple[bool, str]:
    """Refresh tokens are single use: none was presented twice, none yielded two tokens."""
    reuse = sim.refresh_reuse_attempts
    twice = sum(1 for n in sim.refresh_issuances.values() if n > 1)
    return (
        reuse == 0 and twice == 0,
        f"{sim.refresh_count} refreshes, refresh_reuse_attempts={reuse}, "
        f"refresh tokens used twice={twice}",
    )


def sync_run_counts() -> dict[str, int]:
    rows = SyncRun.objects.values_list("status").annotate(n=Count("pk")).order_by()
    return dict(rows)


def request_counts(sim: CalendlySimulator) -> dict[str, Any]:
    """What the simulator answered: all requests, 429s, 5xx, token refresh grants."""
    with sim.requests_lock:
        statuses = [r.status for r in sim.requests]
    return {
        "requests": len(statuses),
        "429": sum(1 for s in statuses if s == 429),
        "5xx": sum(1 for s in statuses if s is not None and s >= 500),
        "dropped": sum(1 for s in statuses if s == 0),
    }


def explain(sim: CalendlySimulator, kind: str, uri: str) -> list[str]:
    """What we know about a differing object: Calendly's and our row, and its deliveries."""
    from calendly_integration.models import Invitee, ScheduledEvent, SyncRun

    lines = []
    calendly = sim.get(uri) or {}
    lines.append(
        f"{kind} {uri}: calendly status={calendly.get('status')} "
        f"updated_at={calendly.get('updated_at')} no_show={bool(calendly.get('no_show'))}"
    )
    model = Invitee if kind == "invitee" else ScheduledEvent
    row = model.objects.filter(uri=uri).values().first()
    if row:
        lines.append(
            f"  mirror status={row.get('status')} updated_at={row.get('calendly_updated_at')} "
            f"synced_at={row.get('synced_at')} removed_at={row.get('removed_at')}"
        )
    if kind == "invitee" and row:
        event = ScheduledEvent.objects.filter(pk=row["event_id"]).values().first() or {}
        lines.append(
            f"  event {event.get('uri')} mirror status={event.get('status')} "
            f"updated_at={event.get('calendly_updated_at')} synced_at={event.get('synced_at')} "
            f"invitees_synced_at={event.get('invitees_synced_at')}"
        )
        calendly_event = sim.get(str(event.get("uri"))) or {}
        lines.append(
            f"  event at calendly status={calendly_event.get('status')} "
            f"updated_at={calendly_event.get('updated_at')} "
            f"start={calendly_event.get('start_time')}"
        )
    for delivery in WebhookDelivery.objects.filter(payload_uri=uri).order_by("received_at"):
        lines.append(
            f"  delivery {delivery.pk} {delivery.event} {delivery.status} "
            f"received={delivery.received_at:%H:%M:%S.%f} attempts={delivery.attempts} "
            f"processed={delivery.processed_at and f'{delivery.processed_at:%H:%M:%S.%f}'} "
            f"error={delivery.error[:80]!r}"
        )
    sent = [a for a in sim.deliveries if uri in a.body]
    for attempt in sent:
        lines.append(f"  sent {attempt.event} status={attempt.status_code} try={attempt.attempt}")
    runs = SyncRun.objects.order_by("started_at").values_list(
        "connection_id", "status", "started_at", "finished_at"
    )
    lines.append("  sync runs: " + "; ".join(f"{c}:{s}@{a:%H:%M:%S}" for c, s, a, _ in runs))
    return lines
