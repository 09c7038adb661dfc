"""Connections: what a user may know about their own link to Calendly (never its tokens)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from calendly_integration.api.fields import choice_output
from calendly_integration.models import Connection


class ConnectionSerializer(serializers.ModelSerializer):
    status = choice_output(Connection.Status.choices)
    scopes = serializers.SerializerMethodField(
        help_text=_("Granted scopes; empty means full access.")
    )

    class Meta:
        model = Connection
        fields = (
            "id",
            "calendly_user_uri",
            "organization_uri",
            "name",
            "email",
            "kind",
            "status",
            "scopes",
            "expires_at",
            "last_refreshed_at",
            "last_error",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def get_scopes(self, connection: Connection) -> list[str]:
        return connection.scopes.split()


#: Printable ASCII without spaces: anything else cannot go into an HTTP header.
TOKEN_PATTERN = r"^[!-~]+$"


class ConnectTokenSerializer(serializers.Serializer):
    token = serializers.RegexField(
        TOKEN_PATTERN,
        write_only=True,
        max_length=2000,
        trim_whitespace=True,
        error_messages={"invalid": _("A token is printable characters without spaces.")},
        help_text=_("A Calendly personal access token; checked with Calendly before it is kept."),
        style={"input_type": "password"},
    )


class SyncRequestSerializer(serializers.Serializer):
    full = serializers.BooleanField(
        default=False, help_text=_("Sync everything, not only the recent window.")
    )


class SyncQueuedSerializer(serializers.Serializer):
    task_id = serializers.CharField(help_text=_("The django-q2 task id."))
    connection = serializers.IntegerField()
    full = serializers.BooleanField()


class SyncRunSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    full = serializers.BooleanField()
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    removed = serializers.IntegerField()
    error = serializers.CharField(allow_blank=True)


class WebhookStateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    scope = serializers.CharField()
    state = serializers.CharField()
    last_checked_at = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField(allow_blank=True)


class RateLimitSerializer(serializers.Serializer):
    limit = serializers.IntegerField(allow_null=True)
    remaining = serializers.IntegerField(allow_null=True)
    reset_seconds = serializers.FloatField(allow_null=True)


class ConnectionStatusSerializer(serializers.Serializer):
    connection = ConnectionSerializer()
    token_expires_at = serializers.DateTimeField(allow_null=True)
    scopes = serializers.ListField(child=serializers.CharField())
    full_access = serializers.BooleanField(
        help_text=_("True when no scopes were recorded (personal access tokens, older apps).")
    )
    last_sync = SyncRunSummarySerializer(allow_null=True)
    last_successful_sync_at = serializers.DateTimeField(allow_null=True)
    webhooks = WebhookStateSerializer(many=True)
    calendly_reachable = serializers.BooleanField(
        help_text=_("Whether Calendly answered a live check just now.")
    )
    calendly_error = serializers.CharField(allow_blank=True)
    calendly_error_code = serializers.CharField(
        allow_blank=True,
        help_text=_(
            "The error's code as every endpoint names it (e.g. connection_needs_reauth); "
            "empty when Calendly answered."
        ),
    )
    rate_limit = RateLimitSerializer(
        allow_null=True, help_text=_("Calendly's rate limit after the live check.")
    )
