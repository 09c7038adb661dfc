"""Invitees: list (cursor pages), detail, and marking or unmarking a no-show."""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from calendly_integration.api.filters import InviteeFilter
from calendly_integration.api.pagination import CursorPage
from calendly_integration.api.serializers.invitees import InviteeSerializer
from calendly_integration.api.views.base import ReadOnlyViewSet
from calendly_integration.models import Invitee
from calendly_integration.services.invitees import mark_no_show, unmark_no_show


class InviteeViewSet(ReadOnlyViewSet):
    serializer_class = InviteeSerializer
    pagination_class = CursorPage
    cursor_ordering = ("-pk",)
    filter_backends = (DjangoFilterBackend,)
    filterset_class = InviteeFilter
    calendly_actions = ("no_show", "unmark_no_show")

    def get_queryset(self) -> QuerySet[Invitee]:
        return Invitee.objects.visible_to(self.request.user)

    @extend_schema(request=None, responses={200: InviteeSerializer})
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request: Request, pk: str | None = None) -> Response:
        """Mark the invitee as a no-show at Calendly (already marked: unchanged)."""
        invitee = mark_no_show(self.get_object(), request.user)
        return Response(InviteeSerializer(invitee).data)

    @extend_schema(request=None, responses={200: InviteeSerializer})
    @no_show.mapping.delete
    def unmark_no_show(self, request: Request, pk: str | None = None) -> Response:
        """Take the no-show mark back at Calendly (not marked: unchanged)."""
        invitee = unmark_no_show(self.get_object(), request.user)
        return Response(InviteeSerializer(invitee).data)
