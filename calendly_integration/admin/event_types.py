"""Event types (what can be booked) and the single-use links handed out for them."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from calendly_integration.admin.base import MirroredAdmin
from calendly_integration.admin.display import admin_link, changelist_link, external_link
from calendly_integration.admin.filters import EventTypeFilter, RemovedFilter
from calendly_integration.admin.link_actions import BuildPrefilledLink, CreateSingleUseLinks
from calendly_integration.models import EventType, ScheduledEvent, SchedulingLink


@admin.register(EventType)
class EventTypeAdmin(MirroredAdmin):
    list_display = (
        "__str__",
        "owner_link",
        "kind",
        "duration",
        "active",
        "secret",
        "booking_page",
        "organization_link",
        "synced_at",
    )
    list_filter = (
        "active",
        "kind",
        "type",
        "pooling_type",
        "secret",
        ("owner", admin.RelatedOnlyFieldListFilter),
        ("organization", admin.RelatedOnlyFieldListFilter),
        RemovedFilter,
    )
    list_select_related = ("owner", "organization")
    search_fields = ("name", "slug", "uri", "profile_name", "owner__name", "owner__email")
    date_hierarchy = "calendly_created_at"
    autocomplete_fields = ("owner", "organization")
    confirmed_actions = (CreateSingleUseLinks, BuildPrefilledLink)
    fields = (
        "name",
        "slug",
        "owner_link",
        "organization_link",
        "booking_page",
        "active",
        "secret",
        "kind",
        "type",
        "pooling_type",
        "booking_method",
        "admin_managed",
        "duration",
        "color",
        "profile_type",
        "profile_name",
        "description",
        "internal_note",
        "deleted_at",
        "related",
    )

    @admin.display(description=_("owner"), ordering="owner__name")
    def owner_link(self, obj: EventType) -> str:
        return admin_link(obj.owner) if obj.owner_id else obj.profile_name or obj.owner_uri

    @admin.display(description=_("booking page"))
    def booking_page(self, obj: EventType) -> str:
        return external_link(obj.scheduling_url, _("Book") if obj.scheduling_url else None)

    @admin.display(description=_("see also"))
    def related(self, obj: EventType) -> str:
        return format_html(
            "{} · {}",
            changelist_link(ScheduledEvent, _("Scheduled events"), event_type__id__exact=obj.pk),
            changelist_link(SchedulingLink, _("Single-use links"), owner__id__exact=obj.pk),
        )


@admin.register(SchedulingLink)
class SchedulingLinkAdmin(MirroredAdmin):
    list_display = ("booking_link", "event_type_link", "max_event_count", "synced_at")
    list_filter = (
        ("owner", EventTypeFilter),
        ("organization", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("owner",)
    search_fields = ("booking_url", "owner__name", "owner_uri")
    date_hierarchy = "synced_at"
    autocomplete_fields = ("owner", "organization")
    fields = ("booking_link", "event_type_link", "organization_link", "max_event_count")
    mirror_fields = ("uri", "synced_at", "raw_json")

    @admin.display(description=_("booking URL"), ordering="booking_url")
    def booking_link(self, obj: SchedulingLink) -> str:
        return external_link(obj.booking_url)

    @admin.display(description=_("event type"), ordering="owner__name")
    def event_type_link(self, obj: SchedulingLink) -> str:
        return admin_link(obj.owner) if obj.owner_id else obj.owner_uri
