"""Rows made straight in the database, many at once, each with its own related rows.

Only the query-count and scoping tests use them: they need a hundred rows whose relations all
differ (so a missing ``select_related`` shows), and rows of an organization the simulator does
not have. Everything else uses rows synced from the simulator.
"""

from __future__ import annotations

from datetime import timedelta
from itertools import count

from django.contrib.auth import get_user_model
from django.utils import timezone

from calendly_integration.models import (
    AvailabilitySchedule,
    CalendlyUser,
    Connection,
    EventHost,
    EventType,
    Invitee,
    Membership,
    Organization,
    RoutingForm,
    RoutingFormSubmission,
    ScheduledEvent,
    SchedulingLink,
    SyncRun,
    SyncState,
    WebhookDelivery,
    WebhookSubscription,
)

_serial = count(1)
BASE = "https://api.calendly.test"


def _uri(kind: str) -> str:
    return f"{BASE}/{kind}/{next(_serial):08d}"


def organization(name: str = "Acme") -> Organization:
    return Organization.objects.create(uri=_uri("organizations"), name=name)


def calendly_user(org: Organization) -> CalendlyUser:
    n = next(_serial)
    return CalendlyUser.objects.create(
        uri=_uri("users"),
        organization=org,
        name=f"Host {n}",
        email=f"host{n}@example.com",
        scheduling_url=f"https://calendly.test/host{n}",
    )


def event_type(org: Organization, owner: CalendlyUser) -> EventType:
    n = next(_serial)
    return EventType.objects.create(
        uri=_uri("event_types"),
        organization=org,
        owner=owner,
        owner_uri=owner.uri,
        name=f"Meeting {n}",
        scheduling_url=f"https://calendly.test/host/{n}",
    )


def scheduled_event(org: Organization | None = None, *, days: int = 1) -> ScheduledEvent:
    org = org or organization()
    host = calendly_user(org)
    kind = event_type(org, host)
    start = timezone.now() + timedelta(days=days)
    event = ScheduledEvent.objects.create(
        uri=_uri("scheduled_events"),
        organization=org,
        event_type=kind,
        event_type_uri=kind.uri,
        name=kind.name,
        start_time=start,
        end_time=start + timedelta(minutes=30),
        invitees_total=1,
        invitees_active=1,
    )
    EventHost.objects.create(event=event, user=host, user_uri=host.uri, name=host.name)
    return event


def invitee(event: ScheduledEvent | None = None) -> Invitee:
    event = event or scheduled_event()
    n = next(_serial)
    return Invitee.objects.create(
        uri=f"{event.uri}/invitees/{n:08d}",
        organization=event.organization,
        event=event,
        name=f"Guest {n}",
        email=f"guest{n}@example.com",
        cancel_url=f"https://calendly.test/cancellations/{n}",
        reschedule_url=f"https://calendly.test/reschedulings/{n}",
        calendly_created_at=timezone.now(),
    )


def connection(org: Organization | None = None, *, owner=None) -> Connection:
    n = next(_serial)
    owner = owner or get_user_model().objects.create_user(f"user{n}")
    return Connection.objects.create(
        owner=owner,
        calendly_user_uri=_uri("users"),
        organization_uri=org.uri if org else "",
        name=f"Connection {n}",
        kind=Connection.Kind.PAT,
    )


def subscription(conn: Connection | None = None) -> WebhookSubscription:
    conn = conn or connection()
    return WebhookSubscription.objects.create(
        connection=conn,
        uri=_uri("webhook_subscriptions"),
        callback_url="https://example.com/calendly/webhooks/tok/",
        state="active",
    )


def make(kind: str, org: Organization | None = None):
    """One row of ``kind`` (a model name) with fresh related rows."""
    org_for_row = org or organization()
    if kind == "organization":
        return org_for_row
    if kind == "calendlyuser":
        return calendly_user(org_for_row)
    if kind == "membership":
        user = calendly_user(org_for_row)
        return Membership.objects.create(
            uri=_uri("memberships"), organization=org_for_row, user=user
        )
    if kind == "eventtype":
        return event_type(org_for_row, calendly_user(org_for_row))
    if kind == "scheduledevent":
        return scheduled_event(org_for_row)
    if kind == "eventhost":
        return scheduled_event(org_for_row).hosts.get()
    if kind == "invitee":
        return invitee(scheduled_event(org_for_row))
    if kind == "schedulinglink":
        owner = event_type(org_for_row, calendly_user(org_for_row))
        url = f"https://calendly.test/d/{next(_serial)}"
        return SchedulingLink.objects.create(
            uri=url, booking_url=url, organization=org_for_row, owner=owner, owner_uri=owner.uri
        )
    if kind == "routingform":
        return RoutingForm.objects.create(uri=_uri("routing_forms"), organization=org_for_row)
    if kind == "routingformsubmission":
        form = RoutingForm.objects.create(uri=_uri("routing_forms"), organization=org_for_row)
        return RoutingFormSubmission.objects.create(
            uri=_uri("routing_form_submissions"), organization=org_for_row, form=form
        )
    if kind == "availabilityschedule":
        user = calendly_user(org_for_row)
        return AvailabilitySchedule.objects.create(
            uri=_uri("availability_schedules"),
            organization=org_for_row,
            user=user,
            user_uri=user.uri,
        )
    if kind == "connection":
        conn = connection(org_for_row)
        run = SyncRun.objects.create(connection=conn, status=SyncRun.Status.FAILED, error="boom")
        SyncState.objects.create(connection=conn, run=run, last_success_at=timezone.now())
        subscription(conn)
        return conn
    if kind == "webhooksubscription":
        return subscription(connection(org_for_row))
    if kind == "webhookdelivery":
        return WebhookDelivery.objects.create(
            subscription=subscription(connection(org_for_row)), event="invitee.created"
        )
    if kind == "syncrun":
        return SyncRun.objects.create(connection=connection(org_for_row))
    if kind == "syncstate":
        conn = connection(org_for_row)
        run = SyncRun.objects.create(connection=conn)
        return SyncState.objects.create(connection=conn, run=run)
    raise ValueError(kind)
