"""Busy times, asked live from Calendly."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from calendly_integration.api.serializers.event_types import TimeRangeQuerySerializer


class BusyTimesQuerySerializer(TimeRangeQuerySerializer):
    user = serializers.CharField(
        required=False,
        max_length=255,
        help_text=_("A Calendly user URI; by default, the user of your first connection."),
    )


class BusyTimeEventSerializer(serializers.Serializer):
    uri = serializers.CharField()


class BusyTimeSerializer(serializers.Serializer):
    type = serializers.CharField(help_text=_("calendly or external."))
    start_time = serializers.DateTimeField()
    end_time = serializers.DateTimeField()
    buffered_start_time = serializers.DateTimeField(required=False)
    buffered_end_time = serializers.DateTimeField(required=False)
    event = BusyTimeEventSerializer(required=False)
