"""Organizations, their users, and who holds which role (the basis of tenancy)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from calendly_integration.models.base import MirroredModel, MirroredQuerySet, OrganizationOwned
from calendly_integration.models.tenancy import Viewer


class OrganizationQuerySet(MirroredQuerySet):
    def visibility(self, viewer: Viewer) -> models.Q:
        """Members see the organizations they belong to."""
        return models.Q(pk__in=viewer.member_organization_ids)


class Organization(MirroredModel):
    """A Calendly organization: the tenant every other mirrored row belongs to."""

    name = models.CharField(_("name"), max_length=255, blank=True)
    slug = models.CharField(_("slug"), max_length=255, blank=True)
    plan = models.CharField(_("plan"), max_length=64, blank=True)
    stage = models.CharField(_("stage"), max_length=64, blank=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ("name", "pk")

    def __str__(self) -> str:
        return self.name or self.uri


class CalendlyUserQuerySet(MirroredQuerySet):
    def visibility(self, viewer: Viewer) -> models.Q:
        """A member sees themselves; owners and admins see their organization's users."""
        return models.Q(uri__in=viewer.user_uris) | models.Q(
            organization_id__in=viewer.admin_organization_ids
        )


class CalendlyUser(OrganizationOwned):
    """A Calendly user (a host); ``organization`` is their current organization."""

    name = models.CharField(_("name"), max_length=255, blank=True)
    slug = models.CharField(_("slug"), max_length=255, blank=True)
    email = models.CharField(_("email"), max_length=255, blank=True, db_index=True)
    scheduling_url = models.URLField(_("scheduling URL"), max_length=500, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, blank=True)
    avatar_url = models.URLField(_("avatar URL"), max_length=1000, blank=True)
    locale = models.CharField(_("locale"), max_length=16, blank=True)

    objects = CalendlyUserQuerySet.as_manager()

    class Meta:
        verbose_name = _("Calendly user")
        verbose_name_plural = _("Calendly users")
        ordering = ("name", "pk")

    def __str__(self) -> str:
        return self.name or self.email or self.uri


class MembershipQuerySet(MirroredQuerySet):
    def visibility(self, viewer: Viewer) -> models.Q:
        return models.Q(user__uri__in=viewer.user_uris) | models.Q(
            organization_id__in=viewer.admin_organization_ids
        )

    def admins(self) -> MembershipQuerySet:
        return self.filter(role__in=(Membership.Role.OWNER, Membership.Role.ADMIN))


class Membership(OrganizationOwned):
    """A user's membership of an organization, with their role."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        ADMIN = "admin", _("Admin")
        USER = "user", _("User")

    user = models.ForeignKey(
        CalendlyUser,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.USER)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ("organization", "role", "pk")
        indexes = (
            models.Index(fields=("organization", "role"), name="calendly_membership_org_role"),
        )

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    @property
    def is_admin(self) -> bool:
        return self.role in (self.Role.OWNER, self.Role.ADMIN)
