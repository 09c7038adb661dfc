"""Which scheduled events a sync covers: a start-time window, or all history for a full sync.

Calendly has no "changed since" filter for events, so an incremental sync lists a window around
today (``SYNC_BACKFILL_DAYS`` back, ``SYNC_HORIZON_DAYS`` ahead) and compares ``updated_at`` itself;
older events rarely change, and a full sync (``--full``) takes them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from calendly_integration.conf import calendly_settings
from calendly_integration.mirror.mapping import time_or_none


@dataclass(frozen=True)
class Window:
    start: datetime | None = None
    end: datetime | None = None

    @classmethod
    def incremental(cls, now: datetime) -> Window:
        return cls(
            now - timedelta(days=calendly_settings.SYNC_BACKFILL_DAYS),
            now + timedelta(days=calendly_settings.SYNC_HORIZON_DAYS),
        )

    @classmethod
    def between(cls, since: date | datetime | None, until: date | datetime | None) -> Window:
        """From the start of ``since`` to the end of ``until`` (dates are whole UTC days)."""
        start = _as_datetime(since) if since is not None else None
        end = _as_datetime(until, end_of_day=True) if until is not None else None
        if start and end and end <= start:
            raise ValueError("until must be after since.")
        return cls(start, end)

    @property
    def is_unbounded(self) -> bool:
        return self.start is None and self.end is None

    def fraction(self, at: datetime | None) -> float | None:
        """How far through the window ``at`` is (0..1), when the window has both ends."""
        if at is None or self.start is None or self.end is None:
            return None
        span = (self.end - self.start).total_seconds()
        return min(max((at - self.start).total_seconds() / span, 0.0), 1.0) if span > 0 else None

    def to_json(self) -> list[str | None]:
        return [_iso(self.start), _iso(self.end)]

    @classmethod
    def from_json(cls, value: object) -> Window:
        if not isinstance(value, list | tuple) or len(value) != 2:
            return cls()
        return cls(time_or_none(value[0]), time_or_none(value[1]))


def _as_datetime(value: date | datetime, end_of_day: bool = False) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    moment = datetime.combine(value, time.min, tzinfo=UTC)
    return moment + timedelta(days=1) if end_of_day else moment


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None
