"""The one error shape every failure answers with (for the schema; the handler builds it)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("A stable, machine-readable error code."))
    detail = serializers.CharField(help_text=_("What went wrong, for people."))
    errors = serializers.DictField(
        required=False,
        child=serializers.JSONField(),
        help_text=_("Messages per field, for invalid input."),
    )
    missing_scopes = serializers.ListField(
        required=False,
        child=serializers.CharField(),
        help_text=_("The Calendly scopes to grant when reconnecting."),
    )
    retry_after = serializers.IntegerField(
        required=False, help_text=_("Seconds to wait before trying again.")
    )
