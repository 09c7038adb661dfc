"""Event types: listing, reading, available times, one-off event types and updates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from calendly_integration.client.base import ApiBase, Resource, body
from calendly_integration.client.identifiers import path
from calendly_integration.client.pagination import PagedCollection
from calendly_integration.client.validation import (
    check_range,
    check_sort,
    require_one_of,
    require_text,
)

EVENT_TYPE_SORT_FIELDS = ("name",)
MAX_DURATION_MINUTES = 720
MAX_DURATION_OPTIONS = 4


def check_duration(value: int, name: str = "duration") -> int:
    """Calendly's durations are whole minutes from 1 to 720."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number of minutes, got {value!r}.")
    if not 1 <= value <= MAX_DURATION_MINUTES:
        raise ValueError(f"{name} must be from 1 to {MAX_DURATION_MINUTES} minutes, got {value}.")
    return value


def iso_date(value: date | str, name: str) -> str:
    """A ``YYYY-MM-DD`` date, from a ``date`` or a string in that form."""
    if isinstance(value, datetime):
        raise ValueError(f"{name} must be a date, not a datetime.")
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(require_text(value, name)).isoformat()
    except ValueError:
        raise ValueError(f"{name} must be a YYYY-MM-DD date, got {value!r}.") from None


class EventTypesMixin(ApiBase):
    def list_event_types(
        self,
        *,
        user: str | None = None,
        organization: str | None = None,
        active: bool | None = None,
        admin_managed: bool | None = None,
        sort: str | None = None,
        count: int | None = None,
        page_token: str | None = None,
    ) -> PagedCollection:
        """GET /event_types: a user's (``user``) or the whole organization's event types."""
        require_one_of("Listing event types", user=user, organization=organization)
        params = {
            "user": self._optional_uri(user, "users", "user"),
            "organization": self._optional_uri(organization, "organizations", "organization"),
            "active": active,
            "admin_managed": admin_managed,
            "sort": check_sort(sort, EVENT_TYPE_SORT_FIELDS),
            "count": self._count(count),
        }
        return self._list("/event_types", params, page_token)

    def get_event_type(self, event_type: str) -> Resource:
        """GET /event_types/{uuid}."""
        uuid = self._uuid(event_type, "event_types", "event type")
        return self._resource("GET", path("event_types", uuid))

    def list_event_type_available_times(
        self, event_type: str, start_time: datetime | str, end_time: datetime | str
    ) -> PagedCollection:
        """GET /event_type_available_times: bookable start times.

        Calendly only answers for a future start and a range of at most 7 days.
        """
        start, end = check_range(start_time, end_time, future_start=True)
        params = {
            "event_type": self._uri(event_type, "event_types", "event type"),
            "start_time": start,
            "end_time": end,
        }
        return self._list("/event_type_available_times", params)

    def create_one_off_event_type(
        self,
        *,
        name: str,
        host: str,
        duration: int,
        start_date: date | str,
        end_date: date | str,
        timezone: str | None = None,
        co_hosts: Sequence[str] = (),
        location: dict[str, Any] | None = None,
    ) -> Resource:
        """POST /one_off_event_types: a meeting bookable only between two dates, not listed."""
        start, end = iso_date(start_date, "start_date"), iso_date(end_date, "end_date")
        if end < start:
            raise ValueError("end_date must not be before start_date.")
        payload = body(
            name=require_text(name, "name"),
            host=self._uri(host, "users", "host"),
            co_hosts=[self._uri(h, "users", "co-host") for h in co_hosts] or None,
            duration=check_duration(duration),
            timezone=timezone,
            date_setting={"type": "date_range", "start_date": start, "end_date": end},
            location=location,
        )
        return self._resource("POST", "/one_off_event_types", json=payload)

    def update_event_type(
        self,
        event_type: str,
        *,
        name: str | None = None,
        duration: int | None = None,
        duration_options: Sequence[int] | None = None,
        description: str | None = None,
        color: str | None = None,
        active: bool | None = None,
        locale: str | None = None,
        locations: list[dict[str, Any]] | None = None,
    ) -> Resource:
        """PATCH /event_types/{uuid}: change only the fields given (one-on-one event types)."""
        uuid = self._uuid(event_type, "event_types", "event type")
        options = None
        if duration_options is not None:
            options = [check_duration(d, "duration_options") for d in duration_options]
            if len(set(options)) != len(options) or len(options) > MAX_DURATION_OPTIONS:
                raise ValueError(
                    f"duration_options must hold at most {MAX_DURATION_OPTIONS} unique values."
                )
        payload = body(
            name=require_text(name, "name") if name is not None else None,
            duration=check_duration(duration) if duration is not None else None,
            duration_options=options,
            description=description,
            color=color,
            active=active,
            locale=locale,
            locations=locations,
        )
        if not payload:
            raise ValueError("update_event_type needs at least one field to change.")
        return self._resource("PATCH", path("event_types", uuid), json=payload)
