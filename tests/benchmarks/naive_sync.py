"""The naive baseline the sync benchmark compares against: what a first implementation looks like.

It mirrors the same objects into the same tables with the same field mapping, but the obvious way:
one ``update_or_create`` per row (each its own transaction), and the invitees of every event
fetched on every run. Foreign keys are resolved from in-memory dicts, so the baseline pays only
for its per-row writes and its requests, nothing sillier.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from calendly_integration.client import CalendlyClient
from calendly_integration.mirror import mapping
from calendly_integration.models import (
    AvailabilitySchedule,
    CalendlyUser,
    EventHost,
    EventType,
    Invitee,
    Membership,
    Organization,
    RoutingForm,
    RoutingFormSubmission,
    ScheduledEvent,
)


def _save(model: type, fields: dict[str, Any], **extra: Any) -> int:
    defaults = {k: v for k, v in fields.items() if k != "uri"}
    defaults.update(extra, synced_at=timezone.now(), removed_at=None)
    obj, _ = model.objects.update_or_create(uri=fields["uri"], defaults=defaults)
    return obj.pk


def naive_sync(client: CalendlyClient) -> int:
    """Sync everything the token's owner (an organization owner) can see; returns rows saved."""
    rows = 0
    me = client.get_current_user()
    org_uri = me["current_organization"]
    org_id = _save(Organization, mapping.organization_fields(client.get_organization(org_uri)))
    users = {me["uri"]: _save(CalendlyUser, mapping.user_fields(me), organization_id=org_id)}
    rows += 2
    for membership in client.list_organization_memberships(organization=org_uri):
        user = membership["user"]
        if user["uri"] not in users:
            users[user["uri"]] = _save(
                CalendlyUser, mapping.user_fields(user), organization_id=org_id
            )
        _save(
            Membership,
            mapping.membership_fields(membership),
            organization_id=org_id,
            user_id=users[user["uri"]],
        )
        rows += 2
    event_types = {}
    for data in client.list_event_types(organization=org_uri):
        fields = mapping.event_type_fields(data)
        event_types[fields["uri"]] = _save(
            EventType, fields, organization_id=org_id, owner_id=users.get(fields["owner_uri"])
        )
        rows += 1
    for data in client.list_scheduled_events(organization=org_uri, sort="start_time:asc"):
        fields = mapping.scheduled_event_fields(data)
        event_id = _save(
            ScheduledEvent,
            fields,
            organization_id=org_id,
            event_type_id=event_types.get(fields["event_type_uri"]),
            invitees_synced_at=timezone.now(),
        )
        for host in mapping.event_hosts(data):
            EventHost.objects.update_or_create(
                event_id=event_id,
                user_uri=host["user_uri"],
                defaults={**host, "user_id": users.get(host["user_uri"])},
            )
        for invitee in client.list_event_invitees(fields["uri"]):
            _save(
                Invitee,
                mapping.invitee_fields(invitee),
                organization_id=org_id,
                event_id=event_id,
            )
            rows += 1
        rows += 1
    for data in client.list_routing_forms(organization=org_uri):
        form_id = _save(RoutingForm, mapping.routing_form_fields(data), organization_id=org_id)
        for submission in client.list_routing_form_submissions(form=data["uri"]):
            _save(
                RoutingFormSubmission,
                mapping.routing_form_submission_fields(submission),
                organization_id=org_id,
                form_id=form_id,
            )
            rows += 1
        rows += 1
    for user_uri, user_id in users.items():
        for data in client.list_user_availability_schedules(user_uri):
            _save(
                AvailabilitySchedule,
                mapping.availability_schedule_fields(data),
                organization_id=org_id,
                user_id=user_id,
            )
            rows += 1
    return rows
