"""What every ModelAdmin of the app shares: tenancy, read-only mirrored rows, readable JSON.

Mirrored rows are Calendly's data: editing one here would be silently undone by the next sync
and never reach Calendly, so they are viewable, never added, edited or deleted in the admin.
Changing something at Calendly is what the actions are for.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import IntegerField, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern
from django.utils.translation import gettext_lazy as _

from calendly_integration.admin.actions import ConfirmedActionsMixin
from calendly_integration.admin.display import EMPTY, admin_link, pretty_json
from calendly_integration.admin.hostile import (
    bad_date_hierarchy,
    refuse_unsafe_requests,
    without_date_hierarchy,
)
from calendly_integration.untrusted import ascii_int


class ScopedAdmin(ConfirmedActionsMixin, admin.ModelAdmin):
    """Rows limited to what the user may see: the model's ``visible_to(user)``, the one tenancy
    rule (``models.tenancy``; staff limited to their organizations are limited here too)."""

    list_per_page = 100
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).visible_to(request.user)

    def get_urls(self) -> list:
        """Every page of this admin (Django's and ours) answers 400 to a path, query string or
        header with a NUL or a lone surrogate, which would otherwise reach the database."""
        return [
            URLPattern(
                entry.pattern,
                refuse_unsafe_requests(entry.callback),
                entry.default_args,
                entry.name,
            )
            if isinstance(entry, URLPattern)
            else entry
            for entry in super().get_urls()
        ]

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        """``None`` (Django's "does not exist") for an id that is not plain ASCII digits:
        ``int()`` reads ``"٣"`` as 3, which would open another object than the one named."""
        field = (
            self.model._meta.pk if from_field is None else self.model._meta.get_field(from_field)
        )
        if isinstance(field, IntegerField) and ascii_int(str(object_id)) is None:
            return None
        return super().get_object(request, object_id, from_field)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Django's list, after refusing a date hierarchy date no date column can hold (Django
        reads ``year=9999&month=12`` into an overflow, a 500): back to the list, with why."""
        problem = bad_date_hierarchy(request.GET, self.date_hierarchy)
        if problem:
            messages.error(request, problem)
            return HttpResponseRedirect(without_date_hierarchy(request, self.date_hierarchy))
        return super().changelist_view(request, extra_context)

    def response_action(
        self, request: HttpRequest, queryset: QuerySet, *args: Any, **kwargs: Any
    ) -> HttpResponse | None:
        """Django's action handling with only the selected ids that are plain ASCII digits.

        Extra arguments pass through: Django 6.1 adds ``action_location``.
        """
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        kept = [value for value in selected if ascii_int(value) is not None]
        if kept != selected:
            post = request.POST.copy()
            post.setlist(ACTION_CHECKBOX_NAME, kept)
            request.POST = post
        return super().response_action(request, queryset, *args, **kwargs)


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
