"""Event types: what invitees can book (a user's, or a team's in the organization)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from calendly_integration.models.base import MirroredQuerySet, OrganizationOwned
from calendly_integration.models.organizations import CalendlyUser
from calendly_integration.models.tenancy import Viewer


class EventTypeQuerySet(MirroredQuerySet):
    def visibility(self, viewer: Viewer) -> models.Q:
        """A member sees the event types they own; owners and admins see the organization's."""
        return models.Q(owner_uri__in=viewer.user_uris) | models.Q(
            organization_id__in=viewer.admin_organization_ids
        )

    def active(self) -> EventTypeQuerySet:
        return self.filter(active=True, removed_at__isnull=True)


class EventType(OrganizationOwned):
    class Kind(models.TextChoices):
        SOLO = "solo", _("One-on-one")
        GROUP = "group", _("Group")

    name = models.CharField(_("name"), max_length=255, blank=True)
    slug = models.CharField(_("slug"), max_length=255, blank=True)
    active = models.BooleanField(_("active"), default=True)
    secret = models.BooleanField(_("secret"), default=False)
    kind = models.CharField(_("kind"), max_length=16, blank=True, choices=Kind.choices)
    type = models.CharField(_("type"), max_length=32, blank=True)
    pooling_type = models.CharField(_("pooling type"), max_length=32, blank=True)
    booking_method = models.CharField(_("booking method"), max_length=32, blank=True)
    admin_managed = models.BooleanField(_("admin managed"), default=False)
    duration = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    color = models.CharField(_("color"), max_length=16, blank=True)
    scheduling_url = models.URLField(_("scheduling URL"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    internal_note = models.TextField(_("internal note"), blank=True)
    profile_type = models.CharField(_("profile type"), max_length=16, blank=True)
    profile_name = models.CharField(_("profile name"), max_length=255, blank=True)
    owner_uri = models.CharField(_("owner URI"), max_length=255, blank=True, db_index=True)
    owner = models.ForeignKey(
        CalendlyUser,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="event_types",
        verbose_name=_("owner"),
    )
    deleted_at = models.DateTimeField(_("deleted at Calendly"), null=True, blank=True)

    objects = EventTypeQuerySet.as_manager()

    class Meta:
        verbose_name = _("event type")
        verbose_name_plural = _("event types")
        ordering = ("name", "pk")
        indexes = (
            models.Index(fields=("organization", "active"), name="calendly_evtype_org_active"),
        )

    def __str__(self) -> str:
        return self.name or self.uri
