"""The app's models, one module per Calendly resource family; import them from here."""

from calendly_integration.models.availability import AvailabilitySchedule
from calendly_integration.models.connection import Connection, ConnectionQuerySet
from calendly_integration.models.event_types import EventType
from calendly_integration.models.organizations import CalendlyUser, Membership, Organization
from calendly_integration.models.routing_forms import RoutingForm, RoutingFormSubmission
from calendly_integration.models.scheduled_events import EventHost, Invitee, ScheduledEvent
from calendly_integration.models.scheduling_links import SchedulingLink
from calendly_integration.models.sync_runs import SyncRun, SyncState
from calendly_integration.models.webhooks import WebhookDelivery, WebhookSubscription

__all__ = [
    "AvailabilitySchedule",
    "CalendlyUser",
    "Connection",
    "ConnectionQuerySet",
    "EventHost",
    "EventType",
    "Invitee",
    "Membership",
    "Organization",
    "RoutingForm",
    "RoutingFormSubmission",
    "ScheduledEvent",
    "SchedulingLink",
    "SyncRun",
    "SyncState",
    "WebhookDelivery",
    "WebhookSubscription",
]
