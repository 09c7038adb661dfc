"""Scheduled events: list (cursor pages, newest start first), detail, and cancel."""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from calendly_integration.api.filters import ScheduledEventFilter
from calendly_integration.api.pagination import CursorPage
from calendly_integration.api.serializers.events import CancelSerializer, ScheduledEventSerializer
from calendly_integration.api.views.base import ReadOnlyViewSet
from calendly_integration.models import ScheduledEvent
from calendly_integration.services.events import cancel_event


class ScheduledEventViewSet(ReadOnlyViewSet):
    """Events you host, or your organization's if you are an owner or admin there.

    Events without a start time (which Calendly never sends) are left out of the list, since
    the list's cursor is the start time.
    """

    serializer_class = ScheduledEventSerializer
    pagination_class = CursorPage
    cursor_ordering = ("-start_time", "-pk")
    filter_backends = (DjangoFilterBackend,)
    filterset_class = ScheduledEventFilter
    calendly_actions = ("cancel",)

    def get_queryset(self) -> QuerySet[ScheduledEvent]:
        queryset = ScheduledEvent.objects.visible_to(self.request.user).prefetch_related("hosts")
        if self.action == "list":
            queryset = queryset.filter(start_time__isnull=False)
        return queryset

    @extend_schema(request=CancelSerializer, responses={200: ScheduledEventSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Cancel at Calendly (for every invitee) with a reason; answers the updated event.

        An event already canceled answers 409.
        """
        event = self.get_object()
        body = CancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        event = cancel_event(event, body.validated_data.get("reason", ""), request.user)
        return Response(ScheduledEventSerializer(self.get_queryset().get(pk=event.pk)).data)
