"""Scheduled events, their hosts, and their invitees (with answers, tracking, payment, no-shows)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from calendly_integration.client.tracking import TRACKING_KEYS
from calendly_integration.models.base import MirroredQuerySet, OrganizationOwned
from calendly_integration.models.event_types import EventType
from calendly_integration.models.organizations import CalendlyUser
from calendly_integration.models.tenancy import Viewer, viewer_for


def _hosted_by(viewer: Viewer) -> models.QuerySet:
    """Ids of the events the viewer hosts (a subquery, so no join multiplies rows)."""
    return EventHost.objects.filter(user_uri__in=viewer.user_uris).values("event_id")


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    CANCELED = "canceled", _("Canceled")


class CancelerType(models.TextChoices):
    HOST = "host", _("Host")
    INVITEE = "invitee", _("Invitee")


class ScheduledEventQuerySet(MirroredQuerySet):
    def visibility(self, viewer: Viewer) -> models.Q:
        """A member sees the events they host; owners and admins see the organization's."""
        return models.Q(organization_id__in=viewer.admin_organization_ids) | models.Q(
            pk__in=_hosted_by(viewer)
        )

    def active(self) -> ScheduledEventQuerySet:
        return self.filter(status=Status.ACTIVE)

    def canceled(self) -> ScheduledEventQuerySet:
        return self.filter(status=Status.CANCELED)

    def hosted_by(self, user_uri: str) -> ScheduledEventQuerySet:
        return self.filter(pk__in=EventHost.objects.filter(user_uri=user_uri).values("event_id"))


class ScheduledEvent(OrganizationOwned):
    """A booked meeting (one or, for group events, many invitees)."""

    Status = Status

    name = models.CharField(_("name"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    start_time = models.DateTimeField(_("start time"), null=True, blank=True)
    end_time = models.DateTimeField(_("end time"), null=True, blank=True)
    event_type_uri = models.CharField(_("event type URI"), max_length=255, blank=True)
    event_type = models.ForeignKey(
        EventType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="scheduled_events",
        verbose_name=_("event type"),
    )
    location_type = models.CharField(_("location type"), max_length=64, blank=True)
    location = models.TextField(_("location"), blank=True)
    join_url = models.TextField(_("join URL"), blank=True)
    invitees_total = models.PositiveIntegerField(_("invitees"), default=0)
    invitees_active = models.PositiveIntegerField(_("active invitees"), default=0)
    invitees_limit = models.PositiveIntegerField(_("invitee limit"), default=1)
    meeting_notes = models.TextField(_("meeting notes"), blank=True)
    canceled_at = models.DateTimeField(_("canceled at"), null=True, blank=True)
    canceled_by = models.CharField(_("canceled by"), max_length=255, blank=True)
    canceler_type = models.CharField(
        _("canceler type"), max_length=16, blank=True, choices=CancelerType.choices
    )
    cancel_reason = models.TextField(_("cancellation reason"), blank=True)
    invitees_synced_at = models.DateTimeField(
        _("invitees synced at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When this event's invitees were last fetched from Calendly."),
    )

    objects = ScheduledEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("scheduled event")
        verbose_name_plural = _("scheduled events")
        ordering = ("-start_time", "-pk")
        indexes = (
            models.Index(fields=("organization", "start_time"), name="calendly_event_org_start"),
            models.Index(fields=("status", "start_time"), name="calendly_event_status_start"),
            models.Index(fields=("event_type", "start_time"), name="calendly_event_type_start"),
        )

    def __str__(self) -> str:
        when = self.start_time.strftime("%Y-%m-%d %H:%M") if self.start_time else "?"
        return f"{self.name or self.uri} ({when})"

    @property
    def is_canceled(self) -> bool:
        return self.status == Status.CANCELED


class EventHostQuerySet(models.QuerySet):
    def visible_to(self, user: object) -> EventHostQuerySet:
        """The hosts of the events ``user`` may see."""
        viewer = viewer_for(user)
        if viewer.sees_everything:
            return self.all()
        return self.filter(event__in=ScheduledEvent.objects.for_viewer(viewer).values("pk"))


class EventHost(models.Model):
    """One of an event's hosts (Calendly's ``event_memberships``); collective events have many."""

    event = models.ForeignKey(
        ScheduledEvent, on_delete=models.CASCADE, related_name="hosts", verbose_name=_("event")
    )
    user_uri = models.CharField(_("user URI"), max_length=255, db_index=True)
    user = models.ForeignKey(
        CalendlyUser,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hosted_events",
        verbose_name=_("user"),
    )
    email = models.CharField(_("email"), max_length=255, blank=True)
    name = models.CharField(_("name"), max_length=255, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = EventHostQuerySet.as_manager()

    class Meta:
        verbose_name = _("event host")
        verbose_name_plural = _("event hosts")
        ordering = ("event", "position")
        constraints = (
            models.UniqueConstraint(
                fields=("event", "user_uri"), name="calendly_event_host_unique"
            ),
        )

    def __str__(self) -> str:
        return self.name or self.email or self.user_uri


class InviteeQuerySet(MirroredQuerySet):
    def visibility(self, viewer: Viewer) -> models.Q:
        """A member sees the invitees of the events they host; admins the organization's."""
        return models.Q(organization_id__in=viewer.admin_organization_ids) | models.Q(
            event_id__in=_hosted_by(viewer)
        )

    def no_shows(self) -> InviteeQuerySet:
        return self.filter(is_no_show=True)


class Invitee(OrganizationOwned):
    """Someone who booked a scheduled event."""

    Status = Status

    event = models.ForeignKey(
        ScheduledEvent,
        on_delete=models.CASCADE,
        related_name="invitees",
        verbose_name=_("scheduled event"),
    )
    name = models.CharField(_("name"), max_length=255, blank=True)
    first_name = models.CharField(_("first name"), max_length=255, blank=True)
    last_name = models.CharField(_("last name"), max_length=255, blank=True)
    email = models.CharField(_("email"), max_length=255, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    timezone = models.CharField(_("time zone"), max_length=64, blank=True)
    text_reminder_number = models.CharField(_("text reminder number"), max_length=64, blank=True)
    questions_and_answers = models.JSONField(_("questions and answers"), default=list, blank=True)
    # Tracking (UTM parameters and Salesforce id of the booking link).
    utm_source = models.CharField(_("UTM source"), max_length=255, blank=True, db_index=True)
    utm_medium = models.CharField(_("UTM medium"), max_length=255, blank=True)
    utm_campaign = models.CharField(_("UTM campaign"), max_length=255, blank=True, db_index=True)
    utm_content = models.CharField(_("UTM content"), max_length=255, blank=True)
    utm_term = models.CharField(_("UTM term"), max_length=255, blank=True)
    salesforce_uuid = models.CharField(_("Salesforce id"), max_length=255, blank=True)
    # Payment (paid event types).
    payment_provider = models.CharField(_("payment provider"), max_length=32, blank=True)
    payment_external_id = models.CharField(_("payment id"), max_length=255, blank=True)
    payment_amount = models.DecimalField(
        _("payment amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    payment_currency = models.CharField(_("payment currency"), max_length=8, blank=True)
    payment_successful = models.BooleanField(_("payment successful"), null=True, blank=True)
    # Reschedules and cancellation.
    rescheduled = models.BooleanField(_("rescheduled"), default=False)
    old_invitee_uri = models.CharField(_("previous invitee URI"), max_length=255, blank=True)
    new_invitee_uri = models.CharField(_("new invitee URI"), max_length=255, blank=True)
    cancel_url = models.URLField(_("cancel URL"), max_length=500, blank=True)
    reschedule_url = models.URLField(_("reschedule URL"), max_length=500, blank=True)
    canceled_at = models.DateTimeField(_("canceled at"), null=True, blank=True)
    canceled_by = models.CharField(_("canceled by"), max_length=255, blank=True)
    canceler_type = models.CharField(
        _("canceler type"), max_length=16, blank=True, choices=CancelerType.choices
    )
    cancel_reason = models.TextField(_("cancellation reason"), blank=True)
    routing_form_submission_uri = models.CharField(
        _("routing form submission URI"), max_length=255, blank=True
    )
    # No-show.
    is_no_show = models.BooleanField(_("no-show"), default=False)
    no_show_uri = models.CharField(_("no-show URI"), max_length=255, blank=True)
    no_show_created_at = models.DateTimeField(_("marked no-show at"), null=True, blank=True)

    objects = InviteeQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitee")
        verbose_name_plural = _("invitees")
        ordering = ("-calendly_created_at", "-pk")
        indexes = (
            models.Index(fields=("event", "status"), name="calendly_invitee_event_status"),
            models.Index(
                fields=("organization", "calendly_created_at"), name="calendly_invitee_org_created"
            ),
            models.Index(fields=("is_no_show",), name="calendly_invitee_no_show"),
        )

    def __str__(self) -> str:
        return self.name or self.email or self.uri

    @property
    def tracking(self) -> dict[str, str]:
        return {key: getattr(self, key) for key in TRACKING_KEYS if getattr(self, key)}
