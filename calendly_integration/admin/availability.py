"""Availability schedules: a user's working hours."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from calendly_integration.admin.base import MirroredAdmin
from calendly_integration.admin.display import EMPTY, admin_link, pretty_json
from calendly_integration.admin.filters import RemovedFilter
from calendly_integration.models import AvailabilitySchedule


@admin.register(AvailabilitySchedule)
class AvailabilityScheduleAdmin(MirroredAdmin):
    list_display = ("__str__", "user_link", "is_default", "timezone", "synced_at")
    list_filter = (
        "is_default",
        "timezone",
        ("user", admin.RelatedOnlyFieldListFilter),
        RemovedFilter,
    )
    list_select_related = ("user",)
    search_fields = ("name", "uri", "user_uri", "user__name", "user__email")
    date_hierarchy = "synced_at"
    autocomplete_fields = ("user", "organization")
    fields = ("name", "user_link", "organization_link", "is_default", "timezone", "rules_display")

    @admin.display(description=_("user"), ordering="user__name")
    def user_link(self, obj: AvailabilitySchedule) -> str:
        return admin_link(obj.user) if obj.user_id else obj.user_uri

    @admin.display(description=_("rules"))
    def rules_display(self, obj: AvailabilitySchedule) -> str:
        return pretty_json(obj.rules) if obj.rules else EMPTY
