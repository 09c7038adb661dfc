"""Scheduled events, their hosts, and the cancel action's input."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from calendly_integration.api.fields import choice_output
from calendly_integration.client.scheduled_events import MAX_REASON_LENGTH
from calendly_integration.models import EventHost, ScheduledEvent
from calendly_integration.models.scheduled_events import CancelerType


class EventHostSerializer(serializers.ModelSerializer):
    class Meta:
        model = EventHost
        fields = ("user_uri", "name", "email")
        read_only_fields = fields


class ScheduledEventSerializer(serializers.ModelSerializer):
    status = choice_output(ScheduledEvent.Status.choices)
    canceler_type = choice_output(CancelerType.choices, blank=True)
    hosts = EventHostSerializer(many=True, read_only=True)

    class Meta:
        model = ScheduledEvent
        fields = (
            "id",
            "uri",
            "name",
            "status",
            "start_time",
            "end_time",
            "event_type",
            "event_type_uri",
            "location_type",
            "location",
            "join_url",
            "invitees_total",
            "invitees_active",
            "invitees_limit",
            "meeting_notes",
            "canceled_at",
            "canceled_by",
            "canceler_type",
            "cancel_reason",
            "hosts",
            "organization",
            "calendly_created_at",
            "calendly_updated_at",
            "synced_at",
            "removed_at",
        )
        read_only_fields = fields


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_REASON_LENGTH,
        trim_whitespace=True,
        help_text=_("Why the event is canceled; Calendly shows it to the invitees."),
    )
