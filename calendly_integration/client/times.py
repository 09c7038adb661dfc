"""Calendly's time format: UTC, ISO-8601, microseconds, a ``Z`` suffix.

Calendly compares times as strings in some filters, so every time we send is written the one way it
writes them (``2026-11-24T15:00:00.000000Z``). Naive datetimes are refused: a naive value is a bug
waiting for the first user in another time zone.
"""

from __future__ import annotations

from datetime import UTC, datetime

_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def ensure_aware(value: datetime, name: str = "datetime") -> datetime:
    """Return ``value`` unchanged, or raise ``ValueError`` if it has no time zone."""
    if not isinstance(value, datetime):
        raise ValueError(f"{name} must be a datetime, not {type(value).__name__}.")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{name} is a naive datetime; pass a time-zone-aware one (e.g. with tzinfo=UTC)."
        )
    return value


def format_time(value: datetime) -> str:
    """Format an aware datetime as Calendly's UTC string, e.g. ``2026-11-24T15:00:00.000000Z``."""
    return ensure_aware(value).astimezone(UTC).strftime(_FORMAT)


def parse_time(value: str) -> datetime:
    """Parse a Calendly time string (any ISO-8601 with an offset or ``Z``) into an aware UTC datetime."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("A time string is required.")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"Not an ISO-8601 time: {value!r}.") from None
    return ensure_aware(parsed, f"Time {value!r}").astimezone(UTC)


def to_datetime(value: datetime | str, name: str) -> datetime:
    """Accept an aware datetime or a time string with an offset; return an aware UTC datetime."""
    if isinstance(value, str):
        try:
            return parse_time(value)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
    return ensure_aware(value, name).astimezone(UTC)


def now_utc() -> datetime:
    return datetime.now(UTC)
