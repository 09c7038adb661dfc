"""Routing forms, their submissions, and availability schedules (read-only mirrors)."""

from __future__ import annotations

from rest_framework import serializers

from calendly_integration.api.fields import choice_output
from calendly_integration.client.tracking import TRACKING_KEYS
from calendly_integration.models import AvailabilitySchedule, RoutingForm, RoutingFormSubmission

MIRROR_FIELDS = ("calendly_created_at", "calendly_updated_at", "synced_at", "removed_at")


class RoutingFormSerializer(serializers.ModelSerializer):
    status = choice_output(RoutingForm.Status.choices, blank=True)

    class Meta:
        model = RoutingForm
        fields = ("id", "uri", "name", "status", "questions", "organization", *MIRROR_FIELDS)
        read_only_fields = fields


class RoutingFormSubmissionSerializer(serializers.ModelSerializer):
    result_type = choice_output(RoutingFormSubmission.ResultType.choices, blank=True)

    class Meta:
        model = RoutingFormSubmission
        fields = (
            "id",
            "uri",
            "form",
            "submitter_uri",
            "submitter_type",
            "questions_and_answers",
            "result_type",
            "result_value",
            *TRACKING_KEYS,
            "organization",
            *MIRROR_FIELDS,
        )
        read_only_fields = fields


class AvailabilityScheduleSerializer(serializers.ModelSerializer):
    class Meta:
        model = AvailabilitySchedule
        fields = (
            "id",
            "uri",
            "user_uri",
            "user",
            "name",
            "is_default",
            "timezone",
            "rules",
            "organization",
            *MIRROR_FIELDS,
        )
        read_only_fields = fields
