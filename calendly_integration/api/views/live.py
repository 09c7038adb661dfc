"""Busy times (live from Calendly), interview links and analytics: endpoints about no one row."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from calendly_integration.api.schema import TIME_RANGE_400
from calendly_integration.api.serializers.analytics import (
    AnalyticsQuerySerializer,
    AnalyticsSerializer,
)
from calendly_integration.api.serializers.errors import ErrorSerializer
from calendly_integration.api.serializers.interview_links import (
    InterviewLinksRequestSerializer,
    InterviewLinksResultSerializer,
)
from calendly_integration.api.serializers.live import BusyTimeSerializer, BusyTimesQuerySerializer
from calendly_integration.api.views.base import ViewSet
from calendly_integration.exceptions import NeedsReauth
from calendly_integration.models import CalendlyUser, Connection, EventType, ScheduledEvent
from calendly_integration.services.analytics import event_analytics
from calendly_integration.services.errors import NotPermitted
from calendly_integration.services.links import create_interview_links
from calendly_integration.services.live import busy_times


class BusyTimesViewSet(ViewSet):
    calendly_actions = ("list",)

    @extend_schema(
        parameters=[BusyTimesQuerySerializer],
        responses={
            200: BusyTimeSerializer(many=True),
            400: OpenApiResponse(ErrorSerializer, description=TIME_RANGE_400),
        },
    )
    def list(self, request: Request) -> Response:
        """A user's busy times, live from Calendly (at most 7 days): yours by default, or any
        user of your organization's if you are an owner or admin there."""
        query = BusyTimesQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        start, end = query.validated_data["start_time"], query.validated_data["end_time"]
        uri = query.validated_data.get("user")
        if uri:
            user = CalendlyUser.objects.visible_to(request.user).filter(uri=uri).first()
            own = _own_connections(request).filter(calendly_user_uri=uri)
            if user is None and not own.exists():
                raise Http404
            blocks = busy_times(user or uri, start, end, request.user)
        else:
            connections = _own_connections(request)
            connection = connections.filter(status=Connection.Status.ACTIVE).first()
            if connection is None:
                # The same answer as every other live read: reconnect, not "not permitted".
                stale = connections.first()
                if stale is None:
                    raise NotPermitted()
                raise NeedsReauth(connection_id=stale.pk)
            blocks = busy_times(
                connection.calendly_user_uri, start, end, request.user, connection=connection
            )
        return Response(BusyTimeSerializer(blocks, many=True).data)


def _own_connections(request: Request) -> QuerySet[Connection]:
    """The user's connections that are not disconnected (one to reconnect included)."""
    return (
        Connection.objects.for_user(request.user)
        .exclude(status=Connection.Status.REVOKED)
        .order_by("pk")
    )


class InterviewLinksViewSet(ViewSet):
    calendly_actions = ("create",)

    @extend_schema(
        request=InterviewLinksRequestSerializer, responses={200: InterviewLinksResultSerializer}
    )
    def create(self, request: Request) -> Response:
        """One single-use, prefilled booking link per candidate (up to 100).

        A candidate whose link fails gets an ``error``; the others still get their links.
        """
        body = InterviewLinksRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        event_type = (
            EventType.objects.visible_to(request.user)
            .filter(pk=body.validated_data["event_type"])
            .first()
        )
        if event_type is None:
            raise Http404
        results = create_interview_links(
            event_type, body.validated_data["candidates"], request.user
        )
        answer = {
            "event_type": event_type.pk,
            "created": sum(1 for r in results if r.ok),
            "failed": sum(1 for r in results if not r.ok),
            "results": [
                {
                    "index": r.index,
                    "name": r.name,
                    "email": r.email,
                    "booking_url": r.booking_url,
                    "scheduling_link": r.link.pk if r.link else None,
                    "error": r.error.as_dict() if r.error else None,
                }
                for r in results
            ],
        }
        return Response(InterviewLinksResultSerializer(answer).data)


class AnalyticsViewSet(ViewSet):
    @extend_schema(
        parameters=[AnalyticsQuerySerializer],
        responses={
            200: AnalyticsSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description=_(
                    "Invalid input; `errors` lists the messages per field: a day that is not "
                    "YYYY-MM-DD from 1970 to 2199, an end before the start, an unknown time zone."
                ),
            ),
        },
    )
    def list(self, request: Request) -> Response:
        """Bookings of the events you may see, by start date: totals, breakdowns and rates."""
        query = AnalyticsQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        figures = event_analytics(
            ScheduledEvent.objects.visible_to(request.user),
            query.validated_data["start"],
            query.validated_data["end"],
            query.validated_data["timezone"],
        )
        return Response(AnalyticsSerializer(figures).data)
