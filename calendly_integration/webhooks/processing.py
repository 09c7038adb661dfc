"""Turning a stored delivery into rows and signals: one small handler per event name.

``process_delivery`` is the django-q2 task (or the inline call). It claims the delivery by bumping
``attempts`` with a compare-and-set, so a replay and a queued task never process it at the same
time; runs the handler; marks the delivery processed or failed; and only then sends the signals,
once. A failure keeps the error on the delivery and ``retry_failed_deliveries`` tries again later
with backoff, up to ``WEBHOOK_MAX_ATTEMPTS``; ``calendly_webhooks replay`` can always try again.

Handlers read Calendly only when the payload lacks something (an older payload without the
``scheduled_event`` object, a no-show payload that only names its invitee), and never inside a
database transaction, so a slow Calendly never holds a lock.

A stored body is read as strictly as the receiver reads it (``untrusted.loads``): one that is not a
JSON object with a payload (a row stored before the receiver was strict, or edited since) ends
``invalid`` with the reason, once, and is never retried. Odd strings in a payload (NUL, lone
surrogates) reach the mirror, which replaces them before any text column sees them; any error
message kept on the delivery is made safe the same way.

Before a handler runs, the delivery is checked against its subscription's organization
(``misrouting``): one naming another organization's objects ends ``misrouted``, once, with a
warning, and writes nothing; it is not retried, and a forced replay checks it again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from typing import Any

from django.db.models import F, Q
from django.dispatch import Signal
from django.utils import timezone

from calendly_integration import queueing, signals
from calendly_integration.client import CalendlyClient
from calendly_integration.conf import calendly_settings
from calendly_integration.exceptions import ProcessingError
from calendly_integration.mirror.mapping import invitee_event_uri, uri_of
from calendly_integration.mirror.objects import (
    bare_routing_form,
    organization_id_for,
    save_event_type,
    save_invitee,
    save_routing_form,
    save_routing_form_submission,
    save_scheduled_event,
)
from calendly_integration.models import (
    Invitee,
    RoutingForm,
    RoutingFormSubmission,
    WebhookDelivery,
    WebhookSubscription,
)
from calendly_integration.untrusted import UntrustedJSONError, loads, safe_text
from calendly_integration.webhooks.misrouting import misrouted

logger = logging.getLogger(__name__)


def stuck_after() -> timedelta:
    """How long a "received" delivery waits before the sweep takes its task for lost."""
    return timedelta(seconds=float(calendly_settings.WEBHOOK_STUCK_AFTER))


@dataclass
class Context:
    """What a handler gets: the delivery, its envelope, and Calendly when the payload falls short."""

    delivery: WebhookDelivery
    envelope: dict[str, Any]
    replay: bool
    sent: list[tuple[Signal, type, dict[str, Any]]] = field(default_factory=list)
    instance: Any = None
    _client: CalendlyClient | None = None

    @property
    def event(self) -> str:
        return str(self.envelope.get("event") or "")

    @property
    def payload(self) -> dict[str, Any]:
        payload = self.envelope.get("payload")
        return payload if isinstance(payload, dict) else {}

    @property
    def subscription(self) -> WebhookSubscription | None:
        return self.delivery.subscription

    @cached_property
    def organization_id(self) -> int | None:
        """The subscription's organization: every row a delivery writes belongs to it."""
        subscription = self.subscription
        if subscription is None:
            return None
        if subscription.organization_id is not None:
            return subscription.organization_id
        return organization_id_for(subscription.organization_uri)

    def client(self) -> CalendlyClient:
        """A client acting for the connection that made the subscription."""
        if self._client is None:
            subscription = self.subscription
            if subscription is None:
                raise ProcessingError(
                    "The delivery's subscription is gone; Calendly cannot be read."
                )
            from calendly_integration.oauth.tokens import client_for_connection

            self._client = client_for_connection(subscription.connection_id)
        return self._client

    def send(self, signal: Signal, sender: type, **kwargs: Any) -> None:
        """Queue a signal; they are sent after the delivery is marked processed."""
        self.sent.append((signal, sender, kwargs))

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


# Reading what the payload does not carry.


def _is_complete_invitee(data: dict[str, Any]) -> bool:
    return bool(data.get("uri")) and "status" in data and "updated_at" in data


def invitee_data(ctx: Context) -> dict[str, Any]:
    """The invitee object: the payload itself, or fetched when the payload only names it."""
    payload = ctx.payload
    if _is_complete_invitee(payload):
        # The embedded event is stored on its own row; the invitee's raw JSON is the invitee
        # as Calendly's API returns it, as sync stores it.
        return {key: value for key, value in payload.items() if key != "scheduled_event"}
    uri = uri_of(payload.get("invitee")) or uri_of(payload)
    if "/invitees/" not in uri:
        raise ProcessingError(f"The {ctx.event} payload names no invitee.")
    return ctx.client().get_event_invitee(uri)


def scheduled_event_data(ctx: Context, invitee: dict[str, Any]) -> dict[str, Any]:
    """The invitee's scheduled event: from the payload when it carries it, else from Calendly."""
    embedded = invitee.get("scheduled_event") or ctx.payload.get("scheduled_event")
    event_uri = invitee_event_uri(invitee)
    if isinstance(embedded, dict) and embedded.get("uri") and uri_of(embedded) == event_uri:
        return embedded
    if not event_uri:
        raise ProcessingError("The invitee names no scheduled event.")
    return ctx.client().get_scheduled_event(event_uri)


def _mirror_invitee(ctx: Context, data: dict[str, Any]) -> Invitee:
    event = save_scheduled_event(scheduled_event_data(ctx, data), ctx.organization_id)
    return save_invitee(data, event)


# Handlers: one per event name.


def invitee_created(ctx: Context) -> None:
    invitee = _mirror_invitee(ctx, invitee_data(ctx))
    old = (
        Invitee.objects.filter(uri=invitee.old_invitee_uri).first()
        if invitee.old_invitee_uri
        else None
    )
    ctx.instance = invitee
    ctx.send(
        signals.invitee_created,
        Invitee,
        invitee=invitee,
        scheduled_event=invitee.event,
        rescheduled_from=old,
    )


def invitee_canceled(ctx: Context) -> None:
    data = invitee_data(ctx)
    invitee = _mirror_invitee(ctx, data)
    new_uri = uri_of(data.get("new_invitee"))
    rescheduled = bool(data.get("rescheduled")) and bool(new_uri)
    ctx.instance = invitee
    ctx.send(
        signals.invitee_canceled,
        Invitee,
        invitee=invitee,
        scheduled_event=invitee.event,
        rescheduled=rescheduled,
        reason=invitee.cancel_reason,
        canceler_type=invitee.canceler_type,
    )
    if rescheduled:
        ctx.send(
            signals.invitee_rescheduled,
            Invitee,
            old_invitee=invitee,
            new_invitee=_new_half(ctx, new_uri),
            new_invitee_uri=new_uri,
        )


def _new_half(ctx: Context, uri: str) -> Invitee | None:
    """The new invitee of a reschedule: ours if its delivery came first, else read from Calendly."""
    held = Invitee.objects.filter(uri=uri).first()
    if held is not None:
        return held
    try:
        return _mirror_invitee(ctx, ctx.client().get_event_invitee(uri))
    except Exception as exc:  # the cancellation itself is recorded; the new half comes by itself
        logger.warning("Could not read the new invitee %s of a reschedule: %s", uri, exc)
        return None


def invitee_no_show_created(ctx: Context) -> None:
    _no_show(ctx, signals.invitee_no_show_created)


def invitee_no_show_deleted(ctx: Context) -> None:
    _no_show(ctx, signals.invitee_no_show_deleted)


def _no_show(ctx: Context, signal: Signal) -> None:
    """Both no-show events carry the invitee as it now is (``no_show`` set, or null)."""
    invitee = _mirror_invitee(ctx, invitee_data(ctx))
    ctx.instance = invitee
    ctx.send(signal, Invitee, invitee=invitee, scheduled_event=invitee.event)


def routing_form_submission_created(ctx: Context) -> None:
    data = ctx.payload
    if not data.get("uri"):
        raise ProcessingError("The routing form submission has no URI.")
    form = _routing_form(ctx, uri_of(data.get("routing_form")))
    submission = save_routing_form_submission(data, form)
    ctx.instance = submission
    ctx.send(
        signals.routing_form_submission_created,
        RoutingFormSubmission,
        submission=submission,
        form=form,
    )


def _routing_form(ctx: Context, uri: str) -> RoutingForm:
    if not uri:
        raise ProcessingError("The routing form submission names no routing form.")
    held = RoutingForm.objects.filter(uri=uri).first()
    if held is not None:
        return held
    if ctx.subscription is None:
        return bare_routing_form(uri, ctx.organization_id)
    return save_routing_form(ctx.client().get_routing_form(uri), ctx.organization_id)


def event_type_changed(ctx: Context) -> None:
    data = ctx.payload
    if not data.get("uri"):
        raise ProcessingError("The event type payload has no URI.")
    if "name" not in data:  # only named: read it
        data = ctx.client().get_event_type(data["uri"])
    ctx.instance = save_event_type(data, ctx.organization_id)


def event_type_deleted(ctx: Context) -> None:
    data = ctx.payload
    if not data.get("uri"):
        raise ProcessingError("The event type payload has no URI.")
    ctx.instance = save_event_type(data, ctx.organization_id, deleted=True)


HANDLERS: dict[str, Callable[[Context], None]] = {
    "invitee.created": invitee_created,
    "invitee.canceled": invitee_canceled,
    "invitee_no_show.created": invitee_no_show_created,
    "invitee_no_show.deleted": invitee_no_show_deleted,
    "routing_form_submission.created": routing_form_submission_created,
    "event_type.created": event_type_changed,
    "event_type.updated": event_type_changed,
    "event_type.deleted": event_type_deleted,
}


# The task.


def process_delivery(delivery_id: int, force: bool = False) -> str:
    """Process one stored delivery; returns its status afterwards.

    Only ``received`` and ``failed`` deliveries are processed, unless ``force`` (a replay of a
    processed one: rows are rewritten idempotently and signals go out with ``replay=True``; of a
    misrouted one, checked again first, see ``misrouting``).
    """
    delivery = WebhookDelivery.objects.select_related("subscription").filter(pk=delivery_id).first()
    if delivery is None:
        return "missing"
    allowed = {WebhookDelivery.Status.RECEIVED, WebhookDelivery.Status.FAILED}
    if force:
        allowed |= {
            WebhookDelivery.Status.PROCESSED,
            WebhookDelivery.Status.IGNORED,
            WebhookDelivery.Status.MISROUTED,
        }
    if delivery.status not in allowed or not _claim(delivery):
        return delivery.status
    try:
        envelope = read_envelope(delivery.body_bytes)
    except UntrustedJSONError as error:
        return _finish(delivery, WebhookDelivery.Status.INVALID, error.reason)
    handler = HANDLERS.get(str(envelope.get("event") or ""))
    if handler is None:
        return _finish(delivery, WebhookDelivery.Status.IGNORED, "")
    foreign = misrouted(delivery.subscription, envelope)
    if foreign is not None:
        logger.warning(
            "Webhook delivery %s (%s) on subscription %s names another organization's objects "
            "(%s %s of %s); kept as misrouted, not processed",
            delivery.pk,
            safe_text(str(envelope.get("event") or "")[:64]),
            delivery.subscription_id,
            foreign.kind,
            foreign.uri,
            foreign.organization_uri,
        )
        return _finish(delivery, WebhookDelivery.Status.MISROUTED, foreign.reason)
    ctx = Context(delivery, envelope, replay=delivery.processed_at is not None)
    try:
        handler(ctx)
    except Exception as exc:
        logger.warning(
            "Processing webhook delivery %s (%s) failed: %s", delivery.pk, ctx.event, exc
        )
        return _finish(delivery, WebhookDelivery.Status.FAILED, f"{type(exc).__name__}: {exc}")
    finally:
        ctx.close()
    status = _finish(delivery, WebhookDelivery.Status.PROCESSED, "")
    _send_signals(ctx)
    return status


def read_envelope(body: bytes | str) -> dict[str, Any]:
    """The envelope of a stored body: a JSON object whose ``payload`` is an object.

    Raises ``UntrustedJSONError`` (its ``reason`` says why) for anything else, and nothing else,
    whatever the bytes.
    """
    try:
        envelope = loads(body)
    except UntrustedJSONError as error:
        raise UntrustedJSONError(f"The stored body is not JSON ({error.reason}).") from error
    if not isinstance(envelope, dict) or not isinstance(envelope.get("payload"), dict):
        raise UntrustedJSONError("The stored body is not a Calendly webhook envelope.")
    return envelope


def _claim(delivery: WebhookDelivery) -> bool:
    """Take the delivery for this attempt; False when another worker took it first."""
    now = timezone.now()
    taken = WebhookDelivery.objects.filter(pk=delivery.pk, attempts=delivery.attempts).update(
        attempts=F("attempts") + 1, last_attempt_at=now
    )
    if taken:
        delivery.attempts += 1
        delivery.last_attempt_at = now
    return bool(taken)


def _finish(delivery: WebhookDelivery, status: str, error: str) -> str:
    delivery.status = status
    delivery.error = safe_text(error)
    update = ["status", "error"]
    if status == WebhookDelivery.Status.PROCESSED:
        delivery.processed_at = timezone.now()
        update.append("processed_at")
    delivery.save(update_fields=update)
    return status


def _send_signals(ctx: Context) -> None:
    common = {"delivery": ctx.delivery, "payload": ctx.payload, "replay": ctx.replay}
    queued = [*ctx.sent]
    queued.append(
        (
            signals.webhook_received,
            WebhookDelivery,
            {"event": ctx.event, "instance": ctx.instance},
        )
    )
    for signal, sender, kwargs in queued:
        for receiver, result in signal.send_robust(sender=sender, **common, **kwargs):
            if isinstance(result, Exception):
                logger.error(
                    "A receiver (%r) of a webhook signal failed for delivery %s",
                    receiver,
                    ctx.delivery.pk,
                    exc_info=(type(result), result, result.__traceback__),
                )


def retry_failed_deliveries() -> int:
    """Queue the failed deliveries whose backoff has passed, and any lost in the queue.

    A failed delivery waits ``WEBHOOK_RETRY_DELAY`` seconds, doubled for each attempt it already
    had; after ``WEBHOOK_MAX_ATTEMPTS`` it stays failed (and visible) until replayed.
    """
    now = timezone.now()
    base = float(calendly_settings.WEBHOOK_RETRY_DELAY)
    limit = int(calendly_settings.WEBHOOK_MAX_ATTEMPTS)
    stuck = stuck_after()
    candidates = WebhookDelivery.objects.filter(attempts__lt=limit).filter(
        Q(status=WebhookDelivery.Status.FAILED)
        | Q(status=WebhookDelivery.Status.RECEIVED, received_at__lt=now - stuck)
    )
    queued = 0
    for pk, status, attempts, last in candidates.values_list(
        "pk", "status", "attempts", "last_attempt_at"
    ).iterator():
        if status == WebhookDelivery.Status.FAILED:
            wait = timedelta(seconds=base * 2 ** max(attempts - 1, 0))
        else:
            wait = stuck
        if last is not None and last > now - wait:
            continue
        queueing.queue_processing(pk)
        queued += 1
    return queued
