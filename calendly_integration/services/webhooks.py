"""Webhook subscriptions and deliveries from the API and the admin.

Creating goes through ``webhooks.subscriptions.ensure_subscriptions``, the one idempotent path
that also heals and adopts; deleting removes the subscription at Calendly, then here. Replaying
processes a stored delivery again (signals go out with ``replay=True``).
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from calendly_integration.client import NotFound
from calendly_integration.models import Connection, WebhookDelivery, WebhookSubscription
from calendly_integration.oauth.scopes import require_scopes
from calendly_integration.oauth.tokens import client_for_connection
from calendly_integration.services.errors import InvalidRequest, ServiceError
from calendly_integration.webhooks.processing import process_delivery
from calendly_integration.webhooks.subscriptions import (
    WebhooksNotConfigured,
    ensure_subscriptions,
    pause_sharers,
    pause_subscriptions,
)

logger = logging.getLogger(__name__)

__all__ = [
    "NotReplayable",
    "WebhooksUnavailable",
    "create_subscription",
    "delete_subscription",
    "replay_delivery",
]

WEBHOOK_SCOPES = ("webhooks:read", "webhooks:write")
#: Statuses a stored delivery may be processed again from. ``misrouted`` is one: replaying checks
#: the organization again, so a delivery refused on a stale mirror (a host who has since moved
#: organizations) goes through once a sync has caught up, and a truly foreign one stays refused.
REPLAYABLE = (
    WebhookDelivery.Status.RECEIVED,
    WebhookDelivery.Status.FAILED,
    WebhookDelivery.Status.PROCESSED,
    WebhookDelivery.Status.IGNORED,
    WebhookDelivery.Status.MISROUTED,
)


class WebhooksUnavailable(ServiceError):
    code = "webhooks_not_configured"
    status = 409
    default_message = _(
        "Webhooks are not set up on this site: CALENDLY['PUBLIC_BASE_URL'] is missing."
    )


class NotReplayable(ServiceError):
    code = "not_replayable"
    status = 409
    default_message = _("Only valid, first deliveries can be replayed.")


def create_subscription(connection: Connection, scope: str = "user") -> WebhookSubscription:
    """Make sure ``connection`` has an active subscription of ``scope`` at Calendly; return it.

    Idempotent: an active subscription is returned as it is, a disabled or vanished one is made
    again. Organization scope needs the ``WEBHOOK_ORGANIZATION_SCOPE`` setting and a connection
    whose user is an organization owner or admin (``InvalidRequest`` otherwise).
    """
    require_scopes(connection, *WEBHOOK_SCOPES)
    try:
        subscriptions = ensure_subscriptions(connection)
    except WebhooksNotConfigured:
        raise WebhooksUnavailable() from None
    for subscription in subscriptions:
        if subscription.scope == scope:
            return subscription
    raise InvalidRequest(
        {
            "scope": [
                gettext(
                    "This connection cannot have a subscription of this scope: organization "
                    "scope needs WEBHOOK_ORGANIZATION_SCOPE and an organization owner or admin."
                )
            ]
        }
    )


def delete_subscription(subscription: WebhookSubscription, actor: Any = None) -> None:
    """Delete the subscription at Calendly (already gone there is fine), then our row.

    Acts through the subscription's own connection, which needs ``webhooks:write``. A person
    deleted it on purpose, so the periodic check stops healing the connection's subscription in
    that scope (the other scope's is still healed) until ``create_subscription`` (or any explicit
    ensure) asks for them again.
    """
    connection = subscription.connection
    require_scopes(connection, "webhooks:write")
    if subscription.uri:
        with client_for_connection(connection) as client, contextlib.suppress(NotFound):
            client.delete_webhook_subscription(subscription.uri)
    logger.info("Deleted Calendly webhook subscription %s", subscription.pk)
    pause_sharers(subscription)
    subscription.delete()
    pause_subscriptions(connection, [subscription.scope])


def replay_delivery(delivery: WebhookDelivery) -> WebhookDelivery:
    """Process a stored delivery again, now, and return it with its new status."""
    if delivery.status not in REPLAYABLE:
        raise NotReplayable()
    process_delivery(delivery.pk, force=True)
    delivery.refresh_from_db()
    return delivery
