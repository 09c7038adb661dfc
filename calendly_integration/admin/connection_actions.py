"""Actions on connections: sync now, ensure webhook subscriptions, refresh token, disconnect."""

from __future__ import annotations

from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from calendly_integration.admin.confirmation import ConfirmedAction, RowResult
from calendly_integration.conf import calendly_settings
from calendly_integration.models import Connection, SyncState
from calendly_integration.oauth.disconnect import disconnect
from calendly_integration.oauth.scopes import require_scopes
from calendly_integration.oauth.tokens import get_valid_token
from calendly_integration.services.connections import ensure_webhooks, request_sync

WEBHOOK_SCOPES = ("webhooks:read", "webhooks:write")


def unusable_reason(connection: Connection) -> str:
    """Why nothing can be done through this connection ("" when it is active)."""
    if connection.needs_reauth:
        return gettext("it needs reconnecting: its owner must reconnect Calendly.")
    if connection.is_revoked:
        return gettext("it is disconnected.")
    return ""


def _sync_running(connection: Connection) -> bool:
    try:
        state = connection.sync_state
    except SyncState.DoesNotExist:
        return False
    return state.is_locked()


class SyncNow(ConfirmedAction):
    name = "sync_now"
    label = _("Sync now (queued)")
    permission = "change_connection"
    intro = _(
        "Queues a sync of each connection for the background workers (django-q2); the sync "
        "runs list shows how it went."
    )
    confirm_label = _("Queue the syncs")
    will = _("A sync will be queued.")
    select_related = ("sync_state",)

    def skip_reason(self, obj: Connection) -> str:
        reason = unusable_reason(obj)
        if not reason and _sync_running(obj):
            reason = gettext("a sync of it is running right now.")
        return reason

    def perform(self, obj: Connection, data: dict[str, Any]) -> RowResult:
        request_sync(obj)
        return self.done(obj, gettext("sync queued."))


class EnsureWebhooks(ConfirmedAction):
    name = "ensure_webhook_subscriptions"
    label = _("Ensure webhook subscriptions")
    permission = "change_connection"
    intro = _(
        "Checks each connection's webhook subscriptions at Calendly, creates missing ones and "
        "recreates disabled ones (a recreated one also queues a catch-up sync)."
    )
    confirm_label = _("Ensure the subscriptions")
    will = _("Its subscriptions will be checked and healed.")

    def skip_reason(self, obj: Connection) -> str:
        return unusable_reason(obj)

    def perform(self, obj: Connection, data: dict[str, Any]) -> RowResult:
        require_scopes(obj, *WEBHOOK_SCOPES)
        subscriptions = ensure_webhooks(obj)
        states = ", ".join(
            f"{s.get_scope_display()}: {s.get_state_display()}" for s in subscriptions
        )
        return self.done(
            obj,
            ngettext(
                "%(count)d subscription (%(states)s).",
                "%(count)d subscriptions (%(states)s).",
                len(subscriptions),
            )
            % {"count": len(subscriptions), "states": states or "—"},
        )


class RefreshToken(ConfirmedAction):
    name = "refresh_token"
    label = _("Refresh the access token")
    permission = "change_connection"
    intro = _(
        "Asks Calendly for a new access token now, with the stored refresh token (which Calendly "
        "replaces too)."
    )
    confirm_label = _("Refresh the tokens")
    will = _("Its access token will be refreshed.")

    def skip_reason(self, obj: Connection) -> str:
        reason = unusable_reason(obj)
        if not reason and obj.kind == Connection.Kind.PAT:
            reason = gettext("a personal access token does not expire and cannot be refreshed.")
        return reason

    def perform(self, obj: Connection, data: dict[str, Any]) -> RowResult:
        get_valid_token(obj.pk, force=True)
        obj.refresh_from_db()
        expires = (
            formats.date_format(timezone.localtime(obj.expires_at), "DATETIME_FORMAT")
            if obj.expires_at
            else "—"
        )
        return self.done(obj, gettext("refreshed; expires %(when)s.") % {"when": expires})


class Disconnect(ConfirmedAction):
    name = "disconnect_selected"
    label = _("Disconnect (revoke the tokens at Calendly)")
    permission = "delete_connection"
    confirm_label = _("Disconnect")
    will = _("Will be disconnected and its tokens revoked.")

    @property
    def intro(self) -> str:  # type: ignore[override]
        text = gettext(
            "Deletes each connection's webhook subscriptions, revokes its tokens at Calendly and "
            "wipes them here; its owner must connect again to use Calendly."
        )
        if calendly_settings.ON_DISCONNECT == "delete":
            text += " " + gettext(
                "The connection and the data mirrored only through it are then deleted "
                "(ON_DISCONNECT is 'delete')."
            )
        return text

    def skip_reason(self, obj: Connection) -> str:
        return gettext("already disconnected.") if obj.is_revoked else ""

    def perform(self, obj: Connection, data: dict[str, Any]) -> RowResult:
        result = disconnect(obj)
        if result.last_error:
            return self.done(
                obj,
                gettext("disconnected, with a problem: %(error)s") % {"error": result.last_error},
            )
        return self.done(obj, gettext("disconnected."))
