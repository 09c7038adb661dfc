"""The activity feed's rows: each webhook delivery reduced to what a person wants to read.

A delivery's body is Calendly's JSON; the feed shows only a whitelist of it (who, which
meeting, when), never the body itself, headers, the callback token or links that act for the
invitee (cancel and reschedule URLs). The invitee row we hold, when there is one, links the
entry to its event page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from calendly_integration.models import Invitee, WebhookDelivery

EVENT_LABELS = {
    "invitee.created": _("New booking"),
    "invitee.canceled": _("Booking canceled"),
    "invitee_no_show.created": _("Marked as no-show"),
    "invitee_no_show.deleted": _("No-show mark removed"),
    "routing_form_submission.created": _("Routing form submitted"),
}
#: Deliveries whose status may still change (processing is queued or being retried).
PENDING = (WebhookDelivery.Status.RECEIVED,)


@dataclass(frozen=True)
class ActivityRow:
    delivery: WebhookDelivery
    label: str
    who: str
    meeting: str
    starts_at: Any
    event_id: int | None

    @property
    def pending(self) -> bool:
        return self.delivery.status in PENDING


def _payload(delivery: WebhookDelivery) -> dict[str, Any]:
    envelope = delivery.decoded_body()
    payload = envelope.get("payload") if isinstance(envelope, dict) else None
    return payload if isinstance(payload, dict) else {}


def _invitee_uri(delivery: WebhookDelivery, payload: dict[str, Any]) -> str:
    if delivery.event.startswith("invitee_no_show."):
        value = payload.get("invitee")
        return value if isinstance(value, str) else ""
    return delivery.payload_uri if delivery.event.startswith("invitee.") else ""


def _text(value: Any) -> str:
    return value[:255] if isinstance(value, str) else ""


def activity_rows(deliveries: Sequence[WebhookDelivery], user: Any) -> list[ActivityRow]:
    """One row per delivery, with a single query for the invitees they mention."""
    payloads = [_payload(delivery) for delivery in deliveries]
    uris = {_invitee_uri(d, p) for d, p in zip(deliveries, payloads, strict=True)} - {""}
    invitees = {
        invitee.uri: invitee
        for invitee in Invitee.objects.visible_to(user)
        .filter(uri__in=uris)
        .select_related("event")
        .only("uri", "name", "email", "event__id", "event__name", "event__start_time")
    }
    rows = []
    for delivery, payload in zip(deliveries, payloads, strict=True):
        invitee = invitees.get(_invitee_uri(delivery, payload))
        event = payload.get("scheduled_event")
        event = event if isinstance(event, dict) else {}
        who = _text(payload.get("name")) or _text(payload.get("email"))
        meeting = _text(event.get("name"))
        starts_at = parse_datetime(_text(event.get("start_time")) or "") if event else None
        if invitee is not None:
            who = who or invitee.name or invitee.email
            meeting = meeting or invitee.event.name
            starts_at = starts_at or invitee.event.start_time
        rows.append(
            ActivityRow(
                delivery=delivery,
                label=str(EVENT_LABELS.get(delivery.event, delivery.event or _("Unknown event"))),
                who=who,
                meeting=meeting,
                starts_at=starts_at,
                event_id=invitee.event.pk if invitee is not None else None,
            )
        )
    return rows


def visible_deliveries(user: Any) -> QuerySet[WebhookDelivery]:
    """Each real event once, newest first: the deliveries to subscriptions the user's connections
    share (staff: all), a duplicate replaced by the first delivery of its event.

    Calendly sends an event once per matching subscription (an organization and a user one) and
    may retry; the duplicates are kept for the audit, but the person reading the feed wants the
    booking, once. The first delivery may have come through a subscription the user does not
    share (the organization's): it stands for the duplicate the user did receive.
    """
    visible = WebhookDelivery.objects.visible_to(user)
    Status = WebhookDelivery.Status
    originals = visible.filter(status=Status.DUPLICATE, duplicate_of__isnull=False)
    return (
        WebhookDelivery.objects.filter(
            Q(
                pk__in=visible.exclude(status=Status.DUPLICATE, duplicate_of__isnull=False).values(
                    "pk"
                )
            )
            | Q(pk__in=originals.values("duplicate_of_id"))
        )
        .only("pk", "event", "status", "received_at", "payload_uri", "body")
        .order_by("-pk")
    )
