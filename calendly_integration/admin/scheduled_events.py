"""Scheduled events with their hosts and invitees, each browsable on its own too."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Case, F, Prefetch, QuerySet, When
from django.db.models.functions import Now
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from calendly_integration.admin.base import MirroredAdmin, ReadOnlyAdmin
from calendly_integration.admin.display import (
    EMPTY,
    admin_link,
    calendly_links,
    changelist_link,
    external_link,
    pretty_json,
)
from calendly_integration.admin.event_actions import (
    CancelOnCalendly,
    MarkNoShow,
    RefreshFromCalendly,
    UnmarkNoShow,
)
from calendly_integration.admin.filters import (
    EventTypeFilter,
    EventWhenFilter,
    RemovedFilter,
    WhenFilter,
)
from calendly_integration.models import EventHost, Invitee, ScheduledEvent


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventHostInline(ReadOnlyInline):
    model = EventHost
    fields = ("name", "email", "user_uri")
    readonly_fields = fields


class InviteeInline(ReadOnlyInline):
    model = Invitee
    fields = ("name", "email", "status", "is_no_show", "rescheduled", "calendly")
    readonly_fields = fields

    @admin.display(description=_("at Calendly"))
    def calendly(self, obj: Invitee) -> str:
        return calendly_links((_("Reschedule"), obj.reschedule_url), (_("Cancel"), obj.cancel_url))


@admin.register(ScheduledEvent)
class ScheduledEventAdmin(MirroredAdmin):
    # Five narrow columns fit beside the admin's sidebar and filters at 1280 px; the event type
    # and the organization are filters (and on the change page), the name and the time are links.
    list_display = ("start_time", "name", "status", "host_names", "invitee_counts")
    list_display_links = ("start_time", "name")
    list_filter = (
        "status",
        WhenFilter,
        ("event_type", EventTypeFilter),
        ("organization", admin.RelatedOnlyFieldListFilter),
        "location_type",
        "canceler_type",
        RemovedFilter,
    )
    list_select_related = ("event_type", "organization")
    search_fields = ("name", "uri", "hosts__name", "hosts__email", "invitees__email")
    date_hierarchy = "start_time"
    autocomplete_fields = ("event_type", "organization")
    inlines = (EventHostInline, InviteeInline)
    confirmed_actions = (CancelOnCalendly, RefreshFromCalendly)
    fields = (
        "name",
        "status",
        "start_time",
        "end_time",
        "event_type_link",
        "organization_link",
        "location_type",
        "location",
        "meeting_link",
        "invitee_counts",
        "invitees_limit",
        "meeting_notes",
        "canceled_at",
        "canceled_by",
        "canceler_type",
        "cancel_reason",
        "invitees_synced_at",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        hosts = Prefetch("hosts", queryset=EventHost.objects.order_by("position"))
        upcoming = Case(When(start_time__gte=Now(), then=F("start_time")), default=None)
        return (
            super().get_queryset(request).prefetch_related(hosts).annotate(upcoming_start=upcoming)
        )

    def get_ordering(self, request: HttpRequest) -> list[Any]:
        """Upcoming meetings soonest first, then past ones latest first: what staff look for.

        Plain ``-start_time`` put meetings a year ahead on page one and today's on page five.
        """
        return [F("upcoming_start").asc(nulls_last=True), "-start_time"]

    @admin.display(description=_("event type"), ordering="event_type__name")
    def event_type_link(self, obj: ScheduledEvent) -> str:
        return admin_link(obj.event_type) if obj.event_type_id else obj.event_type_uri or EMPTY

    @admin.display(description=_("hosts"))
    def host_names(self, obj: ScheduledEvent) -> str:
        return ", ".join(str(host) for host in obj.hosts.all()) or EMPTY

    @admin.display(description=_("invitees (active/all)"))
    def invitee_counts(self, obj: ScheduledEvent) -> str:
        return changelist_link(
            Invitee, f"{obj.invitees_active}/{obj.invitees_total}", event__id__exact=obj.pk
        )

    @admin.display(description=_("meeting link"))
    def meeting_link(self, obj: ScheduledEvent) -> str:
        return external_link(obj.join_url)


@admin.register(Invitee)
class InviteeAdmin(MirroredAdmin):
    list_display = (
        "__str__",
        "email",
        "event_link",
        "event_start",
        "status",
        "is_no_show",
        "rescheduled",
        "utm_source",
        "calendly",
    )
    list_filter = (
        "status",
        "is_no_show",
        "rescheduled",
        EventWhenFilter,
        ("event__event_type", EventTypeFilter),
        ("organization", admin.RelatedOnlyFieldListFilter),
        "utm_source",
        RemovedFilter,
    )
    list_select_related = ("event",)
    search_fields = ("name", "email", "uri", "event__name", "utm_campaign", "utm_source")
    date_hierarchy = "calendly_created_at"
    autocomplete_fields = ("event", "organization")
    confirmed_actions = (MarkNoShow, UnmarkNoShow)
    fields = (
        "name",
        "first_name",
        "last_name",
        "email",
        "event_link",
        "event_start",
        "status",
        "calendly",
        "timezone",
        "text_reminder_number",
        "answers",
        "tracking_display",
        "payment_provider",
        "payment_amount",
        "payment_currency",
        "payment_successful",
        "rescheduled",
        "old_invitee_uri",
        "new_invitee_uri",
        "canceled_at",
        "canceled_by",
        "canceler_type",
        "cancel_reason",
        "is_no_show",
        "no_show_created_at",
    )

    @admin.display(description=_("scheduled event"), ordering="event__start_time")
    def event_link(self, obj: Invitee) -> str:
        return admin_link(obj.event, obj.event.name or None)

    @admin.display(description=_("starts"), ordering="event__start_time")
    def event_start(self, obj: Invitee) -> Any:
        return obj.event.start_time

    @admin.display(description=_("at Calendly"))
    def calendly(self, obj: Invitee) -> str:
        return calendly_links((_("Reschedule"), obj.reschedule_url), (_("Cancel"), obj.cancel_url))

    @admin.display(description=_("questions and answers"))
    def answers(self, obj: Invitee) -> str:
        if not obj.questions_and_answers:
            return EMPTY
        return format_html_join(
            "",
            "<p><strong>{}</strong><br>{}</p>",
            (
                (qa.get("question", ""), qa.get("answer", ""))
                for qa in obj.questions_and_answers
                if isinstance(qa, dict)
            ),
        )

    @admin.display(description=_("tracking"))
    def tracking_display(self, obj: Invitee) -> str:
        return pretty_json(obj.tracking) if obj.tracking else EMPTY


@admin.register(EventHost)
class EventHostAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "email", "user_link", "event_link", "event_start")
    list_filter = (EventWhenFilter, ("user", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("event", "user")
    search_fields = ("name", "email", "user_uri", "event__name")
    date_hierarchy = "event__start_time"
    autocomplete_fields = ("event", "user")
    fields = ("name", "email", "user_uri", "user_link", "event_link", "event_start", "position")
    readonly_fields = fields

    @admin.display(description=_("Calendly user"), ordering="user__name")
    def user_link(self, obj: EventHost) -> str:
        return admin_link(obj.user) if obj.user_id else EMPTY

    @admin.display(description=_("scheduled event"), ordering="event__start_time")
    def event_link(self, obj: EventHost) -> str:
        return admin_link(obj.event, obj.event.name or None)

    @admin.display(description=_("starts"), ordering="event__start_time")
    def event_start(self, obj: EventHost) -> Any:
        return obj.event.start_time
