"""Bookings analytics over a date range, computed by the database.

Every figure is a SQL aggregate (``COUNT ... GROUP BY``), a fixed handful of queries whatever the
number of events, so the same code serves a dashboard over ten events or a million. The caller
passes the events it may see (``ScheduledEvent.objects.visible_to(user)``), which keeps tenancy
where it belongs.

Definitions: an event counts in the range when it *starts* in [start, end). The cancellation rate
is canceled events over all events. The no-show rate is invitees marked no-show over the active
invitees of active events that have already started (a future meeting cannot have a no-show yet).
Weekday (ISO: 1 is Monday) and hour are read in ``tz``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncDate
from django.utils import timezone

from calendly_integration.models import EventHost, EventType, Invitee, ScheduledEvent

__all__ = ["event_analytics"]

CANCELED = ScheduledEvent.Status.CANCELED
ACTIVE = ScheduledEvent.Status.ACTIVE
_COUNTS = {
    "total": Count("pk"),
    "active": Count("pk", filter=Q(status=ACTIVE)),
    "canceled": Count("pk", filter=Q(status=CANCELED)),
}


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def event_analytics(
    events: QuerySet[ScheduledEvent],
    start: datetime,
    end: datetime,
    tz: tzinfo | None = None,
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Totals, breakdowns and rates for ``events`` starting in [start, end).

    Returns ``{"range", "totals", "by_status", "by_event_type", "by_host", "by_weekday_hour",
    "cancellation_rate", "no_show_rate"}``; every list is sorted by count, largest first.
    """
    tz = tz or ZoneInfo("UTC")
    now = now or timezone.now()
    in_range = events.filter(start_time__gte=start, start_time__lt=end)
    event_ids = in_range.values("pk")
    totals = in_range.aggregate(**_COUNTS)
    by_status = list(in_range.values("status").annotate(count=Count("pk")).order_by("-count"))
    by_event_type = list(
        in_range.values("event_type_id", "event_type_uri")
        .annotate(name=Max("name"), **_COUNTS)
        .order_by("-total", "event_type_uri")
    )
    by_host = list(
        EventHost.objects.filter(event_id__in=event_ids)
        .values("user_uri")
        .annotate(
            name=Max("name"),
            email=Max("email"),
            total=Count("event_id"),
            active=Count("event_id", filter=Q(event__status=ACTIVE)),
            canceled=Count("event_id", filter=Q(event__status=CANCELED)),
        )
        .order_by("-total", "user_uri")
    )
    by_weekday_hour = list(
        in_range.annotate(
            weekday=ExtractIsoWeekDay("start_time", tzinfo=tz),
            hour=ExtractHour("start_time", tzinfo=tz),
        )
        .values("weekday", "hour")
        .annotate(**_COUNTS)
        .order_by("weekday", "hour")
    )
    invitees = Invitee.objects.filter(event_id__in=event_ids).aggregate(
        total=Count("pk"),
        active=Count("pk", filter=Q(status=ACTIVE)),
        no_shows=Count("pk", filter=Q(is_no_show=True)),
        attendable=Count(
            "pk",
            filter=Q(status=ACTIVE, event__status=ACTIVE, event__start_time__lte=now),
        ),
        attendable_no_shows=Count(
            "pk",
            filter=Q(
                status=ACTIVE, event__status=ACTIVE, event__start_time__lte=now, is_no_show=True
            ),
        ),
    )
    return {
        "range": {"start": start, "end": end, "timezone": str(tz)},
        "totals": {
            "events": totals["total"],
            "active": totals["active"],
            "canceled": totals["canceled"],
            "invitees": invitees["total"],
            "active_invitees": invitees["active"],
            "no_shows": invitees["no_shows"],
        },
        "by_status": by_status,
        "by_event_type": by_event_type,
        "by_host": by_host,
        "by_weekday_hour": by_weekday_hour,
        "cancellation_rate": _rate(totals["canceled"], totals["total"]),
        "no_show_rate": _rate(invitees["attendable_no_shows"], invitees["attendable"]),
    }


#: Days ahead the upcoming load covers; hosts it names.
UPCOMING_DAYS = 14
TOP_ROWS = 10


@dataclass(frozen=True)
class Period:
    """A run of whole days in one time zone: [start, end) and each day's date."""

    days: int
    start: datetime
    end: datetime
    dates: list[date]


def period_ending_today(days: int, now: datetime, tz: tzinfo) -> Period:
    """The last ``days`` whole days in ``tz``, today included."""
    today = timezone.localtime(now, tz).date()
    first = today - timedelta(days=days - 1)
    return Period(
        days=days,
        start=midnight(first, tz),
        end=midnight(today + timedelta(days=1), tz),
        dates=[first + timedelta(days=i) for i in range(days)],
    )


def midnight(day: date, tz: tzinfo) -> datetime:
    """The start of ``day`` in ``tz`` (what "an event on that day" is measured from)."""
    return timezone.make_aware(datetime.combine(day, datetime.min.time()), tz)


def per_day(rows: Iterable[dict[str, Any]], key: str, dates: list[date]) -> list[int]:
    """``rows`` of ``{"day": ..., key: n}`` as one count per date (0 for days without a row)."""
    counts = {row["day"]: row[key] for row in rows}
    return [counts.get(day, 0) for day in dates]


def daily_activity(events: QuerySet, period: Period, tz: tzinfo) -> dict[str, list[int]]:
    """Per day of the period: events booked to start that day, those canceled, no-shows."""
    in_range = events.filter(start_time__gte=period.start, start_time__lt=period.end)
    rows = list(
        in_range.annotate(day=TruncDate("start_time", tzinfo=tz))
        .values("day")
        .annotate(
            booked=Count("pk"),
            canceled=Count("pk", filter=Q(status=ScheduledEvent.Status.CANCELED)),
        )
        .order_by()
    )
    no_shows = list(
        Invitee.objects.filter(event_id__in=in_range.values("pk"), is_no_show=True)
        .annotate(day=TruncDate("event__start_time", tzinfo=tz))
        .values("day")
        .annotate(no_shows=Count("pk"))
        .order_by()
    )
    return {
        "booked": per_day(rows, "booked", period.dates),
        "canceled": per_day(rows, "canceled", period.dates),
        "no_shows": per_day(no_shows, "no_shows", period.dates),
    }


def no_shows_by(events: QuerySet, period: Period, path: str) -> dict[Any, int]:
    """No-show invitees of the period's events, counted by ``path`` (event type, host)."""
    in_range = events.filter(start_time__gte=period.start, start_time__lt=period.end)
    return dict(
        Invitee.objects.filter(event_id__in=in_range.values("pk"), is_no_show=True)
        .values_list(path)
        .annotate(total=Count("pk"))
        .order_by()
    )


def upcoming_load(events: QuerySet, now: datetime, tz: tzinfo) -> dict[str, Any]:
    """Active events per day over the next ``UPCOMING_DAYS`` days, and the busiest hosts."""
    today = timezone.localtime(now, tz).date()
    dates = [today + timedelta(days=i) for i in range(UPCOMING_DAYS)]
    upcoming = events.filter(
        status=ScheduledEvent.Status.ACTIVE,
        start_time__gte=now,
        start_time__lt=midnight(today + timedelta(days=UPCOMING_DAYS), tz),
    )
    rows = (
        upcoming.annotate(day=TruncDate("start_time", tzinfo=tz))
        .values("day")
        .annotate(total=Count("pk"))
        .order_by()
    )
    hosts = list(
        EventHost.objects.filter(event_id__in=upcoming.values("pk"))
        .values("user_uri")
        .annotate(total=Count("event_id"), name=Max("name"), email=Max("email"))
        .order_by("-total", "user_uri")[:TOP_ROWS]
    )
    counts = per_day(rows, "total", dates)
    return {"dates": dates, "per_day": counts, "total": sum(counts), "hosts": hosts}


def with_owners(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add each event type's owner (its profile name): several owners' types share names."""
    ids = [row["event_type_id"] for row in rows if row["event_type_id"]]
    owners = dict(EventType.objects.filter(pk__in=ids).values_list("pk", "profile_name"))
    for row in rows:
        row["owner"] = owners.get(row["event_type_id"], "")
    return rows


def weekday_hour_grid(cells: list[dict[str, Any]]) -> list[list[int]]:
    """``by_weekday_hour`` cells as 7 rows (Monday first) of 24 hourly counts, for a heatmap."""
    grid = [[0] * 24 for _ in range(7)]
    for cell in cells:
        if cell["weekday"] and cell["hour"] is not None:
            grid[cell["weekday"] - 1][cell["hour"]] = cell["total"]
    return grid
