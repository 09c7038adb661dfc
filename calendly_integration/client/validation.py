"""Argument checks that run before any HTTP request.

Calendly answers a bad argument with a 400 after a round trip that also costs rate-limit budget;
many of its rules are known in advance (ranges of at most 7 days, counts of 1..100, fixed value
sets), so we refuse such calls at once with a ``ValueError`` that says what to change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from calendly_integration.client.times import now_utc, to_datetime

MAX_PAGE_SIZE = 100
MAX_RANGE = timedelta(days=7)


def check_count(count: int, maximum: int = MAX_PAGE_SIZE) -> int:
    """Calendly's page size: an integer from 1 to ``maximum`` (100 on almost every list)."""
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= maximum:
        raise ValueError(f"count must be an integer from 1 to {maximum}, got {count!r}.")
    return count


def check_choice(value: str | None, name: str, choices: Iterable[str]) -> str | None:
    """``None`` passes (the parameter is left out); anything else must be one of ``choices``."""
    if value is None:
        return None
    allowed = tuple(choices)
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}.")
    return value


def check_sort(value: str | None, fields: Iterable[str]) -> str | None:
    """A ``field:direction`` list (comma-separated) over the fields this list can be sorted by."""
    if value is None:
        return None
    allowed = tuple(fields)
    if not isinstance(value, str) or not value.strip():
        raise ValueError("sort must be a non-empty 'field:asc' or 'field:desc' string.")
    for part in value.split(","):
        field, _, direction = part.strip().partition(":")
        if field not in allowed or direction not in {"", "asc", "desc"}:
            choices = ", ".join(f"{f}:asc, {f}:desc" for f in allowed)
            raise ValueError(f"sort must be made of {choices}; got {value!r}.")
    return value


def require_text(value: str | None, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} is required and must not be empty.")
    return value


def require_one_of(what: str, **values: object) -> None:
    """At least one of several filters (e.g. ``user`` or ``organization``) must be given."""
    if all(v in (None, "") for v in values.values()):
        raise ValueError(f"{what} needs one of: {', '.join(values)}.")


def check_email(value: str | None, what: str = "email") -> str:
    text = require_text(value, what).strip()
    local, at, domain = text.rpartition("@")
    if not at or not local or "." not in domain or " " in text:
        raise ValueError(f"{what} is not an email address: {value!r}.")
    return text


def check_http_url(value: str | None, what: str) -> str:
    text = require_text(value, what).strip()
    parts = urlsplit(text)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError(f"{what} must be an absolute http(s) URL, got {value!r}.")
    return text


def check_range(
    start: datetime | str,
    end: datetime | str,
    *,
    max_length: timedelta | None = MAX_RANGE,
    future_start: bool = False,
    past_end: bool = False,
) -> tuple[datetime, datetime]:
    """An aware [start, end) range with end after start, optionally bounded and anchored to now."""
    start_dt = to_datetime(start, "start_time")
    end_dt = to_datetime(end, "end_time")
    if end_dt <= start_dt:
        raise ValueError("end_time must be after start_time.")
    if max_length is not None and end_dt - start_dt > max_length:
        raise ValueError(
            f"The range from start_time to end_time may be at most {_describe(max_length)}."
        )
    now = now_utc()
    if future_start and start_dt < now:
        raise ValueError("start_time must be in the future.")
    if past_end and end_dt > now:
        raise ValueError("end_time must be in the past.")
    return start_dt, end_dt


def _describe(length: timedelta) -> str:
    days = length.days
    return f"{days} days" if days != 1 else "1 day"
