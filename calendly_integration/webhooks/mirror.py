"""Writing one object from a webhook payload into the mirror, never over something newer.

Sync writes whole pages of what Calendly says *now*; a webhook payload says what was true when the
delivery was made, and deliveries come late, twice, or out of order. So each row here is written
only when the payload is at least as new as what we hold (Calendly's ``updated_at``), and a
cancellation is final: a late ``invitee.created`` never makes a canceled invitee active again.

The columns come from ``sync.mapping`` (the one place that maps Calendly's JSON) with the same
foreign keys sync sets, and the row gets the same fingerprint, so the next sync finds it unchanged
instead of writing it again. The check and the write happen under a row lock (or, for a row that
does not exist yet, behind the URI's unique constraint), so two workers cannot interleave them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from calendly_integration.models import (
    CalendlyUser,
    EventHost,
    EventType,
    Invitee,
    Organization,
    RoutingForm,
    RoutingFormSubmission,
    ScheduledEvent,
)
from calendly_integration.sync.mapping import (
    event_hosts,
    event_type_fields,
    invitee_fields,
    routing_form_fields,
    routing_form_submission_fields,
    scheduled_event_fields,
)
from calendly_integration.sync.upsert import fingerprint

M = TypeVar("M", bound=models.Model)
CANCELED = "canceled"


def is_older(held: models.Model, fields: Mapping[str, Any]) -> bool:
    """Whether ``fields`` describe an older state than the row ``held``.

    Canceled never turns back into active (Calendly cannot un-cancel), whatever the timestamps
    say; otherwise Calendly's ``updated_at`` decides, and equal times count as current so that a
    replay rewrites the same values.
    """
    if getattr(held, "status", None) == CANCELED and fields.get("status") not in (None, CANCELED):
        return True
    held_at: datetime | None = getattr(held, "calendly_updated_at", None)
    new_at: datetime | None = fields.get("calendly_updated_at")
    return held_at is not None and new_at is not None and new_at < held_at


def write_guarded(model: type[M], fields: Mapping[str, Any]) -> tuple[M, bool]:
    """Insert or update the row with ``fields["uri"]`` unless we hold a newer one.

    Returns the row (as stored afterwards) and whether it was written. Runs in the caller's
    transaction, or its own.
    """
    row = {
        "synced_at": timezone.now(),
        "removed_at": None,
        **fields,
        "fingerprint": fingerprint(fields),
    }
    manager = model._default_manager
    with transaction.atomic():
        held = manager.select_for_update().filter(uri=fields["uri"]).first()
        if held is None:
            try:
                with transaction.atomic():
                    return manager.create(**row), True
            except IntegrityError:  # created by someone else since we looked
                held = manager.select_for_update().get(uri=fields["uri"])
        if is_older(held, fields):
            return held, False
        for name, value in row.items():
            setattr(held, name, value)
        held.save()
        return held, True


def organization_id_for(uri: str) -> int | None:
    """The organization's row id, creating a bare row (sync fills it in later) if needed."""
    if not uri:
        return None
    organization, _ = Organization.objects.get_or_create(uri=uri, defaults={"raw": {}})
    return organization.pk


def save_scheduled_event(data: dict[str, Any], organization_id: int | None) -> ScheduledEvent:
    """The event (and, when written, its hosts) from Calendly's scheduled event object.

    Its invitees count as not synced since: the event's newest ``updated_at`` no longer tells
    the sync that something changed, and a change to another invitee of the event may have
    come in a delivery that was lost, so the next sync reads the event's invitees again.
    """
    fields = scheduled_event_fields(data)
    fields["organization_id"] = organization_id
    fields["invitees_synced_at"] = None
    fields["event_type_id"] = (
        EventType.objects.filter(uri=fields["event_type_uri"]).values_list("pk", flat=True).first()
        if fields["event_type_uri"]
        else None
    )
    with transaction.atomic():
        event, written = write_guarded(ScheduledEvent, fields)
        if written:
            _replace_hosts(event, data)
    return event


def _replace_hosts(event: ScheduledEvent, data: dict[str, Any]) -> None:
    hosts = event_hosts(data)
    user_ids = dict(
        CalendlyUser.objects.filter(uri__in=[h["user_uri"] for h in hosts]).values_list("uri", "pk")
    )
    EventHost.objects.filter(event=event).delete()
    EventHost.objects.bulk_create(
        [EventHost(event=event, user_id=user_ids.get(host["user_uri"]), **host) for host in hosts],
        ignore_conflicts=True,  # a sync writing the same event at once stored them first
    )


def save_invitee(data: dict[str, Any], event: ScheduledEvent) -> Invitee:
    """The invitee, linked to its event and, both ways, to the other half of a reschedule."""
    fields = invitee_fields(data)
    fields["organization_id"] = event.organization_id
    fields["event_id"] = event.pk
    with transaction.atomic():
        invitee, _ = write_guarded(Invitee, fields)
        link_reschedule(invitee)
    return invitee


def link_reschedule(invitee: Invitee) -> None:
    """Point the other half of a reschedule at this invitee, whichever half arrived first.

    Only the link columns change: the other row's data stays Calendly's, so its fingerprint
    tells the next sync to check it again.
    """
    if invitee.old_invitee_uri:
        Invitee.objects.filter(uri=invitee.old_invitee_uri, new_invitee_uri="").update(
            new_invitee_uri=invitee.uri, rescheduled=True
        )
    if invitee.new_invitee_uri:
        Invitee.objects.filter(uri=invitee.new_invitee_uri, old_invitee_uri="").update(
            old_invitee_uri=invitee.uri
        )


def save_event_type(
    data: dict[str, Any], organization_id: int | None, *, deleted: bool = False
) -> EventType:
    """An event type; ``deleted`` marks it removed whatever the payload's timestamps say."""
    fields = event_type_fields(data)
    fields["organization_id"] = organization_id
    fields["owner_id"] = (
        CalendlyUser.objects.filter(uri=fields["owner_uri"]).values_list("pk", flat=True).first()
        if fields["owner_uri"]
        else None
    )
    now = timezone.now()
    if deleted:
        fields["deleted_at"] = fields["deleted_at"] or now
        fields["removed_at"] = now
    with transaction.atomic():
        event_type, written = write_guarded(EventType, fields)
        if deleted and not written:
            EventType.objects.filter(pk=event_type.pk).update(
                deleted_at=event_type.deleted_at or now, removed_at=now, active=False
            )
            event_type.refresh_from_db()
    return event_type


def save_routing_form(data: dict[str, Any], organization_id: int | None) -> RoutingForm:
    fields = routing_form_fields(data)
    fields["organization_id"] = organization_id
    form, _ = write_guarded(RoutingForm, fields)
    return form


def bare_routing_form(uri: str, organization_id: int | None) -> RoutingForm:
    """A placeholder for a form we cannot read; sync fills it in."""
    form, _ = RoutingForm.objects.get_or_create(
        uri=uri, defaults={"organization_id": organization_id, "raw": {}}
    )
    return form


def save_routing_form_submission(data: dict[str, Any], form: RoutingForm) -> RoutingFormSubmission:
    fields = routing_form_submission_fields(data)
    fields["organization_id"] = form.organization_id
    fields["form_id"] = form.pk
    submission, _ = write_guarded(RoutingFormSubmission, fields)
    return submission
