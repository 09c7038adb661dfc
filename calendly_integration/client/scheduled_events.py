"""Scheduled events: listing by time window, reading, and cancelling."""

from __future__ import annotations

from datetime import datetime

from calendly_integration.client.base import ApiBase, Resource, body
from calendly_integration.client.identifiers import path
from calendly_integration.client.pagination import PagedCollection
from calendly_integration.client.validation import (
    check_choice,
    check_email,
    check_sort,
    require_one_of,
)

EVENT_STATUSES = ("active", "canceled")
EVENT_SORT_FIELDS = ("start_time",)
MAX_REASON_LENGTH = 10_000


class ScheduledEventsMixin(ApiBase):
    def list_scheduled_events(
        self,
        *,
        user: str | None = None,
        organization: str | None = None,
        invitee_email: str | None = None,
        status: str | None = None,
        sort: str | None = None,
        min_start_time: datetime | str | None = None,
        max_start_time: datetime | str | None = None,
        count: int | None = None,
        page_token: str | None = None,
    ) -> PagedCollection:
        """GET /scheduled_events: events of a user, or of the organization (owner/admin only).

        Calendly has no "updated since" filter: a sync lists a start-time window and compares
        ``updated_at`` itself.
        """
        require_one_of("Listing scheduled events", user=user, organization=organization)
        min_start = self._time(min_start_time, "min_start_time")
        max_start = self._time(max_start_time, "max_start_time")
        if min_start and max_start and max_start < min_start:
            raise ValueError("max_start_time must not be before min_start_time.")
        params = {
            "user": self._optional_uri(user, "users", "user"),
            "organization": self._optional_uri(organization, "organizations", "organization"),
            "invitee_email": check_email(invitee_email, "invitee_email")
            if invitee_email is not None
            else None,
            "status": check_choice(status, "status", EVENT_STATUSES),
            "sort": check_sort(sort, EVENT_SORT_FIELDS),
            "min_start_time": min_start,
            "max_start_time": max_start,
            "count": self._count(count),
        }
        return self._list("/scheduled_events", params, page_token)

    def get_scheduled_event(self, event: str) -> Resource:
        """GET /scheduled_events/{uuid}."""
        uuid = self._uuid(event, "scheduled_events", "scheduled event")
        return self._resource("GET", path("scheduled_events", uuid))

    def cancel_scheduled_event(self, event: str, reason: str | None = None) -> Resource:
        """POST /scheduled_events/{uuid}/cancellation: cancel for every invitee; returns the
        cancellation. Never retried automatically: a lost answer may still have cancelled it."""
        uuid = self._uuid(event, "scheduled_events", "scheduled event")
        if reason is not None and not isinstance(reason, str):
            raise ValueError("reason must be a string.")
        if reason is not None and len(reason) > MAX_REASON_LENGTH:
            raise ValueError(f"reason may be at most {MAX_REASON_LENGTH} characters.")
        return self._resource(
            "POST", path("scheduled_events", uuid, "cancellation"), json=body(reason=reason)
        )
