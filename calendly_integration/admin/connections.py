"""Connections in the admin: who is connected, how, and whether it still works. Never a token.

Connections are made by their owners (Calendly login or a personal access token), so staff cannot
add, edit or delete them here. The list shows each one's health at a glance (status, token expiry,
webhook subscriptions, last sync, failed deliveries); the actions sync, heal webhooks, refresh the
token or disconnect (which revokes the tokens at Calendly). The dashboard hangs off this admin.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from calendly_integration.admin.base import ReadOnlyAdmin
from calendly_integration.admin.connection_actions import (
    Disconnect,
    EnsureWebhooks,
    RefreshToken,
    SyncNow,
)
from calendly_integration.admin.dashboard import DashboardView
from calendly_integration.admin.display import EMPTY, admin_link, changelist_link
from calendly_integration.models import (
    Connection,
    SyncRun,
    SyncState,
    WebhookDelivery,
    WebhookSubscription,
)


def failed_deliveries_count() -> Subquery:
    """Failed deliveries to a connection's subscriptions, as a correlated subquery."""
    failed = (
        WebhookDelivery.objects.filter(
            subscription__connection=OuterRef("pk"), status=WebhookDelivery.Status.FAILED
        )
        .order_by()
        .values("subscription__connection")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(failed, output_field=IntegerField()), 0)


@admin.register(Connection)
class ConnectionAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__",
        "owner",
        "kind",
        "status_with_hint",
        "expires_at",
        "webhooks",
        "last_sync",
        "failed_deliveries",
        "updated_at",
    )
    list_filter = ("status", "kind")
    search_fields = (
        "name",
        "email",
        "calendly_user_uri",
        "organization_uri",
        "owner__username",
        "owner__email",
    )
    list_select_related = ("owner", "sync_state", "sync_state__run")
    date_hierarchy = "created_at"
    confirmed_actions = (SyncNow, EnsureWebhooks, RefreshToken, Disconnect)
    fields = (
        "owner",
        "name",
        "email",
        "calendly_user_uri",
        "organization_uri",
        "kind",
        "status",
        "reconnect_hint",
        "scopes",
        "expires_at",
        "last_refreshed_at",
        "last_error",
        "webhooks",
        "webhooks_paused_at",
        "webhooks_paused_scopes",
        "last_sync",
        "failed_deliveries",
        "see_also",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .prefetch_related("webhook_subscriptions")
            .annotate(failed_total=failed_deliveries_count())
        )

    def get_urls(self) -> list:
        view = self.admin_site.admin_view(DashboardView.as_view(model_admin=self))
        return [
            path("dashboard/", view, name="calendly_integration_dashboard"),
            *super().get_urls(),
        ]

    @admin.display(description=_("status"), ordering="status")
    def status_with_hint(self, obj: Connection) -> str:
        if obj.needs_reauth:
            return format_html(
                "{} — <strong>{}</strong>", obj.get_status_display(), gettext("Reconnect Calendly")
            )
        return obj.get_status_display()

    @admin.display(description=_("reconnect"))
    def reconnect_hint(self, obj: Connection) -> str:
        if not obj.needs_reauth:
            return EMPTY
        if obj.kind == Connection.Kind.PAT:
            return gettext(
                "Reconnect Calendly: the owner must connect a new personal access token."
            )
        return gettext(
            "Reconnect Calendly: Calendly refused the refresh token, so the owner must sign in "
            "with Calendly again (Connect Calendly → Reconnect Calendly)."
        )

    @admin.display(description=_("webhooks"))
    def webhooks(self, obj: Connection) -> str:
        subscriptions = list(obj.webhook_subscriptions.all())
        if not subscriptions:
            return EMPTY
        return format_html_join(
            ", ",
            '<a href="{}">{}: {}</a>',
            (
                (
                    _change_url(subscription),
                    subscription.get_scope_display(),
                    subscription.get_state_display(),
                )
                for subscription in subscriptions
            ),
        )

    @admin.display(description=_("last sync"), ordering="sync_state__last_success_at")
    def last_sync(self, obj: Connection) -> str:
        state = _sync_state(obj)
        if state is None:
            return gettext("never")
        run = state.run
        if run is None or run.status == SyncRun.Status.SUCCEEDED:
            return _when(state.last_success_at)
        return format_html(
            "{} · {} {}",
            _when(state.last_success_at),
            admin_link(run, run.get_status_display()),
            run.error[:80] if run.error else "",
        )

    @admin.display(description=_("failed deliveries"), ordering="failed_total")
    def failed_deliveries(self, obj: Connection) -> str:
        total = getattr(obj, "failed_total", 0)
        if not total:
            return "0"
        return changelist_link(
            WebhookDelivery,
            str(total),
            subscription__connection__id__exact=obj.pk,
            status__exact=WebhookDelivery.Status.FAILED,
        )

    @admin.display(description=_("see also"))
    def see_also(self, obj: Connection) -> str:
        return format_html(
            "{} · {}",
            changelist_link(SyncRun, gettext("Sync runs"), connection__id__exact=obj.pk),
            changelist_link(
                WebhookSubscription,
                gettext("Webhook subscriptions"),
                connection__id__exact=obj.pk,
            ),
        )


def _sync_state(connection: Connection) -> SyncState | None:
    try:
        return connection.sync_state
    except SyncState.DoesNotExist:
        return None


def _when(value: Any) -> str:
    if value is None:
        return gettext("never completed")
    return gettext("%(time)s ago") % {"time": timesince(value)}


def _change_url(obj: Any) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
