"""Event types, their live available times, and single-use links made for them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from calendly_integration.api.fields import DateTimeParameter, choice_output
from calendly_integration.models import EventType, SchedulingLink


class EventTypeSerializer(serializers.ModelSerializer):
    kind = choice_output(EventType.Kind.choices, blank=True)

    class Meta:
        model = EventType
        fields = (
            "id",
            "uri",
            "name",
            "slug",
            "active",
            "secret",
            "kind",
            "type",
            "pooling_type",
            "booking_method",
            "admin_managed",
            "duration",
            "color",
            "scheduling_url",
            "description",
            "internal_note",
            "profile_type",
            "profile_name",
            "owner_uri",
            "organization",
            "deleted_at",
            "calendly_created_at",
            "calendly_updated_at",
            "synced_at",
            "removed_at",
        )
        read_only_fields = fields


class TimeRangeQuerySerializer(serializers.Serializer):
    """[start_time, end_time): at most 7 days, as Calendly allows."""

    start_time = DateTimeParameter(help_text=_("ISO 8601, e.g. 2026-11-24T09:00:00Z."))
    end_time = DateTimeParameter(help_text=_("After start_time, at most 7 days later."))


class AvailableTimeSerializer(serializers.Serializer):
    status = serializers.CharField()
    start_time = serializers.DateTimeField()
    invitees_remaining = serializers.IntegerField(required=False)
    scheduling_url = serializers.URLField(required=False)


class SchedulingLinkSerializer(serializers.ModelSerializer):
    event_type = serializers.PrimaryKeyRelatedField(source="owner", read_only=True)

    class Meta:
        model = SchedulingLink
        fields = (
            "id",
            "booking_url",
            "owner_uri",
            "owner_type",
            "event_type",
            "max_event_count",
            "organization",
            "synced_at",
        )
        read_only_fields = fields


class PrefillSerializer(serializers.Serializer):
    """What Calendly's booking page opens with; every field is optional."""

    name = serializers.CharField(required=False, max_length=255)
    email = serializers.EmailField(required=False, max_length=255)
    first_name = serializers.CharField(required=False, max_length=255)
    last_name = serializers.CharField(required=False, max_length=255)
    utm_source = serializers.CharField(required=False, max_length=255)
    utm_medium = serializers.CharField(required=False, max_length=255)
    utm_campaign = serializers.CharField(required=False, max_length=255)
    utm_content = serializers.CharField(required=False, max_length=255)
    utm_term = serializers.CharField(required=False, max_length=255)
    salesforce_uuid = serializers.CharField(required=False, max_length=255)
    answers = serializers.ListField(
        required=False,
        child=serializers.CharField(max_length=1000, allow_blank=True),
        max_length=10,
        help_text=_("Answers to the event type's questions, in order (a1..a10)."),
    )


class SingleUseLinkResultSerializer(serializers.Serializer):
    booking_url = serializers.URLField(help_text=_("The link to hand out, prefilled."))
    scheduling_link = SchedulingLinkSerializer()
