"""Connections: list your own, connect with a personal access token, disconnect, sync, status."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins
from rest_framework import status as http
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from calendly_integration.api.pagination import NumberedPage
from calendly_integration.api.serializers.connections import (
    ConnectionSerializer,
    ConnectionStatusSerializer,
    ConnectTokenSerializer,
    SyncQueuedSerializer,
    SyncRequestSerializer,
)
from calendly_integration.api.serializers.errors import ErrorSerializer
from calendly_integration.api.views.base import GenericViewSet
from calendly_integration.exceptions import InvalidPersonalAccessToken
from calendly_integration.models import Connection, SyncRun, SyncState
from calendly_integration.services.connections import (
    connect_personal_access_token,
    disconnect,
    live_check,
    request_sync,
)


class ConnectionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    GenericViewSet,
):
    """Your Calendly connections (disconnected ones are gone from here; the admin keeps them)."""

    serializer_class = ConnectionSerializer
    pagination_class = NumberedPage
    calendly_actions = ("create", "destroy", "status")

    def get_queryset(self) -> QuerySet[Connection]:
        return (
            Connection.objects.for_user(self.request.user)
            .exclude(status=Connection.Status.REVOKED)
            .order_by("-created_at", "-pk")
        )

    @extend_schema(
        request=ConnectTokenSerializer,
        responses={
            201: ConnectionSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description=_(
                    "Invalid input, or a token Calendly refused: `errors.token` says why; "
                    "nothing was stored."
                ),
            ),
        },
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Connect with a personal access token (Calendly checks it first)."""
        serializer = ConnectTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            connection = connect_personal_access_token(
                request.user, serializer.validated_data["token"]
            )
        except InvalidPersonalAccessToken as exc:
            raise ValidationError({"token": [str(exc)]}) from None
        return Response(ConnectionSerializer(connection).data, status=http.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Disconnect: revoke the tokens at Calendly and forget them here."""
        disconnect(self.get_object())
        return Response(status=http.HTTP_204_NO_CONTENT)

    @extend_schema(request=SyncRequestSerializer, responses={202: SyncQueuedSerializer})
    @action(detail=True, methods=["post"])
    def sync(self, request: Request, pk: str | None = None) -> Response:
        """Queue a sync of this connection (a django-q2 task); answers at once with its id."""
        connection = self.get_object()
        serializer = SyncRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        full = serializer.validated_data["full"]
        task_id = request_sync(connection, full=full)
        return Response(
            {"task_id": str(task_id), "connection": connection.pk, "full": full},
            status=http.HTTP_202_ACCEPTED,
        )

    @extend_schema(responses={200: ConnectionStatusSerializer})
    @action(detail=True, methods=["get"])
    def status(self, request: Request, pk: str | None = None) -> Response:
        """Token expiry, scopes, last sync, webhooks, and a live check with the rate limit left."""
        connection = self.get_object()
        last_run = SyncRun.objects.filter(connection=connection).order_by("-started_at").first()
        state = SyncState.objects.filter(connection=connection).first()
        live = live_check(connection)
        body = {
            "connection": connection,
            "token_expires_at": connection.expires_at,
            "scopes": connection.scopes.split(),
            "full_access": connection.granted_scopes is None,
            "last_sync": _run_summary(last_run),
            "last_successful_sync_at": state.last_success_at if state else None,
            "webhooks": connection.webhook_subscriptions.order_by("scope"),
            "calendly_reachable": live.reachable,
            "calendly_error": live.error,
            "calendly_error_code": live.error_code,
            "rate_limit": live.rate_limit,
        }
        return Response(ConnectionStatusSerializer(body).data)


def _run_summary(run: SyncRun | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {
        "id": run.pk,
        "status": run.status,
        "full": run.full,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "created": run.created,
        "updated": run.updated,
        "removed": run.removed,
        "error": run.error,
    }
