"""Organizations, their Calendly users and memberships (who holds which role)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from calendly_integration.admin.base import MirroredAdmin
from calendly_integration.admin.display import admin_link, external_link
from calendly_integration.admin.filters import RemovedFilter
from calendly_integration.models import CalendlyUser, Membership, Organization


@admin.register(Organization)
class OrganizationAdmin(MirroredAdmin):
    list_display = ("__str__", "slug", "plan", "stage", "uri", "synced_at", "removed_at")
    list_filter = ("plan", "stage", RemovedFilter)
    search_fields = ("name", "slug", "uri")
    date_hierarchy = "calendly_created_at"
    fields = ("name", "slug", "plan", "stage")


@admin.register(CalendlyUser)
class CalendlyUserAdmin(MirroredAdmin):
    list_display = (
        "__str__",
        "email",
        "organization_link",
        "timezone",
        "scheduling_page",
        "synced_at",
    )
    list_filter = (("organization", admin.RelatedOnlyFieldListFilter), "timezone", RemovedFilter)
    list_select_related = ("organization",)
    search_fields = ("name", "email", "slug", "uri")
    date_hierarchy = "calendly_created_at"
    autocomplete_fields = ("organization",)
    fields = (
        "name",
        "email",
        "slug",
        "organization_link",
        "scheduling_page",
        "timezone",
        "locale",
        "avatar_url",
    )

    @admin.display(description=_("scheduling page"))
    def scheduling_page(self, obj: CalendlyUser) -> str:
        return external_link(obj.scheduling_url, obj.slug or None)


@admin.register(Membership)
class MembershipAdmin(MirroredAdmin):
    list_display = ("user_link", "user_email", "role", "organization_link", "synced_at")
    list_filter = ("role", ("organization", admin.RelatedOnlyFieldListFilter), RemovedFilter)
    list_select_related = ("user", "organization")
    search_fields = ("user__name", "user__email", "uri")
    date_hierarchy = "calendly_created_at"
    autocomplete_fields = ("user", "organization")
    fields = ("user_link", "user_email", "role", "organization_link")

    @admin.display(description=_("user"), ordering="user__name")
    def user_link(self, obj: Membership) -> str:
        return admin_link(obj.user)

    @admin.display(description=_("email"), ordering="user__email")
    def user_email(self, obj: Membership) -> str:
        return obj.user.email
