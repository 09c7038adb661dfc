"""What an action did at Calendly, written when Calendly cannot be read back.

After cancelling an event or marking a no-show, ``services`` reads the object back and writes it
through ``objects`` like any other. When that read fails, the answer to the action itself is all
we know; these write just the columns it settles, mapped like everything else, so the row is
right until the next sync or webhook brings the whole object.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from calendly_integration.mirror.mapping import invitee_fields, scheduled_event_fields
from calendly_integration.mirror.objects import save_scheduled_event
from calendly_integration.models import Invitee, ScheduledEvent


def apply_cancellation(event: ScheduledEvent, cancellation: dict[str, Any]) -> None:
    """Mark the row canceled from Calendly's cancellation object."""
    if event.raw.get("uri") == event.uri:
        data = {**event.raw, "status": "canceled", "cancellation": cancellation}
        save_scheduled_event(data, event.organization_id)
        return
    fields = scheduled_event_fields({"uri": event.uri, "cancellation": cancellation})
    ScheduledEvent.objects.filter(pk=event.pk).update(
        status=ScheduledEvent.Status.CANCELED,
        canceled_at=fields["canceled_at"] or timezone.now(),
        canceled_by=fields["canceled_by"],
        canceler_type=fields["canceler_type"],
        cancel_reason=fields["cancel_reason"],
    )


def apply_no_show(invitee: Invitee, no_show: dict[str, Any] | None) -> None:
    """Set the invitee's no-show columns from Calendly's no-show object (None: unmarked)."""
    fields = invitee_fields({"uri": invitee.uri, "no_show": no_show})
    Invitee.objects.filter(pk=invitee.pk).update(
        is_no_show=fields["is_no_show"],
        no_show_uri=fields["no_show_uri"],
        no_show_created_at=fields["no_show_created_at"],
    )
