"""One row of any of the app's models, made straight in the database with its own related rows.

The query-count and scoping tests use it: they need a hundred rows whose relations all differ
(so a missing ``select_related`` shows). The tenants themselves come from ``tests.tenants``,
shared with the tenancy tests.
"""

from __future__ import annotations

from django.utils import timezone

from calendly_integration.models import (
    AvailabilitySchedule,
    Connection,
    Organization,
    RoutingForm,
    RoutingFormSubmission,
    SchedulingLink,
    SyncRun,
    SyncState,
    WebhookDelivery,
    WebhookSubscription,
)
from tests.tenants import (
    calendly_user,
    connection,
    event_type,
    invitee,
    membership,
    organization,
    scheduled_event,
    uri,
)

__all__ = [
    "calendly_user",
    "connection",
    "event_type",
    "invitee",
    "make",
    "organization",
    "scheduled_event",
    "subscription",
]


def subscription(conn: Connection | None = None) -> WebhookSubscription:
    conn = conn or connection()
    return WebhookSubscription.objects.create(
        connection=conn,
        uri=uri("webhook_subscriptions"),
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
        return membership(org_for_row, calendly_user(org_for_row))
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
        url = "https://calendly.test/d/" + uri("d").rsplit("/", 1)[1]
        return SchedulingLink.objects.create(
            uri=url, booking_url=url, organization=org_for_row, owner=owner, owner_uri=owner.uri
        )
    if kind == "routingform":
        return RoutingForm.objects.create(uri=uri("routing_forms"), organization=org_for_row)
    if kind == "routingformsubmission":
        form = RoutingForm.objects.create(uri=uri("routing_forms"), organization=org_for_row)
        return RoutingFormSubmission.objects.create(
            uri=uri("routing_form_submissions"), organization=org_for_row, form=form
        )
    if kind == "availabilityschedule":
        user = calendly_user(org_for_row)
        return AvailabilitySchedule.objects.create(
            uri=uri("availability_schedules"),
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
