"""Availability schedules: a user's working hours (weekly rules and date overrides)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from calendly_integration.models.base import MirroredQuerySet, OrganizationOwned
from calendly_integration.models.organizations import CalendlyUser
from calendly_integration.models.tenancy import Viewer


class AvailabilityScheduleQuerySet(MirroredQuerySet):
    def visibility(self, viewer: Viewer) -> models.Q:
        return models.Q(user_uri__in=viewer.user_uris) | models.Q(
            organization_id__in=viewer.admin_organization_ids
        )


class AvailabilitySchedule(OrganizationOwned):
    user_uri = models.CharField(_("user URI"), max_length=255, db_index=True)
    user = models.ForeignKey(
        CalendlyUser,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="availability_schedules",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=255, blank=True)
    is_default = models.BooleanField(_("default"), default=False)
    timezone = models.CharField(_("time zone"), max_length=64, blank=True)
    rules = models.JSONField(_("rules"), default=list, blank=True)

    objects = AvailabilityScheduleQuerySet.as_manager()

    class Meta:
        verbose_name = _("availability schedule")
        verbose_name_plural = _("availability schedules")
        ordering = ("user_uri", "-is_default", "name")

    def __str__(self) -> str:
        return self.name or self.uri
