"""Calendly's rate-limit figures, read from response headers.

Every answer says how many requests are left in the current window and when it resets; a sync reads
``client.rate_limit`` to slow down before it is throttled, and a 429 tells us how long to wait.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from calendly_integration.client.times import now_utc

#: Used when a 429 carries neither Retry-After nor X-RateLimit-Reset: Calendly's window is a minute.
DEFAULT_RATE_LIMIT_WAIT = 60.0


@dataclass(frozen=True)
class RateLimitInfo:
    """The limit, what is left of it, and seconds until the window resets (``None`` if not sent)."""

    limit: int | None
    remaining: int | None
    reset_seconds: float | None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> RateLimitInfo | None:
        limit = _number(headers.get("X-RateLimit-Limit"))
        remaining = _number(headers.get("X-RateLimit-Remaining"))
        reset = _number(headers.get("X-RateLimit-Reset"))
        if limit is None and remaining is None and reset is None:
            return None
        return cls(
            limit=int(limit) if limit is not None else None,
            remaining=int(remaining) if remaining is not None else None,
            reset_seconds=reset,
        )


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if number >= 0 else None


def _retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` is either delta-seconds or an HTTP date."""
    seconds = _number(value)
    if seconds is not None or not value:
        return seconds
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now_utc()).total_seconds())


def wait_seconds(headers: Mapping[str, str]) -> float:
    """How long a 429 asks us to wait: Retry-After when sent (it is about this very answer), else
    X-RateLimit-Reset (when the whole window resets), else a full window."""
    for seconds in (
        _retry_after_seconds(headers.get("Retry-After")),
        _number(headers.get("X-RateLimit-Reset")),
    ):
        if seconds is not None:
            return seconds
    return DEFAULT_RATE_LIMIT_WAIT
