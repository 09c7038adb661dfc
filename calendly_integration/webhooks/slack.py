"""Telling a Slack channel about bookings and cancellations.

Built only on the app's public pieces, so a host site can copy it for its own channel, e-mail or
CRM: receivers of ``invitee_created`` and ``invitee_canceled`` queue a task with the invitee's id;
the task builds a Block Kit message from the rows (who, what, when in the host's time zone, the
reason) and posts it to ``CALENDLY["SLACK_WEBHOOK_URL"]``. Replays are not announced again, and a
cancellation that is half of a reschedule is left to the new booking's message, which says
"rescheduled".
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import requests
from django.utils import formats
from django.utils.translation import gettext as _

from calendly_integration import queueing
from calendly_integration.conf import calendly_settings
from calendly_integration.models import CalendlyUser, Invitee

logger = logging.getLogger(__name__)

BOOKED = "booked"
CANCELED = "canceled"


def on_invitee_created(sender: Any, invitee: Invitee, replay: bool = False, **kwargs: Any) -> None:
    if calendly_settings.SLACK_WEBHOOK_URL and not replay:
        queueing.queue_slack_notification(invitee.pk, BOOKED)


def on_invitee_canceled(
    sender: Any, invitee: Invitee, replay: bool = False, rescheduled: bool = False, **kwargs: Any
) -> None:
    if calendly_settings.SLACK_WEBHOOK_URL and not replay and not rescheduled:
        queueing.queue_slack_notification(invitee.pk, CANCELED)


def post_notification(invitee_id: int, kind: str) -> int | None:
    """Post the message about one booking or cancellation; returns Slack's HTTP status.

    Raises on a refused post, so django-q2 records the task as failed.
    """
    url = calendly_settings.SLACK_WEBHOOK_URL
    invitee = Invitee.objects.select_related("event").filter(pk=invitee_id).first()
    if not url or invitee is None:
        return None
    response = requests.post(
        url,
        json=build_message(invitee, kind),
        timeout=(float(calendly_settings.CONNECT_TIMEOUT), float(calendly_settings.READ_TIMEOUT)),
    )
    response.raise_for_status()
    return response.status_code


def build_message(invitee: Invitee, kind: str) -> dict[str, Any]:
    """A Block Kit message: a header, then who / what / when / host, then the reason if any."""
    event = invitee.event
    previous = (
        Invitee.objects.select_related("event").filter(uri=invitee.old_invitee_uri).first()
        if invitee.old_invitee_uri
        else None
    )
    zone = host_timezone(invitee)
    if kind == CANCELED:
        title = _("Canceled: %(event)s") % {"event": event.name}
    elif invitee.old_invitee_uri:
        title = _("Rescheduled: %(event)s") % {"event": event.name}
    else:
        title = _("New booking: %(event)s") % {"event": event.name}
    when = time_range(event.start_time, event.end_time, zone)
    fields = [
        _field(_("Who"), f"{escape(invitee.name)} ({escape(invitee.email)})"),
        _field(_("What"), escape(event.name)),
        _field(_("When"), when),
        _field(_("Host"), escape(", ".join(h.name or h.email for h in event.hosts.all()) or "-")),
    ]
    if previous is not None and previous.event.start_time:
        fields.append(
            _field(_("Was"), time_range(previous.event.start_time, previous.event.end_time, zone))
        )
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
        {"type": "section", "fields": fields},
    ]
    if kind == CANCELED:
        reason = invitee.cancel_reason or _("No reason given.")
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"*{_('Reason')}*\n{escape(reason)}"},
            }
        )
        if invitee.canceled_by:
            by = _("Canceled by %(name)s (%(role)s)") % {
                "name": invitee.canceled_by,
                "role": invitee.get_canceler_type_display() or "-",
            }
            blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": escape(by)}]})
    text = f"{title}: {invitee.name} <{invitee.email}>, {when}"
    return {"text": text, "blocks": blocks}


def host_timezone(invitee: Invitee) -> ZoneInfo:
    """The first host's time zone as Calendly has it for them; UTC when we do not know it."""
    host_uris = list(invitee.event.hosts.values_list("user_uri", flat=True)[:1])
    name = (
        CalendlyUser.objects.filter(uri__in=host_uris).values_list("timezone", flat=True).first()
        if host_uris
        else None
    )
    if not name and host_uris:
        name = _fetch_timezone(invitee, host_uris[0])
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _fetch_timezone(invitee: Invitee, user_uri: str) -> str:
    """Ask Calendly for a host we have not synced yet (best effort, through any connection)."""
    from calendly_integration.models import WebhookSubscription
    from calendly_integration.oauth.tokens import client_for_connection

    subscription = (
        WebhookSubscription.objects.filter(organization_id=invitee.organization_id)
        .filter(connection__status="active")
        .first()
    )
    if subscription is None:
        return ""
    try:
        with client_for_connection(subscription.connection_id) as client:
            return str(client.get_user(user_uri).get("timezone") or "")
    except Exception as exc:
        logger.info("Could not read the time zone of %s: %s", user_uri, exc)
        return ""


def time_range(start: datetime | None, end: datetime | None, zone: ZoneInfo) -> str:
    if start is None:
        return "-"
    local_start = start.astimezone(zone)
    shown = formats.date_format(local_start, "D j M Y, H:i")
    if end is not None:
        shown += " - " + formats.date_format(end.astimezone(zone), "H:i")
    return f"{shown} ({zone.key})"


def escape(value: str) -> str:
    """Slack mrkdwn treats &, < and > as control characters."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _field(label: str, value: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": f"*{label}*\n{value}"}
