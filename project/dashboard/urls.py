"""The demo pages of a signed-in user; the site includes them at ``dashboard/``."""

from django.urls import path

from project.dashboard.views.activity import ActivityFeedView, ActivityView
from project.dashboard.views.analytics import AnalyticsView
from project.dashboard.views.dashboard import DashboardView, ImportStatusView, SyncNowView
from project.dashboard.views.event_types import (
    EventTypeListView,
    PrefilledLinkView,
    SingleUseLinkView,
)
from project.dashboard.views.events import CancelEventView, EventDetailView, NoShowView
from project.dashboard.views.interview_links import (
    InterviewLinksBatchView,
    InterviewLinksCsvView,
    InterviewLinksView,
)

app_name = "demo"

urlpatterns = [
    path("", DashboardView.as_view(), name="dashboard"),
    path("import-status/", ImportStatusView.as_view(), name="import_status"),
    path("connections/<int:pk>/sync/", SyncNowView.as_view(), name="sync_connection"),
    path("events/<int:pk>/", EventDetailView.as_view(), name="event_detail"),
    path("events/<int:pk>/cancel/", CancelEventView.as_view(), name="event_cancel"),
    path("invitees/<int:pk>/no-show/", NoShowView.as_view(), name="invitee_no_show"),
    path("event-types/", EventTypeListView.as_view(), name="event_types"),
    path(
        "event-types/<int:pk>/single-use-link/",
        SingleUseLinkView.as_view(),
        name="single_use_link",
    ),
    path(
        "event-types/<int:pk>/prefilled-link/",
        PrefilledLinkView.as_view(),
        name="prefilled_link",
    ),
    path("interview-links/", InterviewLinksView.as_view(), name="interview_links"),
    path(
        "interview-links/<str:batch_id>/",
        InterviewLinksBatchView.as_view(),
        name="interview_links_batch",
    ),
    path(
        "interview-links/<str:batch_id>/csv/",
        InterviewLinksCsvView.as_view(),
        name="interview_links_csv",
    ),
    path("activity/", ActivityView.as_view(), name="activity"),
    path("activity/feed/", ActivityFeedView.as_view(), name="activity_feed"),
    path("analytics/", AnalyticsView.as_view(), name="analytics"),
]
