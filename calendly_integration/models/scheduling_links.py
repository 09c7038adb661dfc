"""Single-use scheduling links handed out for an event type.

Calendly cannot list them, so they are never synced: rows are written when the app creates a link
(``POST /scheduling_links``). The answer has no URI of its own; the booking URL is unique and
stands in for it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from calendly_integration.models.base import MirroredQuerySet, OrganizationOwned
from calendly_integration.models.event_types import EventType
from calendly_integration.models.tenancy import Viewer


class SchedulingLinkQuerySet(MirroredQuerySet):
    def visibility(self, viewer: Viewer) -> models.Q:
        return models.Q(organization_id__in=viewer.admin_organization_ids) | models.Q(
            owner__owner_uri__in=viewer.user_uris
        )


class SchedulingLink(OrganizationOwned):
    booking_url = models.URLField(_("booking URL"), max_length=500)
    owner_uri = models.CharField(_("owner URI"), max_length=255, blank=True)
    owner_type = models.CharField(_("owner type"), max_length=32, default="EventType")
    owner = models.ForeignKey(
        EventType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="scheduling_links",
        verbose_name=_("event type"),
    )
    max_event_count = models.PositiveIntegerField(_("maximum bookings"), default=1)

    objects = SchedulingLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("scheduling link")
        verbose_name_plural = _("scheduling links")
        ordering = ("-synced_at", "-pk")

    def __str__(self) -> str:
        return self.booking_url
