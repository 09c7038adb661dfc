"""Writing one Calendly object into the mirror: a webhook payload or an action's read-back.

The columns come from ``mapping`` (the one place that maps Calendly's JSON), the foreign keys are
the ones a sync sets, looked up by URI here because a single object comes without the sync's
maps of ids, and the write goes through ``guard.write_guarded``, so a late or repeated object
never overwrites a newer one and the row gets the fingerprint a sync would give it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from calendly_integration.mirror.fingerprint import fingerprint
from calendly_integration.mirror.guard import write_guarded
from calendly_integration.mirror.hosts import replace_hosts
from calendly_integration.mirror.mapping import (
    event_hosts,
    event_type_fields,
    invitee_fields,
    routing_form_fields,
    routing_form_submission_fields,
    scheduled_event_fields,
    scheduling_link_fields,
)
from calendly_integration.models import (
    CalendlyUser,
    EventType,
    Invitee,
    Organization,
    RoutingForm,
    RoutingFormSubmission,
    ScheduledEvent,
    SchedulingLink,
)


def id_for(model: type[models.Model], uri: str) -> int | None:
    """The id of the row of ``model`` with this URI, if we hold one."""
    if not uri:
        return None
    return model._default_manager.filter(uri=uri).values_list("pk", flat=True).first()


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
    fields["event_type_id"] = id_for(EventType, fields["event_type_uri"])
    with transaction.atomic():
        event, written = write_guarded(ScheduledEvent, fields)
        if written:
            replace_hosts({event.pk: event_hosts(data)})
    return event


def save_invitee(data: dict[str, Any], event: ScheduledEvent) -> Invitee:
    """The invitee, linked to its event and, both ways, to the other half of a reschedule."""
    fields = invitee_fields(data)
    fields["organization_id"] = event.organization_id
    fields["event_id"] = event.pk
    with transaction.atomic():
        invitee, _ = write_guarded(Invitee, fields)
        link_reschedule(invitee)
    return invitee


def save_event_and_invitees(
    data: dict[str, Any], invitees: Iterable[dict[str, Any]], organization_id: int | None
) -> ScheduledEvent:
    """An event as Calendly has it now, with its invitees (an action's read-back)."""
    event = save_scheduled_event(data, organization_id)
    for invitee in invitees:
        save_invitee(invitee, event)
    return event


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
    fields["owner_id"] = id_for(CalendlyUser, fields["owner_uri"])
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


def save_scheduling_link(data: dict[str, Any], event_type: EventType) -> SchedulingLink:
    """A single-use link Calendly just made for ``event_type`` (Calendly cannot list them later,
    so there is no newer state to guard against: the row is written as given)."""
    fields = scheduling_link_fields(data)
    fields["organization_id"] = event_type.organization_id
    fields["owner_id"] = event_type.pk
    link, _ = SchedulingLink.objects.update_or_create(
        uri=fields["uri"],
        defaults={
            **fields,
            "synced_at": timezone.now(),
            "fingerprint": fingerprint(fields),
        },
    )
    return link
