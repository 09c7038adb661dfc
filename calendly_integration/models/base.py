"""What every mirrored Calendly object has in common, and the querysets they share.

A mirrored row is keyed by Calendly's URI (unique), keeps the JSON exactly as Calendly sent it
beside the typed columns people filter on, and records Calendly's own created/updated times and
when we last wrote it. Rows that vanish from a complete listing are not deleted: ``removed_at`` is
set, so history (and the invitees hanging off an event) survives and the admin can tell a deleted
event type from a live one. ``fingerprint`` is a hash of every column we write, so a sync can tell
"unchanged" from "changed" for a whole page in one query and skip writing what did not change.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calendly_integration.models.tenancy import Viewer, viewer_for


class MirroredQuerySet(models.QuerySet):
    """Querysets of mirrored rows: live/removed filters and tenancy."""

    def live(self) -> MirroredQuerySet:
        """Rows Calendly still lists (not marked removed)."""
        return self.filter(removed_at__isnull=True)

    def removed(self) -> MirroredQuerySet:
        return self.filter(removed_at__isnull=False)

    def visible_to(self, user: Any) -> MirroredQuerySet:
        """The rows ``user`` may see: staff see everything (unless limited to their organizations,
        see ``models.tenancy``); an organization owner or admin sees their organization's rows; a
        member sees their own (each model says what that means).

        Every view, API endpoint and admin list starts from this, so one tenant never reaches
        another's data.
        """
        return self.for_viewer(viewer_for(user))

    def for_viewer(self, viewer: Viewer) -> MirroredQuerySet:
        """``visible_to`` for a viewer computed already."""
        if viewer.sees_everything:
            return self.all()
        if viewer.is_nobody:
            return self.none()
        return self.filter(self.visibility(viewer))

    def visibility(self, viewer: Viewer) -> models.Q:
        """The filter for a signed-in viewer who does not see everything; models override it.

        By default only an organization's owners and admins see its rows.
        """
        return models.Q(organization_id__in=viewer.admin_organization_ids)


class MirroredModel(models.Model):
    """Columns every mirrored Calendly object has (the organization itself included)."""

    uri = models.CharField(_("Calendly URI"), max_length=255, unique=True)
    raw = models.JSONField(_("raw data"), default=dict, blank=True, editable=False)
    calendly_created_at = models.DateTimeField(_("created at Calendly"), null=True, blank=True)
    calendly_updated_at = models.DateTimeField(_("updated at Calendly"), null=True, blank=True)
    synced_at = models.DateTimeField(
        _("synced at"),
        default=timezone.now,
        help_text=_("When this row was last written from Calendly's data."),
    )
    removed_at = models.DateTimeField(
        _("removed at"),
        null=True,
        blank=True,
        help_text=_("When a complete listing at Calendly stopped including this object."),
    )
    fingerprint = models.CharField(_("fingerprint"), max_length=64, blank=True, editable=False)

    objects = MirroredQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    @property
    def uuid(self) -> str:
        """The last segment of the URI (what Calendly's web pages show)."""
        return self.uri.rstrip("/").rsplit("/", 1)[-1]


class OrganizationOwned(MirroredModel):
    """A mirrored object that belongs to one Calendly organization (the tenancy boundary)."""

    organization = models.ForeignKey(
        "calendly_integration.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="%(class)s_set",
        verbose_name=_("organization"),
    )

    class Meta:
        abstract = True
