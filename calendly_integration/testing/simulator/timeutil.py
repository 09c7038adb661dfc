"""Time in the simulator: one clock, and Calendly's exact timestamp format.

Every timestamp the simulator writes goes through ``iso`` so responses always carry the
``2026-11-24T15:00:00.000000Z`` form Calendly uses; parsing is lenient because clients send
``Z``, ``+00:00`` or no fraction at all.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], "datetime | float"]


def iso(moment: datetime) -> str:
    """Format an aware datetime the way Calendly does (UTC, microseconds, ``Z``)."""
    moment = moment.astimezone(UTC)
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:"
        f"{moment.minute:02d}:{moment.second:02d}.{moment.microsecond:06d}Z"
    )


def parse_iso(text: str) -> datetime:
    """Parse an ISO-8601 timestamp; naive values are taken as UTC. Raises ValueError."""
    if not isinstance(text, str) or not text:
        raise ValueError("empty timestamp")
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def to_datetime(value: datetime | str) -> datetime:
    """Accept a datetime or an ISO string (helpers take either, for test convenience)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return parse_iso(value)


def now_from(clock: Clock | None) -> datetime:
    """Read a clock that returns either an aware datetime or unix seconds."""
    if clock is None:
        return datetime.now(UTC)
    value = clock()
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromtimestamp(float(value), UTC)


def unix(moment: datetime) -> int:
    return int(moment.timestamp())


def day_start(moment: datetime) -> datetime:
    """Midnight UTC of the moment's day: the dataset's anchor, stable within a day."""
    return datetime.combine(moment.astimezone(UTC).date(), datetime.min.time(), UTC)
