"""Routing forms, their submissions, and availability schedules: read-only mirrors."""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend

from calendly_integration.api.filters import (
    AvailabilityScheduleFilter,
    RoutingFormSubmissionFilter,
)
from calendly_integration.api.pagination import CursorPage, NumberedPage
from calendly_integration.api.serializers.readonly import (
    AvailabilityScheduleSerializer,
    RoutingFormSerializer,
    RoutingFormSubmissionSerializer,
)
from calendly_integration.api.views.base import ReadOnlyViewSet
from calendly_integration.models import AvailabilitySchedule, RoutingForm, RoutingFormSubmission


class RoutingFormViewSet(ReadOnlyViewSet):
    """Your organization's routing forms (owners and admins)."""

    serializer_class = RoutingFormSerializer
    pagination_class = NumberedPage

    def get_queryset(self) -> QuerySet[RoutingForm]:
        return RoutingForm.objects.visible_to(self.request.user).order_by("name", "pk")


class RoutingFormSubmissionViewSet(ReadOnlyViewSet):
    """Submissions of your organization's routing forms, newest first."""

    serializer_class = RoutingFormSubmissionSerializer
    pagination_class = CursorPage
    cursor_ordering = ("-pk",)
    filter_backends = (DjangoFilterBackend,)
    filterset_class = RoutingFormSubmissionFilter

    def get_queryset(self) -> QuerySet[RoutingFormSubmission]:
        return RoutingFormSubmission.objects.visible_to(self.request.user)


class AvailabilityScheduleViewSet(ReadOnlyViewSet):
    """Working-hours schedules: yours, or your organization's users' if you are an admin."""

    serializer_class = AvailabilityScheduleSerializer
    pagination_class = NumberedPage
    filter_backends = (DjangoFilterBackend,)
    filterset_class = AvailabilityScheduleFilter

    def get_queryset(self) -> QuerySet[AvailabilitySchedule]:
        return AvailabilitySchedule.objects.visible_to(self.request.user).order_by(
            "user_uri", "-is_default", "name", "pk"
        )
