"""Signal handlers that tie webhooks to the rest of the app (connected in ``AppConfig.ready``).

- A connection made or renewed gets its subscriptions (``ensure_subscriptions``, queued after the
  connection's row is committed) when the site has a ``PUBLIC_BASE_URL``.
- A connection about to be disconnected leaves the subscriptions it shares while its token still
  works; the last connection sharing one deletes it at Calendly.
- Bookings and cancellations go to Slack when ``SLACK_WEBHOOK_URL`` is set (``slack.py``).
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from calendly_integration.models import Connection, Invitee
from calendly_integration.signals import (
    connection_connected,
    connection_disconnecting,
    invitee_canceled,
    invitee_created,
)
from calendly_integration.webhooks import slack
from calendly_integration.webhooks.subscriptions import queue_ensure, release_subscriptions


@receiver(connection_connected, sender=Connection, dispatch_uid="calendly_webhooks.connected")
def subscribe_new_connection(sender: Any, connection: Connection, **kwargs: Any) -> None:
    queue_ensure(connection)


@receiver(
    connection_disconnecting, sender=Connection, dispatch_uid="calendly_webhooks.disconnecting"
)
def unsubscribe_disconnecting(sender: Any, connection: Connection, **kwargs: Any) -> None:
    release_subscriptions(connection)


invitee_created.connect(
    slack.on_invitee_created, sender=Invitee, dispatch_uid="calendly_slack.created"
)
invitee_canceled.connect(
    slack.on_invitee_canceled, sender=Invitee, dispatch_uid="calendly_slack.canceled"
)
