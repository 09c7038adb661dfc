"""Connections in the admin: who is connected, how, and whether it still works. Never a token.

Connections are made by their owners (Calendly login or a personal access token), so staff cannot
add or edit them here; they can disconnect them, which revokes the tokens at Calendly.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from calendly_integration.models import Connection
from calendly_integration.oauth.disconnect import disconnect


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "owner",
        "kind",
        "status_with_hint",
        "expires_at",
        "last_refreshed_at",
        "updated_at",
    )
    list_filter = ("status", "kind")
    search_fields = (
        "name",
        "email",
        "calendly_user_uri",
        "organization_uri",
        "owner__username",
        "owner__email",
    )
    list_select_related = ("owner",)
    date_hierarchy = "created_at"
    actions = ("disconnect_selected",)
    fields = (
        "owner",
        "name",
        "email",
        "calendly_user_uri",
        "organization_uri",
        "kind",
        "status",
        "reconnect_hint",
        "scopes",
        "expires_at",
        "last_refreshed_at",
        "last_error",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Connection | None = None) -> bool:
        return False

    @admin.display(description=_("status"), ordering="status")
    def status_with_hint(self, obj: Connection) -> str:
        if obj.needs_reauth:
            return format_html(
                "{} — <strong>{}</strong>", obj.get_status_display(), gettext("Reconnect Calendly")
            )
        return obj.get_status_display()

    @admin.display(description=_("reconnect"))
    def reconnect_hint(self, obj: Connection) -> str:
        if not obj.needs_reauth:
            return "—"
        if obj.kind == Connection.Kind.PAT:
            return gettext(
                "Reconnect Calendly: the owner must connect a new personal access token."
            )
        return gettext(
            "Reconnect Calendly: Calendly refused the refresh token, so the owner must sign in "
            "with Calendly again (Connect Calendly → Reconnect Calendly)."
        )

    @admin.action(description=_("Disconnect (revoke the tokens at Calendly)"))
    def disconnect_selected(self, request: HttpRequest, queryset: QuerySet[Connection]) -> None:
        count = 0
        for connection in queryset.exclude(status=Connection.Status.REVOKED):
            disconnect(connection)
            count += 1
        self.message_user(
            request,
            ngettext(
                "Disconnected %(count)d connection.",
                "Disconnected %(count)d connections.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
