"""Webhook subscriptions (list, create, delete) and deliveries (staff: list, detail, replay)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework import status as http
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from calendly_integration.api.filters import WebhookDeliveryFilter, WebhookSubscriptionFilter
from calendly_integration.api.pagination import CursorPage, NumberedPage
from calendly_integration.api.permissions import IsStaff
from calendly_integration.api.serializers.webhooks import (
    WebhookDeliverySerializer,
    WebhookSubscriptionCreateSerializer,
    WebhookSubscriptionSerializer,
)
from calendly_integration.api.views.base import GenericViewSet, ReadOnlyViewSet
from calendly_integration.models import Connection, WebhookDelivery, WebhookSubscription
from calendly_integration.services.webhooks import (
    create_subscription,
    delete_subscription,
    replay_delivery,
)


class WebhookSubscriptionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    GenericViewSet,
):
    """Your connections' webhook subscriptions (staff: everyone's)."""

    serializer_class = WebhookSubscriptionSerializer
    pagination_class = NumberedPage
    filter_backends = (DjangoFilterBackend,)
    filterset_class = WebhookSubscriptionFilter
    calendly_actions = ("create", "destroy")

    def get_queryset(self) -> QuerySet[WebhookSubscription]:
        return WebhookSubscription.objects.visible_to(self.request.user).order_by(
            "-created_at", "-pk"
        )

    @extend_schema(
        request=WebhookSubscriptionCreateSerializer,
        responses={201: WebhookSubscriptionSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Subscribe a connection at Calendly (idempotent: an active one is returned as it is)."""
        body = WebhookSubscriptionCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        connection = (
            Connection.objects.for_user(request.user)
            .filter(pk=body.validated_data["connection"])
            .exclude(status=Connection.Status.REVOKED)
            .first()
        )
        if connection is None:
            raise NotFound(gettext("You have no such connection."))
        subscription = create_subscription(connection, body.validated_data["scope"])
        return Response(
            WebhookSubscriptionSerializer(subscription).data, status=http.HTTP_201_CREATED
        )

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Delete the subscription at Calendly and here."""
        delete_subscription(self.get_object(), request.user)
        return Response(status=http.HTTP_204_NO_CONTENT)


class WebhookDeliveryViewSet(ReadOnlyViewSet):
    """Every request the webhook receiver got, newest first (staff only)."""

    serializer_class = WebhookDeliverySerializer
    permission_classes = (IsStaff,)
    pagination_class = CursorPage
    cursor_ordering = ("-received_at", "-pk")
    filter_backends = (DjangoFilterBackend,)
    filterset_class = WebhookDeliveryFilter
    calendly_actions = ("replay",)

    def get_queryset(self) -> QuerySet[WebhookDelivery]:
        return WebhookDelivery.objects.visible_to(self.request.user)

    @extend_schema(request=None, responses={200: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def replay(self, request: Request, pk: str | None = None) -> Response:
        """Process the delivery again now; answers it with its new status."""
        delivery = replay_delivery(self.get_object())
        return Response(WebhookDeliverySerializer(delivery).data)
