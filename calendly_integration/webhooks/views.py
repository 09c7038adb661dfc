"""The webhook receiver: check, log, deduplicate, queue, answer. Nothing else, and never Calendly.

One view with a short list of small validators (django-anymail's shape). Each validator either
passes or raises ``Rejected`` with the HTTP status and the verdict to store. Whatever the outcome,
the request is stored as a ``WebhookDelivery`` before the answer goes out (dj-stripe's rule), so
an invalid signature or a malformed body can be audited later, and a valid delivery is never lost
even if its processing fails. The URL carries the subscription's unguessable token: an unknown
token is a plain 404 and is not stored, so strangers cannot fill the log.

A valid delivery is answered 200 within milliseconds: one insert (the delivery; the subscription
is usually known to the process already, see ``lookup``; deliveries arriving at the same moment
share one INSERT and one commit, see ``batching``), and, once that insert commits, a worker woken
to process it (see ``drain``). The view is synchronous and runs unchanged under gunicorn's
threads or gevent and under an ASGI server (the webhook benchmark checks each).

The URL is public, so everything in a request is hostile until read through ``untrusted``: a token
that is not URL-safe base64 is unknown without a query; the body is decoded by ``untrusted.loads``
(bounded depth, no NaN or Infinity: refused and stored as invalid with the reason); and every text
column of the stored row (event, URIs, kept headers) goes through ``untrusted.safe_text``, so a
NUL or a lone surrogate in a signed payload is stored (the raw body exactly as sent) instead of
failing the INSERT, and one odd delivery never fails a batch shared with others.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.request import HttpHeaders
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from calendly_integration.conf import calendly_settings
from calendly_integration.models import WebhookDelivery
from calendly_integration.untrusted import (
    UntrustedJSONError,
    ascii_int,
    handles_untrusted_input,
    loads,
    safe_text,
)
from calendly_integration.webhooks.dedupe import (
    Stored,
    dedupe_key,
    payload_uri,
    store_first_or_duplicate,
)
from calendly_integration.webhooks.drain import wake_processing
from calendly_integration.webhooks.lookup import (
    KnownSubscription,
    find_subscription,
    read_subscription,
)
from calendly_integration.webhooks.processing import HANDLERS
from calendly_integration.webhooks.signature import parse_signature_header, verify_signature

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "Calendly-Webhook-Signature"
#: The request headers kept with a delivery (enough to audit it; no cookies, no auth).
KEPT_HEADERS = (
    "Content-Type",
    "Content-Length",
    "User-Agent",
    SIGNATURE_HEADER,
    "X-Forwarded-For",
    "X-Request-Id",
)
#: Where WSGI puts each kept header in ``request.META`` (read directly: ``request.headers``
#: rebuilds a case-insensitive copy of every header, which cost more than the rest of the copy).
_KEPT_META = tuple((name, HttpHeaders.to_wsgi_name(name)) for name in KEPT_HEADERS)
_SIGNATURE_META = HttpHeaders.to_wsgi_name(SIGNATURE_HEADER)
#: A kept header longer than this is stored cut (real ones are well under 200 characters).
MAX_KEPT_HEADER = 1024
#: Every callback token this app issues (``secrets.token_urlsafe``, ``callback_tokens.issue``).
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")

Signature = WebhookDelivery.Signature
Status = WebhookDelivery.Status


class Gone(Exception):
    """The subscription was deleted (in another process) after this one last read it."""


class Rejected(Exception):
    """A validator's verdict: answer ``status_code`` and store the delivery as invalid."""

    def __init__(self, status_code: int, reason: Any) -> None:
        super().__init__(str(reason))
        self.status_code = status_code
        self.reason = reason


@dataclass
class Inbound:
    """One request on its way through the validators."""

    token: str
    subscription: KnownSubscription
    request: HttpRequest
    body: bytes = b""
    signature: str = Signature.UNCHECKED
    envelope: dict[str, Any] = field(default_factory=dict)


def check_size(inbound: Inbound) -> None:
    """Refuse bodies over ``WEBHOOK_MAX_BODY_BYTES`` without reading more than the limit."""
    limit = int(calendly_settings.WEBHOOK_MAX_BODY_BYTES)
    length = str(inbound.request.META.get("CONTENT_LENGTH") or "0")
    declared = ascii_int(length)
    if declared is None:  # "-5", "٣", forty digits: no length to trust, nothing read
        raise Rejected(400, _("The Content-Length header is not a number of bytes."))
    if declared > limit:
        raise Rejected(413, _("The body is larger than %(limit)s bytes.") % {"limit": limit})
    inbound.body = inbound.request.read(limit + 1)
    if len(inbound.body) > limit:
        inbound.body = b""
        raise Rejected(413, _("The body is larger than %(limit)s bytes.") % {"limit": limit})


def signing_key_for(subscription: KnownSubscription) -> str:
    """The subscription's own key (personal access tokens), else the OAuth app's key."""
    return subscription.own_signing_key or calendly_settings.WEBHOOK_SIGNING_KEY


def signature_verdict(body: bytes, header: str, key: str, tolerance: int, now: float) -> str:
    """Why a signature is or is not good, using the foundation's ``verify_signature``."""
    if not key:
        return Signature.NO_KEY
    if not header:
        return Signature.MISSING
    if verify_signature(body, header, key, tolerance=tolerance, now=now):
        return Signature.VALID
    timestamp, _digests = parse_signature_header(header)
    if timestamp is not None and verify_signature(body, header, key, tolerance=10**12, now=now):
        return Signature.STALE
    return Signature.INVALID


def check_signature(inbound: Inbound) -> None:
    """The HMAC must match and its timestamp be within ``WEBHOOK_TOLERANCE`` of now.

    A mismatch against a key this process remembered is checked again against the key read
    afresh, so a subscription whose key changed elsewhere is never refused for a stale key.
    """
    header = str(inbound.request.META.get(_SIGNATURE_META, ""))
    tolerance = int(calendly_settings.WEBHOOK_TOLERANCE)
    now = time.time()
    key = signing_key_for(inbound.subscription)
    inbound.signature = signature_verdict(inbound.body, header, key, tolerance, now)
    if inbound.signature != Signature.VALID and not inbound.subscription.fresh:
        fresh = read_subscription(inbound.token)
        if fresh is None:
            raise Gone
        inbound.subscription = fresh
        if signing_key_for(fresh) != key:
            inbound.signature = signature_verdict(
                inbound.body, header, signing_key_for(fresh), tolerance, now
            )
    if inbound.signature != Signature.VALID:
        raise Rejected(400, Signature(inbound.signature).label)


def check_envelope(inbound: Inbound) -> None:
    """The body must be strict JSON (``untrusted.loads``), an object with an event name and a
    payload object."""
    try:
        envelope = loads(inbound.body)
    except UntrustedJSONError as error:
        raise Rejected(
            400, _("The body is not valid JSON: %(reason)s.") % {"reason": error.reason}
        ) from None
    if not (
        isinstance(envelope, dict)
        and isinstance(envelope.get("event"), str)
        and isinstance(envelope.get("payload"), dict)
    ):
        raise Rejected(400, _("The body is not a Calendly webhook envelope."))
    inbound.envelope = envelope


@handles_untrusted_input
class WebhookReceiverView(View):
    """POST ``<prefix>/webhooks/<token>/``: Calendly's deliveries for one subscription."""

    http_method_names = ["post"]
    validators = (check_size, check_signature, check_envelope)
    #: How a valid delivery is stored: ``store(key, fields, on_first=...)`` -> ``Stored``.
    store = staticmethod(store_first_or_duplicate)

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        """CSRF-exempt, outside ``ATOMIC_REQUESTS``; decorated once here rather than through
        ``method_decorator``, which rebuilds its wrapper on every request."""
        return transaction.non_atomic_requests(csrf_exempt(super().as_view(**initkwargs)))

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        if not _TOKEN.fullmatch(token):  # not one of ours: no query, nothing stored
            return unknown()
        subscription = find_subscription(token)
        if subscription is None:
            return unknown()
        inbound = Inbound(token, subscription, request)
        try:
            try:
                for validator in self.validators:
                    validator(inbound)
            except Rejected as rejected:
                delivery = self.store_rejected(inbound, rejected)
                logger.warning(
                    "Calendly webhook delivery %s for subscription %s rejected (%s): %s",
                    delivery.pk,
                    subscription.pk,
                    rejected.status_code,
                    rejected.reason,
                )
                return JsonResponse(
                    {"status": Status.INVALID, "reason": str(rejected.reason)},
                    status=rejected.status_code,
                )
            stored = self.store_valid(inbound)
        except Gone:
            return unknown()
        except IntegrityError:
            # A remembered subscription deleted elsewhere fails the delivery's foreign key.
            if read_subscription(token) is None:
                return unknown()
            raise
        return _ANSWERS[stored.status]()

    def store_valid(self, inbound: Inbound) -> Stored:
        """Insert the delivery; the first of its key queues processing when it commits."""
        envelope = inbound.envelope
        handled = envelope["event"] in HANDLERS
        fields = self.delivery_fields(inbound)
        fields["status"] = Status.RECEIVED if handled else Status.IGNORED

        def queue(pk: int) -> None:
            if handled:
                transaction.on_commit(lambda: wake_processing(pk))

        return self.store(dedupe_key(envelope), fields, on_first=queue)

    def store_rejected(self, inbound: Inbound, rejected: Rejected) -> WebhookDelivery:
        fields = self.delivery_fields(inbound)
        if not inbound.envelope and inbound.body:  # name the event if the body says, for audits
            try:
                claimed = loads(inbound.body)
            except UntrustedJSONError:
                claimed = None
            if isinstance(claimed, dict):
                fields["event"] = safe_text(str(claimed.get("event") or "")[:64])
                fields["payload_uri"] = safe_text(payload_uri(claimed.get("payload")))
        return WebhookDelivery.objects.create(
            **fields, status=Status.INVALID, error=safe_text(str(rejected.reason))
        )

    @staticmethod
    def delivery_fields(inbound: Inbound) -> dict[str, Any]:
        request, envelope = inbound.request, inbound.envelope
        meta = request.META
        return {
            "subscription_id": inbound.subscription.pk,
            "headers": {name: _kept(meta[key]) for name, key in _KEPT_META if key in meta},
            "remote_addr": _ip(request.META.get("REMOTE_ADDR")),
            "body": inbound.body,
            "signature": inbound.signature,
            "event": safe_text(str(envelope.get("event") or "")[:64]),
            "payload_uri": safe_text(payload_uri(envelope.get("payload"))),
            "event_created_at": safe_text(str(envelope.get("created_at") or "")[:64]),
        }


def _kept(value: Any) -> str:
    """A header value as it can be stored in JSON on every database: cut, NUL and surrogates
    replaced (a real server hands over short Latin-1 text, a test client or ASGI anything)."""
    return safe_text(str(value)[:MAX_KEPT_HEADER])


def _answer(status: str) -> Any:
    """A factory of the 200 answer for a stored delivery (its body encoded once)."""
    body = json.dumps({"status": status}).encode()
    return lambda: HttpResponse(body, content_type="application/json")


_ANSWERS = {status: _answer(status) for status in Status.values}


def unknown() -> JsonResponse:
    """The answer for a token that names no subscription (nothing is stored)."""
    return JsonResponse({"status": "unknown"}, status=404)


@functools.lru_cache(maxsize=1024)
def _ip(value: str | None) -> str | None:
    """The client's address in normal form (deliveries come from few addresses: cached)."""
    try:
        return str(ipaddress.ip_address(value or ""))
    except ValueError:
        return None
