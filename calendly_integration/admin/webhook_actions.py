"""Actions on webhook subscriptions (delete at Calendly, recreate) and deliveries (replay)."""

from __future__ import annotations

import contextlib
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from calendly_integration.admin.confirmation import ConfirmedAction, RowResult
from calendly_integration.admin.connection_actions import WEBHOOK_SCOPES, unusable_reason
from calendly_integration.client import NotFound
from calendly_integration.models import WebhookDelivery, WebhookSubscription
from calendly_integration.oauth.scopes import require_scopes
from calendly_integration.oauth.tokens import client_for_connection
from calendly_integration.services.connections import ensure_webhooks
from calendly_integration.services.webhooks import delete_subscription, replay_delivery

Status = WebhookDelivery.Status


def _delete_at_calendly(subscription: WebhookSubscription) -> None:
    """Delete the subscription at Calendly (gone already is fine) but keep our row, so that
    ``ensure_webhooks`` makes it again with the same callback URL and counts it recreated."""
    if not subscription.uri:
        return
    require_scopes(subscription.connection, *WEBHOOK_SCOPES)
    with client_for_connection(subscription.connection) as client, contextlib.suppress(NotFound):
        client.delete_webhook_subscription(subscription.uri)


class DeleteSubscription(ConfirmedAction):
    name = "delete_at_calendly"
    label = _("Delete at Calendly")
    permission = "delete_webhooksubscription"
    intro = _(
        "Deletes each subscription at Calendly and here: Calendly stops sending its events. "
        "“Ensure webhook subscriptions” on the connection makes it again."
    )
    confirm_label = _("Delete the subscriptions")
    select_related = ("connection",)

    def describe(self, obj: WebhookSubscription) -> str:
        if obj.uri:
            return gettext("Will be deleted at Calendly, then here.")
        return gettext("Calendly never confirmed it: it will be deleted here.")

    def perform(self, obj: WebhookSubscription, data: dict[str, Any]) -> RowResult:
        delete_subscription(obj, self.request.user)
        return self.done(obj, gettext("deleted."))


class RecreateSubscription(ConfirmedAction):
    name = "recreate"
    label = _("Recreate at Calendly")
    permission = "change_webhooksubscription"
    intro = _(
        "Deletes each subscription at Calendly and creates it again with the same callback URL; "
        "a sync is queued to catch up on what was missed."
    )
    confirm_label = _("Recreate the subscriptions")
    will = _("Will be deleted and created again at Calendly.")
    select_related = ("connection",)

    def skip_reason(self, obj: WebhookSubscription) -> str:
        reason = unusable_reason(obj.connection)
        return gettext("its connection: %(reason)s") % {"reason": reason} if reason else ""

    def perform(self, obj: WebhookSubscription, data: dict[str, Any]) -> RowResult:
        _delete_at_calendly(obj)
        ensured = ensure_webhooks(obj.connection)
        same = next((s for s in ensured if s.scope == obj.scope), None)
        if same is None:
            return self.done(
                obj, gettext("deleted; the connection no longer wants this subscription.")
            )
        return self.done(
            obj, gettext("recreated: %(state)s.") % {"state": same.get_state_display()}
        )


class ReplayDelivery(ConfirmedAction):
    name = "replay"
    label = _("Replay (process again)")
    permission = "change_webhookdelivery"
    intro = _(
        "Processes each stored delivery again, now: the rows it describes are written again "
        "(idempotently) and the signals are sent with replay=True."
    )
    confirm_label = _("Replay the deliveries")
    will = _("Will be processed again.")

    def skip_reason(self, obj: WebhookDelivery) -> str:
        if obj.status == Status.INVALID:
            return gettext("it was rejected as invalid, so it is never processed.")
        if obj.status == Status.DUPLICATE:
            return gettext("a duplicate of delivery #%(pk)s; replay that one.") % {
                "pk": obj.duplicate_of_id
            }
        return ""

    def perform(self, obj: WebhookDelivery, data: dict[str, Any]) -> RowResult:
        status = replay_delivery(obj).status
        if status == Status.PROCESSED:
            return self.done(obj, gettext("processed."))
        if status == Status.IGNORED:
            return self.done(obj, gettext("processed: the event is not one we handle."))
        if status == Status.FAILED:
            return self.fail(obj, obj.error or gettext("processing failed."))
        if status == Status.MISROUTED:
            return self.fail(obj, obj.error)
        return self.skip(
            obj,
            gettext("not processed: its status is %(status)s.")
            % {"status": obj.get_status_display()},
        )
