"""Webhook subscriptions: list, create, read, delete."""

from __future__ import annotations

from collections.abc import Sequence

from calendly_integration.client.base import ApiBase, Resource, body
from calendly_integration.client.identifiers import path
from calendly_integration.client.pagination import PagedCollection
from calendly_integration.client.validation import (
    check_choice,
    check_http_url,
    check_sort,
    require_text,
)

WEBHOOK_EVENTS = (
    "invitee.created",
    "invitee.canceled",
    "invitee_no_show.created",
    "invitee_no_show.deleted",
    "routing_form_submission.created",
    "event_type.created",
    "event_type.updated",
    "event_type.deleted",
)
WEBHOOK_SCOPES = ("organization", "user")
#: Listing also takes group scope; creating a group subscription is not in the API's contract.
WEBHOOK_LIST_SCOPES = (*WEBHOOK_SCOPES, "group")
WEBHOOK_SORT_FIELDS = ("created_at",)


class WebhooksMixin(ApiBase):
    def _scope_filter(
        self, scope: str, user: str | None, group: str | None, scopes: tuple[str, ...]
    ) -> dict[str, str]:
        check_choice(require_text(scope, "scope"), "scope", scopes)
        if scope == "user" and not user:
            raise ValueError("A user-scope webhook subscription needs the user URI.")
        if scope == "group" and not group:
            raise ValueError("A group-scope webhook subscription needs the group URI.")
        return body(
            user=self._uri(user, "users", "user") if user else None,
            group=self._uri(group, "groups", "group") if group else None,
        )

    def list_webhook_subscriptions(
        self,
        *,
        organization: str,
        scope: str,
        user: str | None = None,
        group: str | None = None,
        sort: str | None = None,
        count: int | None = None,
        page_token: str | None = None,
    ) -> PagedCollection:
        """GET /webhook_subscriptions: the subscriptions of an organization, user or group.

        Calendly requires ``organization`` and ``scope`` (and ``user`` for user scope).
        """
        params = {
            "organization": self._uri(organization, "organizations", "organization"),
            "scope": scope,
            **self._scope_filter(scope, user, group, WEBHOOK_LIST_SCOPES),
            "sort": check_sort(sort, WEBHOOK_SORT_FIELDS),
            "count": self._count(count),
        }
        return self._list("/webhook_subscriptions", params, page_token)

    def create_webhook_subscription(
        self,
        *,
        url: str,
        events: Sequence[str],
        organization: str,
        scope: str,
        user: str | None = None,
        signing_key: str | None = None,
    ) -> Resource:
        """POST /webhook_subscriptions: deliveries of ``events`` to ``url``.

        The organization URI is required even for user scope; organization scope needs an owner or
        admin. A second subscription for the same URL is refused with ``Conflict`` (409).
        ``signing_key`` is only honoured for personal-access-token subscriptions.
        """
        if isinstance(events, str) or not events:
            raise ValueError("A webhook subscription needs a non-empty list of events.")
        for event in events:
            check_choice(event, "events", WEBHOOK_EVENTS)
        if signing_key is not None:
            require_text(signing_key, "signing_key")
        payload = body(
            url=check_http_url(url, "url"),
            events=list(dict.fromkeys(events)),
            organization=self._uri(organization, "organizations", "organization"),
            scope=scope,
            **self._scope_filter(scope, user, None, WEBHOOK_SCOPES),
            signing_key=signing_key,
        )
        return self._resource("POST", "/webhook_subscriptions", json=payload)

    def get_webhook_subscription(self, subscription: str) -> Resource:
        """GET /webhook_subscriptions/{webhook_uuid}: its ``state`` says if Calendly disabled it."""
        uuid = self._uuid(subscription, "webhook_subscriptions", "webhook subscription")
        return self._resource("GET", path("webhook_subscriptions", uuid))

    def delete_webhook_subscription(self, subscription: str) -> None:
        """DELETE /webhook_subscriptions/{webhook_uuid}."""
        uuid = self._uuid(subscription, "webhook_subscriptions", "webhook subscription")
        self._delete(path("webhook_subscriptions", uuid))
