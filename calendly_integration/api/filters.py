"""django-filter filtersets for the list endpoints, with strict parameters.

Each filter refuses values it cannot read (400 naming the parameter) instead of ignoring them,
and its schema says exactly what it accepts. Filters by Calendly user use URIs, the stable
identifiers Calendly itself uses; filters by our objects use their ids.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from calendly_integration.api.fields import (
    MAX_ID,
    IdField,
    StrictBooleanField,
    StrictChoiceField,
    UTCDateTimeField,
)
from calendly_integration.models import (
    AvailabilitySchedule,
    EventHost,
    EventType,
    Invitee,
    RoutingFormSubmission,
    ScheduledEvent,
    WebhookDelivery,
    WebhookSubscription,
)

BOOLEAN = {"type": "boolean"}
DATE_TIME = {"type": "string", "format": "date-time"}
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
TEXT = {"type": "string", "maxLength": 255}


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class DateTimeFilter(django_filters.Filter):
    field_class = UTCDateTimeField


class IdFilter(django_filters.Filter):
    field_class = IdField


class ChoiceFilter(django_filters.ChoiceFilter):
    field_class = StrictChoiceField


def boolean(field_name: str, help_text: Any) -> BooleanFilter:
    return extend_schema_field(BOOLEAN)(BooleanFilter(field_name=field_name, help_text=help_text))


def date_time(field_name: str, lookup: str, help_text: Any) -> DateTimeFilter:
    return extend_schema_field(DATE_TIME)(
        DateTimeFilter(field_name=field_name, lookup_expr=lookup, help_text=help_text)
    )


def object_id(field_name: str, help_text: Any) -> IdFilter:
    return extend_schema_field(ID)(IdFilter(field_name=field_name, help_text=help_text))


def text(help_text: Any, **kwargs: Any) -> django_filters.CharFilter:
    return extend_schema_field(TEXT)(
        django_filters.CharFilter(help_text=help_text, max_length=255, **kwargs)
    )


class EventTypeFilter(django_filters.FilterSet):
    active = boolean("active", _("Only active (true) or inactive (false) event types."))
    owner = text(_("The owner's Calendly user URI."), field_name="owner_uri")
    search = text(_("Words in the name or slug."), method="filter_search")

    class Meta:
        model = EventType
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in value.split():
            queryset = queryset.filter(Q(name__icontains=word) | Q(slug__icontains=word))
        return queryset


class ScheduledEventFilter(django_filters.FilterSet):
    status = ChoiceFilter(choices=ScheduledEvent.Status.choices, help_text=_("active or canceled."))
    start_time_after = date_time("start_time", "gte", _("Events starting at or after this."))
    start_time_before = date_time("start_time", "lt", _("Events starting before this."))
    event_type = object_id("event_type_id", _("The event type's id."))
    host = text(_("A host's Calendly user URI."), method="filter_host")
    invitee_email = text(_("An invitee's email (any case)."), method="filter_invitee_email")

    class Meta:
        model = ScheduledEvent
        fields: list[str] = []

    def filter_host(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        hosts = EventHost.objects.filter(event_id=OuterRef("pk"), user_uri=value)
        return queryset.filter(Exists(hosts))

    def filter_invitee_email(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        invitees = Invitee.objects.filter(event_id=OuterRef("pk"), email__iexact=value.strip())
        return queryset.filter(Exists(invitees))


class InviteeFilter(django_filters.FilterSet):
    status = ChoiceFilter(choices=Invitee.Status.choices, help_text=_("active or canceled."))
    email = text(_("The invitee's email (any case)."), field_name="email", lookup_expr="iexact")
    event = object_id("event_id", _("The scheduled event's id."))
    no_show = boolean("is_no_show", _("Only no-shows (true) or the others (false)."))
    event_start_after = date_time(
        "event__start_time", "gte", _("Invitees of events starting at or after this.")
    )
    event_start_before = date_time(
        "event__start_time", "lt", _("Invitees of events starting before this.")
    )

    class Meta:
        model = Invitee
        fields: list[str] = []


class WebhookSubscriptionFilter(django_filters.FilterSet):
    state = ChoiceFilter(choices=WebhookSubscription.State.choices)
    scope = ChoiceFilter(choices=WebhookSubscription.Scope.choices)
    connection = object_id("connection_id", _("The connection's id."))

    class Meta:
        model = WebhookSubscription
        fields: list[str] = []


class WebhookDeliveryFilter(django_filters.FilterSet):
    status = ChoiceFilter(choices=WebhookDelivery.Status.choices)
    event = text(_("The webhook event, e.g. invitee.created."), field_name="event")
    subscription = object_id("subscription_id", _("The subscription's id."))
    received_after = date_time("received_at", "gte", _("Received at or after this."))
    received_before = date_time("received_at", "lt", _("Received before this."))

    class Meta:
        model = WebhookDelivery
        fields: list[str] = []


class RoutingFormSubmissionFilter(django_filters.FilterSet):
    form = object_id("form_id", _("The routing form's id."))

    class Meta:
        model = RoutingFormSubmission
        fields: list[str] = []


class AvailabilityScheduleFilter(django_filters.FilterSet):
    user = text(_("The Calendly user URI."), field_name="user_uri")

    class Meta:
        model = AvailabilitySchedule
        fields: list[str] = []
