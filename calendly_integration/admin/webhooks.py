"""Webhook subscriptions and the log of every delivery the receiver got.

A subscription's callback URL carries the token that authenticates its deliveries, and PAT
subscriptions have a signing key: neither is ever shown. The URL appears with its token masked,
in the list, on the page and inside the raw JSON.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from calendly_integration.admin.base import ReadOnlyAdmin
from calendly_integration.admin.display import EMPTY, admin_link, changelist_link, pretty_json
from calendly_integration.admin.filters import ConnectionFilter
from calendly_integration.admin.webhook_actions import (
    DeleteSubscription,
    RecreateSubscription,
    ReplayDelivery,
)
from calendly_integration.models import WebhookDelivery, WebhookSubscription
from calendly_integration.untrusted import scrub

MASK = "•••"


def mask_token(text: str, token: str) -> str:
    return text.replace(token, MASK) if token else text


def masked_raw(subscription: WebhookSubscription) -> Any:
    """The raw JSON with the callback token masked wherever it appears."""
    text = json.dumps(subscription.raw, default=str)
    return json.loads(mask_token(text, subscription.token))


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__",
        "connection_link",
        "scope",
        "state",
        "failed_deliveries",
        "last_checked_at",
        "retry_started_at",
        "recreated_count",
        "short_error",
    )
    list_filter = ("state", "scope", ("organization", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("connection",)
    search_fields = ("uri", "user_uri", "organization_uri", "connection__email", "last_error")
    date_hierarchy = "created_at"
    autocomplete_fields = ("connection", "organization")
    confirmed_actions = (DeleteSubscription, RecreateSubscription)
    fields = (
        "uri",
        "connection_link",
        "scope",
        "state",
        "events",
        "masked_callback_url",
        "organization_uri",
        "user_uri",
        "failed_deliveries",
        "retry_started_at",
        "last_checked_at",
        "last_error",
        "recreated_count",
        "calendly_created_at",
        "calendly_updated_at",
        "created_at",
        "updated_at",
        "raw_json",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        failed = Count("deliveries", filter=Q(deliveries__status=WebhookDelivery.Status.FAILED))
        return super().get_queryset(request).annotate(failed_total=failed)

    @admin.display(description=_("connection"), ordering="connection__name")
    def connection_link(self, obj: WebhookSubscription) -> str:
        return admin_link(obj.connection)

    @admin.display(description=_("failed deliveries"), ordering="failed_total")
    def failed_deliveries(self, obj: WebhookSubscription) -> str:
        return changelist_link(
            WebhookDelivery,
            str(obj.failed_total),
            subscription__id__exact=obj.pk,
            status__exact=WebhookDelivery.Status.FAILED,
        )

    @admin.display(description=_("last error"))
    def short_error(self, obj: WebhookSubscription) -> str:
        return Truncator(obj.last_error).chars(80) or EMPTY

    @admin.display(description=_("callback URL"))
    def masked_callback_url(self, obj: WebhookSubscription) -> str:
        return mask_token(obj.callback_url, obj.token)

    @admin.display(description=_("raw data"))
    def raw_json(self, obj: WebhookSubscription) -> str:
        return pretty_json(masked_raw(obj))


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__",
        "event",
        "status",
        "signature",
        "subscription_link",
        "payload_uri",
        "attempts",
        "short_error",
    )
    list_filter = (
        "status",
        "signature",
        "event",
        "subscription__scope",
        ("subscription__connection", ConnectionFilter),
    )
    list_select_related = ("subscription",)
    search_fields = ("payload_uri", "event", "error", "dedupe_key")
    date_hierarchy = "received_at"
    autocomplete_fields = ("subscription",)
    confirmed_actions = (ReplayDelivery,)
    fields = (
        "received_at",
        "event",
        "status",
        "signature",
        "subscription_link",
        "payload_uri",
        "event_created_at",
        "duplicate_link",
        "attempts",
        "last_attempt_at",
        "processed_at",
        "error",
        "remote_addr",
        "headers_json",
        "body_json",
    )
    readonly_fields = fields

    @admin.display(description=_("subscription"), ordering="subscription")
    def subscription_link(self, obj: WebhookDelivery) -> str:
        return admin_link(obj.subscription) if obj.subscription_id else EMPTY

    @admin.display(description=_("duplicate of"))
    def duplicate_link(self, obj: WebhookDelivery) -> str:
        return admin_link(obj.duplicate_of) if obj.duplicate_of_id else EMPTY

    @admin.display(description=_("error"))
    def short_error(self, obj: WebhookDelivery) -> str:
        return Truncator(obj.error).chars(80) or EMPTY

    @admin.display(description=_("headers"))
    def headers_json(self, obj: WebhookDelivery) -> str:
        return pretty_json(scrub(obj.headers))

    @admin.display(description=_("body"))
    def body_json(self, obj: WebhookDelivery) -> str:
        """The body as JSON, or as text when it is not strict JSON (see ``decoded_body``)."""
        decoded = obj.decoded_body()
        return pretty_json(obj.body_text if decoded is None else decoded)
