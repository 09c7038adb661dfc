"""Invitees of scheduled events, booking on an invitee's behalf, and no-shows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from calendly_integration.client.base import ApiBase, Resource, body
from calendly_integration.client.identifiers import nested_uuids, path
from calendly_integration.client.pagination import PagedCollection
from calendly_integration.client.scheduled_events import EVENT_STATUSES
from calendly_integration.client.times import format_time, to_datetime
from calendly_integration.client.tracking import TRACKING_KEYS
from calendly_integration.client.validation import (
    check_choice,
    check_email,
    check_sort,
)

INVITEE_SORT_FIELDS = ("created_at",)


class InviteesMixin(ApiBase):
    def list_event_invitees(
        self,
        event: str,
        *,
        status: str | None = None,
        email: str | None = None,
        sort: str | None = None,
        count: int | None = None,
        page_token: str | None = None,
    ) -> PagedCollection:
        """GET /scheduled_events/{uuid}/invitees: who booked the event (group events have many)."""
        uuid = self._uuid(event, "scheduled_events", "scheduled event")
        params = {
            "status": check_choice(status, "status", EVENT_STATUSES),
            "email": check_email(email) if email is not None else None,
            "sort": check_sort(sort, INVITEE_SORT_FIELDS),
            "count": self._count(count),
        }
        return self._list(path("scheduled_events", uuid, "invitees"), params, page_token)

    def get_event_invitee(self, invitee: str, event: str | None = None) -> Resource:
        """GET /scheduled_events/{event_uuid}/invitees/{invitee_uuid}.

        An invitee URI names its event; a bare invitee UUID needs ``event`` as well.
        """
        event_uuid, uuid = nested_uuids(invitee, "scheduled_events", "invitees", "invitee", event)
        return self._resource("GET", path("scheduled_events", event_uuid, "invitees", uuid))

    def create_invitee(
        self,
        event_type: str,
        start_time: datetime | str,
        *,
        email: str,
        name: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        timezone: str | None = None,
        text_reminder_number: str | None = None,
        location: dict[str, Any] | None = None,
        questions_and_answers: Sequence[dict[str, Any]] = (),
        tracking: dict[str, str] | None = None,
        event_guests: Sequence[str] = (),
    ) -> Resource:
        """POST /invitees: book a time on an invitee's behalf (tightly rate limited by Calendly)."""
        if not (name or first_name):
            raise ValueError("create_invitee needs the invitee's name or first_name.")
        unknown = set(tracking or {}) - set(TRACKING_KEYS)
        if unknown:
            raise ValueError(f"Unknown tracking fields: {', '.join(sorted(unknown))}.")
        invitee = body(
            name=name,
            first_name=first_name,
            last_name=last_name,
            email=check_email(email),
            timezone=timezone,
            text_reminder_number=text_reminder_number,
        )
        payload = body(
            event_type=self._uri(event_type, "event_types", "event type"),
            start_time=format_time(to_datetime(start_time, "start_time")),
            invitee=invitee,
            location=location,
            questions_and_answers=list(questions_and_answers) or None,
            tracking=tracking or None,
            event_guests=[check_email(g, "event guest") for g in event_guests] or None,
        )
        return self._resource("POST", "/invitees", json=payload)

    def create_invitee_no_show(self, invitee: str, event: str | None = None) -> Resource:
        """POST /invitee_no_shows: mark an invitee as not having shown up.

        Takes the invitee's URI (or its UUID plus the event's URI or UUID).
        """
        event_uuid, uuid = nested_uuids(
            invitee, "scheduled_events", "invitees", "The invitee URI", event
        )
        if "/" in invitee:
            uri = self._uri(invitee, "invitees", "The invitee URI")
        else:
            uri = self.base_url + path("scheduled_events", event_uuid, "invitees", uuid)
        return self._resource("POST", "/invitee_no_shows", json={"invitee": uri})

    def get_invitee_no_show(self, no_show: str) -> Resource:
        """GET /invitee_no_shows/{uuid}."""
        uuid = self._uuid(no_show, "invitee_no_shows", "The no-show URI")
        return self._resource("GET", path("invitee_no_shows", uuid))

    def delete_invitee_no_show(self, no_show: str) -> None:
        """DELETE /invitee_no_shows/{uuid}: undo a no-show mark."""
        uuid = self._uuid(no_show, "invitee_no_shows", "The no-show URI")
        self._delete(path("invitee_no_shows", uuid))
