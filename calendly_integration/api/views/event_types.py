"""Event types: list, detail, live available times, and single-use links."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status as http
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from calendly_integration.api.filters import EventTypeFilter
from calendly_integration.api.pagination import NumberedPage
from calendly_integration.api.serializers.errors import ErrorSerializer
from calendly_integration.api.serializers.event_types import (
    AvailableTimeSerializer,
    EventTypeSerializer,
    PrefillSerializer,
    SchedulingLinkSerializer,
    SingleUseLinkResultSerializer,
    TimeRangeQuerySerializer,
)
from calendly_integration.api.views.base import ReadOnlyViewSet
from calendly_integration.models import EventType
from calendly_integration.services.links import create_single_use_link
from calendly_integration.services.live import available_times


class EventTypeViewSet(ReadOnlyViewSet):
    serializer_class = EventTypeSerializer
    pagination_class = NumberedPage
    filter_backends = (DjangoFilterBackend,)
    filterset_class = EventTypeFilter
    calendly_actions = ("available_times", "single_use_links")

    def get_queryset(self) -> QuerySet[EventType]:
        return EventType.objects.visible_to(self.request.user).order_by("name", "pk")

    @extend_schema(
        parameters=[TimeRangeQuerySerializer],
        responses={
            200: AvailableTimeSerializer(many=True),
            400: OpenApiResponse(
                ErrorSerializer,
                description=_(
                    "Invalid input; `errors` lists the messages per field: a time that cannot be "
                    "read or is outside 1970 to 2200, a start in the past, an end not after the "
                    "start, or a range over 7 days."
                ),
            ),
        },
        filters=False,
    )
    @action(detail=True, methods=["get"], url_path="available-times", pagination_class=None)
    def available_times(self, request: Request, pk: str | None = None) -> Response:
        """Bookable start times, live from Calendly: a future start and at most 7 days."""
        event_type = self.get_object()
        query = TimeRangeQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        times = available_times(
            event_type,
            query.validated_data["start_time"],
            query.validated_data["end_time"],
            request.user,
        )
        return Response(AvailableTimeSerializer(times, many=True).data)

    @extend_schema(
        request=PrefillSerializer, responses={201: SingleUseLinkResultSerializer}, filters=False
    )
    @action(detail=True, methods=["post"], url_path="single-use-links")
    def single_use_links(self, request: Request, pk: str | None = None) -> Response:
        """Create a single-use booking link (stored as a scheduling link), optionally prefilled."""
        event_type = self.get_object()
        prefill = PrefillSerializer(data=request.data)
        prefill.is_valid(raise_exception=True)
        created = create_single_use_link(event_type, prefill.validated_data, request.user)
        body = {
            "booking_url": created.booking_url,
            "scheduling_link": SchedulingLinkSerializer(created.link).data,
        }
        return Response(body, status=http.HTTP_201_CREATED)
