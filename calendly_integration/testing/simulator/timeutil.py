"""Time in the simulator: one clock, and Calendly's exact timestamp format.

Every timestamp the simulator writes goes through ``iso`` so responses always carry the
``2026-11-24T15:00:00.000000Z`` form Calendly uses; parsing is lenient because clients send
``Z``, ``+00:00`` or no fraction at all.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Clock = Callable[[], "datetime | float"]


def iso(moment: datetime) -> str:
    """Format an aware datetime the way Calendly does (UTC, microseconds, ``Z``)."""
    moment = moment.astimezone(UTC)
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:"
        f"{moment.minute:02d}:{moment.second:02d}.{moment.microsecond:06d}Z"
    )


#: The years a timestamp may name. Calendly refuses dates centuries away; bounding them here
#: also keeps every ``moment ± days`` the simulator computes inside ``datetime``'s range.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2999


def parse_iso(text: str) -> datetime:
    """Parse an ISO-8601 timestamp; naive values are taken as UTC. Raises ValueError.

    Refuses anything but short ASCII text, and years outside ``EARLIEST_YEAR..LATEST_YEAR``.
    """
    if not isinstance(text, str) or not text:
        raise ValueError("empty timestamp")
    value = text.strip()
    if len(value) > 40 or not value.isascii() or not value.isprintable():
        raise ValueError("not an ISO 8601 timestamp")
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("timestamp out of range") from None
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise ValueError("timestamp out of range")
    return moment


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


def readable(moment: datetime, zone_name: str | None = None) -> str:
    """A time as a person reads it on a booking page: local to ``zone_name``, zone named.

    ``Monday 7 December 2026, 09:00 EST (America/New_York)``; UTC when no zone is given or the
    name is not one the zone database knows.
    """
    zone: tzinfo = UTC
    if zone_name:
        try:
            zone = ZoneInfo(zone_name)
        except (ValueError, ZoneInfoNotFoundError):
            zone_name = None
    local = moment.astimezone(zone)
    text = f"{local:%A} {local.day} {local:%B %Y, %H:%M} {local.tzname()}"
    return f"{text} ({zone_name})" if zone_name and zone_name != local.tzname() else text
