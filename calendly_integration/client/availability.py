"""Availability: a user's working-hours schedules and the times their calendars are busy."""

from __future__ import annotations

from datetime import datetime

from calendly_integration.client.base import ApiBase, Resource
from calendly_integration.client.identifiers import path
from calendly_integration.client.pagination import PagedCollection
from calendly_integration.client.validation import check_range


class AvailabilityMixin(ApiBase):
    def list_user_availability_schedules(self, user: str) -> PagedCollection:
        """GET /user_availability_schedules?user=: the user's schedules (one page, no paging)."""
        return self._list(
            "/user_availability_schedules", {"user": self._uri(user, "users", "user")}
        )

    def get_user_availability_schedule(self, schedule: str) -> Resource:
        """GET /user_availability_schedules/{uuid}."""
        uuid = self._uuid(schedule, "user_availability_schedules", "availability schedule")
        return self._resource("GET", path("user_availability_schedules", uuid))

    def list_user_busy_times(
        self, user: str, start_time: datetime | str, end_time: datetime | str
    ) -> PagedCollection:
        """GET /user_busy_times: busy blocks (Calendly events and external calendars).

        Calendly accepts at most 7 days per request; a longer span must be asked week by week.
        """
        start, end = check_range(start_time, end_time)
        params = {"user": self._uri(user, "users", "user"), "start_time": start, "end_time": end}
        return self._list("/user_busy_times", params)
