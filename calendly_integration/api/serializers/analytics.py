"""Analytics: the query (a date range and a time zone) and the shape of the answer."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from calendly_integration.api.fields import DateParameter

DEFAULT_SPAN = timedelta(days=30)
#: Every IANA zone this Python knows, so the schema lists exactly what is accepted.
TIME_ZONES = sorted(available_timezones() | {"UTC"})


class AnalyticsQuerySerializer(serializers.Serializer):
    start = DateParameter(
        required=False, help_text=_("First day (inclusive); default 30 days before end.")
    )
    end = DateParameter(required=False, help_text=_("Last day (inclusive); default today."))
    timezone = serializers.ChoiceField(
        choices=TIME_ZONES,
        required=False,
        default="UTC",
        help_text=_("IANA time zone the days, weekdays and hours are read in."),
        error_messages={"invalid_choice": _("Unknown time zone.")},
    )

    def validate_timezone(self, value: str) -> ZoneInfo:
        try:
            return ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise serializers.ValidationError(gettext("Unknown time zone.")) from None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        zone = attrs.get("timezone") or ZoneInfo("UTC")
        end = attrs.get("end") or timezone.now().astimezone(zone).date()
        start = attrs.get("start") or end - DEFAULT_SPAN
        if end < start:
            raise serializers.ValidationError({"end": [gettext("Must not be before start.")]})
        return {
            "start": datetime.combine(start, time.min, tzinfo=zone),
            "end": datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
            "timezone": zone,
        }


class RangeSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    timezone = serializers.CharField()


class TotalsSerializer(serializers.Serializer):
    events = serializers.IntegerField()
    active = serializers.IntegerField()
    canceled = serializers.IntegerField()
    invitees = serializers.IntegerField()
    active_invitees = serializers.IntegerField()
    no_shows = serializers.IntegerField()


class StatusCountSerializer(serializers.Serializer):
    status = serializers.CharField()
    count = serializers.IntegerField()


class CountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    active = serializers.IntegerField()
    canceled = serializers.IntegerField()


class EventTypeCountSerializer(CountsSerializer):
    event_type_id = serializers.IntegerField(allow_null=True)
    event_type_uri = serializers.CharField()
    name = serializers.CharField(allow_null=True)


class HostCountSerializer(CountsSerializer):
    user_uri = serializers.CharField()
    name = serializers.CharField(allow_null=True)
    email = serializers.CharField(allow_null=True)


class WeekdayHourCountSerializer(CountsSerializer):
    weekday = serializers.IntegerField(help_text=_("ISO weekday: 1 is Monday, 7 Sunday."))
    hour = serializers.IntegerField()


@extend_schema_serializer(many=False)
class AnalyticsSerializer(serializers.Serializer):
    range = RangeSerializer()
    totals = TotalsSerializer()
    by_status = StatusCountSerializer(many=True)
    by_event_type = EventTypeCountSerializer(many=True)
    by_host = HostCountSerializer(many=True)
    by_weekday_hour = WeekdayHourCountSerializer(many=True)
    cancellation_rate = serializers.FloatField(
        allow_null=True, help_text=_("Canceled events over all events; null without events.")
    )
    no_show_rate = serializers.FloatField(
        allow_null=True,
        help_text=_(
            "No-shows over the active invitees of active events that have started; null when "
            "there are none."
        ),
    )
