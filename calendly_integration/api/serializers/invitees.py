"""Invitees of scheduled events (answers, tracking, payment, cancellation, no-show)."""

from __future__ import annotations

from rest_framework import serializers

from calendly_integration.api.fields import choice_output
from calendly_integration.client.tracking import TRACKING_KEYS
from calendly_integration.models import Invitee
from calendly_integration.models.scheduled_events import CancelerType


class InviteeSerializer(serializers.ModelSerializer):
    status = choice_output(Invitee.Status.choices)
    canceler_type = choice_output(CancelerType.choices, blank=True)

    class Meta:
        model = Invitee
        fields = (
            "id",
            "uri",
            "event",
            "name",
            "first_name",
            "last_name",
            "email",
            "status",
            "timezone",
            "text_reminder_number",
            "questions_and_answers",
            *TRACKING_KEYS,
            "payment_provider",
            "payment_external_id",
            "payment_amount",
            "payment_currency",
            "payment_successful",
            "rescheduled",
            "old_invitee_uri",
            "new_invitee_uri",
            "cancel_url",
            "reschedule_url",
            "canceled_at",
            "canceled_by",
            "canceler_type",
            "cancel_reason",
            "routing_form_submission_uri",
            "is_no_show",
            "no_show_created_at",
            "organization",
            "calendly_created_at",
            "calendly_updated_at",
            "synced_at",
            "removed_at",
        )
        read_only_fields = fields
