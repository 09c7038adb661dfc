"""Single-use scheduling links and customized shares of an event type."""

from __future__ import annotations

from datetime import date
from typing import Any

from calendly_integration.client.base import ApiBase, Resource, body
from calendly_integration.client.event_types import check_duration, iso_date
from calendly_integration.client.validation import check_choice, require_text

OWNER_TYPES = ("EventType",)
SHARE_PERIOD_TYPES = ("available_moving", "moving", "fixed", "unlimited")


class SchedulingLinksMixin(ApiBase):
    def create_scheduling_link(
        self, owner: str, *, max_event_count: int = 1, owner_type: str = "EventType"
    ) -> Resource:
        """POST /scheduling_links: a booking URL that stops working after ``max_event_count``
        bookings (Calendly only offers 1: a single-use link for one person)."""
        if isinstance(max_event_count, bool) or not isinstance(max_event_count, int):
            raise ValueError(f"max_event_count must be an integer, got {max_event_count!r}.")
        if max_event_count < 1:
            raise ValueError("max_event_count must be at least 1.")
        check_choice(owner_type, "owner_type", OWNER_TYPES)
        payload = {
            "max_event_count": max_event_count,
            "owner": self._uri(owner, "event_types", "owner event type"),
            "owner_type": owner_type,
        }
        return self._resource("POST", "/scheduling_links", json=payload)

    def create_share(
        self,
        event_type: str,
        *,
        name: str | None = None,
        duration: int | None = None,
        period_type: str | None = None,
        start_date: date | str | None = None,
        end_date: date | str | None = None,
        max_booking_time: int | None = None,
        hide_location: bool | None = None,
        location_configurations: list[dict[str, Any]] | None = None,
        availability_rule: dict[str, Any] | None = None,
    ) -> Resource:
        """POST /shares: a one-off variant of an event type (other name, length, dates)."""
        check_choice(period_type, "period_type", SHARE_PERIOD_TYPES)
        start = iso_date(start_date, "start_date") if start_date is not None else None
        end = iso_date(end_date, "end_date") if end_date is not None else None
        if start and end and end < start:
            raise ValueError("end_date must not be before start_date.")
        if period_type == "fixed" and not (start and end):
            raise ValueError("period_type 'fixed' needs start_date and end_date.")
        if max_booking_time is not None and (
            isinstance(max_booking_time, bool)
            or not isinstance(max_booking_time, int)
            or max_booking_time < 1
        ):
            raise ValueError("max_booking_time must be a positive whole number.")
        payload = body(
            event_type=self._uri(event_type, "event_types", "event type"),
            name=require_text(name, "name") if name is not None else None,
            duration=check_duration(duration) if duration is not None else None,
            period_type=period_type,
            start_date=start,
            end_date=end,
            max_booking_time=max_booking_time,
            hide_location=hide_location,
            location_configurations=location_configurations,
            availability_rule=availability_rule,
        )
        return self._resource("POST", "/shares", json=payload)
