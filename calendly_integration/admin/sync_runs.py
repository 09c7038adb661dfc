"""Sync runs and each connection's sync state: the record of what syncing did, read-only."""

from __future__ import annotations

from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from calendly_integration.admin.base import ReadOnlyAdmin
from calendly_integration.admin.display import EMPTY, admin_link, pretty_json
from calendly_integration.models import SyncRun, SyncState


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__",
        "connection_link",
        "status",
        "full",
        "resumed",
        "duration",
        "created",
        "updated",
        "unchanged",
        "removed",
        "http_requests",
        "short_error",
    )
    list_filter = ("status", "full", "resumed", "error_type")
    list_select_related = ("connection",)
    search_fields = ("error", "error_type", "connection__name", "connection__email")
    date_hierarchy = "started_at"
    autocomplete_fields = ("connection", "organization")
    fields = (
        "connection_link",
        "organization",
        "status",
        "full",
        "resumed",
        "window_start",
        "window_end",
        "started_at",
        "finished_at",
        "duration",
        "created",
        "updated",
        "unchanged",
        "removed",
        "http_requests",
        "pages",
        "counts_json",
        "warnings_json",
        "error_type",
        "error",
        "retry_at",
    )
    readonly_fields = fields

    @admin.display(description=_("connection"), ordering="connection__name")
    def connection_link(self, obj: SyncRun) -> str:
        return admin_link(obj.connection)

    @admin.display(description=_("error"))
    def short_error(self, obj: SyncRun) -> str:
        return Truncator(obj.error).chars(80) or EMPTY

    @admin.display(description=_("counts per kind"))
    def counts_json(self, obj: SyncRun) -> str:
        return pretty_json(obj.counts)

    @admin.display(description=_("warnings"))
    def warnings_json(self, obj: SyncRun) -> str:
        return pretty_json(obj.warnings) if obj.warnings else EMPTY


@admin.register(SyncState)
class SyncStateAdmin(ReadOnlyAdmin):
    list_display = (
        "connection_link",
        "locked_until",
        "last_success_at",
        "last_full_sync_at",
        "run_link",
    )
    list_select_related = ("connection", "run")
    search_fields = ("connection__name", "connection__email")
    date_hierarchy = "last_success_at"
    autocomplete_fields = ("connection",)
    fields = (
        "connection_link",
        "locked_until",
        "run_link",
        "last_success_at",
        "last_full_sync_at",
        "cursor_json",
    )
    readonly_fields = fields

    @admin.display(description=_("connection"), ordering="connection__name")
    def connection_link(self, obj: SyncState) -> str:
        return admin_link(obj.connection)

    @admin.display(description=_("current or last run"))
    def run_link(self, obj: SyncState) -> str:
        return admin_link(obj.run) if obj.run_id else EMPTY

    @admin.display(description=_("resume cursor"))
    def cursor_json(self, obj: SyncState) -> str:
        return pretty_json(obj.cursor) if obj.cursor else EMPTY
