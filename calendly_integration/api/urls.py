"""The API's one router; include it under any prefix.

::

    path("api/", include("calendly_integration.api.urls")),

URL names live in the ``calendly_api`` namespace (``calendly_api:scheduled-event-detail``).
"""

from rest_framework.routers import APIRootView, DefaultRouter

from calendly_integration.api.views.base import ApiViewMixin
from calendly_integration.api.views.connections import ConnectionViewSet
from calendly_integration.api.views.event_types import EventTypeViewSet
from calendly_integration.api.views.invitees import InviteeViewSet
from calendly_integration.api.views.live import (
    AnalyticsViewSet,
    BusyTimesViewSet,
    InterviewLinksViewSet,
)
from calendly_integration.api.views.readonly import (
    AvailabilityScheduleViewSet,
    RoutingFormSubmissionViewSet,
    RoutingFormViewSet,
)
from calendly_integration.api.views.scheduled_events import ScheduledEventViewSet
from calendly_integration.api.views.webhooks import (
    WebhookDeliveryViewSet,
    WebhookSubscriptionViewSet,
)

app_name = "calendly_api"


class ApiRootView(ApiViewMixin, APIRootView):
    """The list of endpoints, answered like every other view (errors, hostile input, sign-in)."""

    schema = None


router = DefaultRouter()
router.APIRootView = ApiRootView
router.register("connections", ConnectionViewSet, basename="connection")
router.register("event-types", EventTypeViewSet, basename="event-type")
router.register("scheduled-events", ScheduledEventViewSet, basename="scheduled-event")
router.register("invitees", InviteeViewSet, basename="invitee")
router.register(
    "webhook-subscriptions", WebhookSubscriptionViewSet, basename="webhook-subscription"
)
router.register("webhook-deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")
router.register("routing-forms", RoutingFormViewSet, basename="routing-form")
router.register(
    "routing-form-submissions", RoutingFormSubmissionViewSet, basename="routing-form-submission"
)
router.register(
    "availability-schedules", AvailabilityScheduleViewSet, basename="availability-schedule"
)
router.register("busy-times", BusyTimesViewSet, basename="busy-times")
router.register("interview-links", InterviewLinksViewSet, basename="interview-links")
router.register("analytics", AnalyticsViewSet, basename="analytics")

urlpatterns = router.urls
