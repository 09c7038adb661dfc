"""Interview links: one single-use, prefilled booking link per candidate."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from calendly_integration.api.fields import IdInput
from calendly_integration.api.serializers.errors import ErrorSerializer
from calendly_integration.services.links import MAX_CANDIDATES


class CandidateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    email = serializers.EmailField(max_length=255)
    utm_source = serializers.CharField(required=False, max_length=255)
    utm_medium = serializers.CharField(required=False, max_length=255)
    utm_campaign = serializers.CharField(required=False, max_length=255)
    utm_content = serializers.CharField(required=False, max_length=255)
    utm_term = serializers.CharField(required=False, max_length=255)


class InterviewLinksRequestSerializer(serializers.Serializer):
    event_type = IdInput(help_text=_("The id of the event type to book."))
    candidates = serializers.ListField(
        child=CandidateSerializer(),
        min_length=1,
        max_length=MAX_CANDIDATES,
        help_text=_("Up to 100 candidates; each gets a link of their own."),
    )


class InterviewLinkResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text=_("Position of the candidate in the request."))
    name = serializers.CharField()
    email = serializers.CharField()
    booking_url = serializers.URLField(allow_null=True)
    scheduling_link = serializers.IntegerField(allow_null=True)
    error = ErrorSerializer(allow_null=True)


class InterviewLinksResultSerializer(serializers.Serializer):
    event_type = serializers.IntegerField()
    created = serializers.IntegerField()
    failed = serializers.IntegerField()
    results = InterviewLinkResultSerializer(many=True)
