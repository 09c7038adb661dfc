"""What every ModelAdmin of the app shares: tenancy, read-only mirrored rows, readable JSON.

Mirrored rows are Calendly's data: editing one here would be silently undone by the next sync
and never reach Calendly, so they are viewable, never added, edited or deleted in the admin.
Changing something at Calendly is what the actions are for.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from calendly_integration.admin.actions import ConfirmedActionsMixin
from calendly_integration.admin.display import EMPTY, admin_link, pretty_json


class ScopedAdmin(ConfirmedActionsMixin, admin.ModelAdmin):
    """Rows limited to what the user may see: the model's ``visible_to(user)``, the one tenancy
    rule (``models.tenancy``; staff limited to their organizations are limited here too)."""

    list_per_page = 100
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).visible_to(request.user)


class ReadOnlyAdmin(ScopedAdmin):
    """Viewable only: no add, no edit, no delete (actions still act, through Calendly)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MirroredAdmin(ReadOnlyAdmin):
    """A mirrored Calendly object: URI, timestamps and the raw JSON, pretty and read-only."""

    mirror_fields = (
        "uri",
        "calendly_created_at",
        "calendly_updated_at",
        "synced_at",
        "removed_at",
        "raw_json",
    )

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list:
        return [
            (None, {"fields": tuple(self.fields or ())}),
            (_("At Calendly"), {"fields": self.mirror_fields, "classes": ("collapse",)}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return (*(self.fields or ()), *self.mirror_fields)

    @admin.display(description=_("raw data"))
    def raw_json(self, obj: Any) -> str:
        return pretty_json(obj.raw)

    @admin.display(description=_("organization"), ordering="organization__name")
    def organization_link(self, obj: Any) -> str:
        return admin_link(obj.organization) if obj.organization_id else EMPTY
