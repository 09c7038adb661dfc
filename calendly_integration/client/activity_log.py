"""The organization's activity log: who did what, when (Enterprise plans only)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from calendly_integration.client.base import ApiBase
from calendly_integration.client.pagination import PagedCollection
from calendly_integration.client.validation import check_sort

ACTIVITY_LOG_MAX_COUNT = 1000
ACTIVITY_LOG_SORT_FIELDS = ("action", "actor.display_name", "actor.uri", "namespace", "occurred_at")


def _strings(values: Sequence[str] | str | None, what: str) -> list[str] | None:
    """A list filter (sent comma-separated); a single string counts as a list of one."""
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    if not values or any(not isinstance(v, str) or not v.strip() for v in values):
        raise ValueError(f"{what} must be a non-empty list of non-empty strings.")
    return list(values)


class ActivityLogMixin(ApiBase):
    def list_activity_log_entries(
        self,
        *,
        organization: str,
        search_term: str | None = None,
        actor: Sequence[str] | None = None,
        sort: Sequence[str] | str | None = None,
        min_occurred_at: datetime | str | None = None,
        max_occurred_at: datetime | str | None = None,
        namespace: Sequence[str] | None = None,
        action: Sequence[str] | None = None,
        count: int | None = None,
        page_token: str | None = None,
    ) -> PagedCollection:
        """GET /activity_log_entries: who did what in the organization (Enterprise plans).

        Each page's ``raw`` also carries ``total_count`` and ``last_event_time``.
        """
        sort_text = ",".join(_strings(sort, "sort") or []) or None
        actors = _strings(actor, "actor")
        params = {
            "organization": self._uri(organization, "organizations", "organization"),
            "search_term": search_term,
            "actor": [self._uri(a, "users", "actor") for a in actors] if actors else None,
            "sort": check_sort(sort_text, ACTIVITY_LOG_SORT_FIELDS),
            "min_occurred_at": self._time(min_occurred_at, "min_occurred_at"),
            "max_occurred_at": self._time(max_occurred_at, "max_occurred_at"),
            "namespace": _strings(namespace, "namespace"),
            "action": _strings(action, "action"),
            "count": self._count(count, ACTIVITY_LOG_MAX_COUNT),
        }
        return self._list("/activity_log_entries", params, page_token)
