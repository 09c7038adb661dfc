"""Webhook subscriptions and deliveries.

A subscription's callback URL carries the token that authenticates its deliveries, and PAT
subscriptions have a signing key of ours: neither is ever serialized.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from calendly_integration.api.fields import IdInput, choice_output
from calendly_integration.models import WebhookDelivery, WebhookSubscription


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookSubscription
        fields = (
            "id",
            "uri",
            "connection",
            "scope",
            "state",
            "events",
            "organization_uri",
            "user_uri",
            "retry_started_at",
            "last_checked_at",
            "last_error",
            "recreated_count",
            "calendly_created_at",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class WebhookSubscriptionCreateSerializer(serializers.Serializer):
    connection = IdInput(help_text=_("One of your connections' id."))
    scope = serializers.ChoiceField(
        choices=WebhookSubscription.Scope.choices,
        default=WebhookSubscription.Scope.USER,
        help_text=_("organization needs an organization owner or admin and the setting on."),
    )


class WebhookDeliverySerializer(serializers.ModelSerializer):
    status = choice_output(WebhookDelivery.Status.choices)
    payload = serializers.SerializerMethodField(
        help_text=_("The body as JSON, or null when it was not JSON.")
    )

    class Meta:
        model = WebhookDelivery
        fields = (
            "id",
            "subscription",
            "received_at",
            "event",
            "payload_uri",
            "event_created_at",
            "status",
            "signature",
            "attempts",
            "last_attempt_at",
            "processed_at",
            "error",
            "duplicate_of",
            "remote_addr",
            "headers",
            "payload",
        )
        read_only_fields = fields

    @extend_schema_field({"type": "object", "additionalProperties": True, "nullable": True})
    def get_payload(self, delivery: WebhookDelivery) -> Any:
        payload = delivery.decoded_body()
        return payload if isinstance(payload, dict) else None
