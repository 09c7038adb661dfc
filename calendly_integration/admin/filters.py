"""List filters that Django does not have: still at Calendly or removed, upcoming or past."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RemovedFilter(admin.SimpleListFilter):
    """Rows Calendly still lists, or rows a complete listing no longer had."""

    title = _("at Calendly")
    parameter_name = "at_calendly"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("listed", _("Still listed")), ("removed", _("Removed"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "listed":
            return queryset.filter(removed_at__isnull=True)
        if self.value() == "removed":
            return queryset.filter(removed_at__isnull=False)
        return queryset


class WhenFilter(admin.SimpleListFilter):
    """Upcoming or past, by the start time at ``field`` (the event's, or an invitee's event's)."""

    title = _("when")
    parameter_name = "when"
    field = "start_time"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("upcoming", _("Upcoming")), ("past", _("Past"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        now = timezone.now()
        if self.value() == "upcoming":
            return queryset.filter(**{f"{self.field}__gte": now})
        if self.value() == "past":
            return queryset.filter(**{f"{self.field}__lt": now})
        return queryset


class EventWhenFilter(WhenFilter):
    field = "event__start_time"


class EventTypeFilter(admin.RelatedOnlyFieldListFilter):
    """Event types in the list, named with their owner: several hosts' types share a name."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> list:
        used = (
            model_admin.get_queryset(request)
            .distinct()
            .values_list(f"{self.field_path}__pk", flat=True)
        )
        rows = field.related_model._default_manager.filter(pk__in=used).order_by(
            "name", "profile_name", "pk"
        )
        return [
            (row.pk, f"{row} ({row.profile_name})" if row.profile_name else str(row))
            for row in rows.only("pk", "name", "uri", "profile_name")
        ]


class ConnectionFilter(admin.RelatedOnlyFieldListFilter):
    """Connections in the list, each named with the site user who owns it.

    Two site users may connect the same Calendly account, and a connection's own name is its
    Calendly user's: without the owner the filter listed the same label twice.
    """

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> list:
        used = (
            model_admin.get_queryset(request)
            .distinct()
            .values_list(f"{self.field_path}__pk", flat=True)
        )
        rows = (
            field.related_model._default_manager.filter(pk__in=used)
            .select_related("owner")
            .order_by("name", "email", "pk")
        )
        return [(row.pk, f"{row} · {row.owner}") for row in rows]
