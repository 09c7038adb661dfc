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

from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.utils import timezone

from calendly_integration.models import EventHost, Invitee, ScheduledEvent

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
