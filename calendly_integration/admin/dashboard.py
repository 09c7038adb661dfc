"""The admin dashboard: bookings, cancellations and no-shows over time, upcoming load, and the
health of every connection, on one page.

Figures are SQL aggregates over the rows the user may see (the same scoping as the lists), so
the page costs the same handful of queries over ten events or a million. The period totals and
the breakdowns by event type and host come from ``services.analytics`` (the REST API's
analytics), so both say the same thing; this module adds the per-day series, the no-shows per
event type and host, and the upcoming load. Days are counted in the current time zone, and an
event belongs to the day it starts on, as in the service.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncDate
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from calendly_integration.admin import charts
from calendly_integration.admin.health import connection_health
from calendly_integration.admin.scoping import by_organization, restrict
from calendly_integration.models import EventHost, EventType, Invitee, ScheduledEvent
from calendly_integration.services.analytics import event_analytics

PERIODS = (30, 90)
UPCOMING_DAYS = 14
TOP_ROWS = 10
#: viewBox width of the charts drawn in half a row, so their text stays readable.
HALF_WIDTH = 480
BOOKED_COLOR = "#417690"
CANCELED_COLOR = "#ba2121"
NO_SHOW_COLOR = "#c77c00"
UPCOMING_COLOR = "#5b80b2"
CANCELED = ScheduledEvent.Status.CANCELED
ACTIVE = ScheduledEvent.Status.ACTIVE
WEEKDAYS = (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))


@dataclass(frozen=True)
class Period:
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
        start=_midnight(first, tz),
        end=_midnight(today + timedelta(days=1), tz),
        dates=[first + timedelta(days=i) for i in range(days)],
    )


def _midnight(day: date, tz: tzinfo) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()), tz)


def _per_day(rows: Iterable[dict[str, Any]], key: str, dates: list[date]) -> list[int]:
    counts = {row["day"]: row[key] for row in rows}
    return [counts.get(day, 0) for day in dates]


def daily_activity(events: QuerySet, period: Period, tz: tzinfo) -> dict[str, list[int]]:
    """Per day of the period: events booked to start that day, those canceled, no-shows."""
    in_range = events.filter(start_time__gte=period.start, start_time__lt=period.end)
    rows = list(
        in_range.annotate(day=TruncDate("start_time", tzinfo=tz))
        .values("day")
        .annotate(booked=Count("pk"), canceled=Count("pk", filter=Q(status=CANCELED)))
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
        "booked": _per_day(rows, "booked", period.dates),
        "canceled": _per_day(rows, "canceled", period.dates),
        "no_shows": _per_day(no_shows, "no_shows", period.dates),
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
        status=ACTIVE,
        start_time__gte=now,
        start_time__lt=_midnight(today + timedelta(days=UPCOMING_DAYS), tz),
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
    per_day = _per_day(rows, "total", dates)
    return {"dates": dates, "per_day": per_day, "total": sum(per_day), "hosts": hosts}


def _with_no_shows(rows: list[dict[str, Any]], key: str, counts: dict[Any, int]) -> list[dict]:
    for row in rows:
        row["no_shows"] = counts.get(row[key], 0)
        row["canceled_share"] = charts.share_bar(
            [
                (row["active"], BOOKED_COLOR, gettext("active")),
                (row["canceled"], CANCELED_COLOR, gettext("canceled")),
            ],
            row["total"],
        )
    return rows[:TOP_ROWS]


def with_owners(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add each event type's owner (its profile name): several owners' types share names."""
    ids = [row["event_type_id"] for row in rows if row["event_type_id"]]
    owners = dict(EventType.objects.filter(pk__in=ids).values_list("pk", "profile_name"))
    for row in rows:
        row["owner"] = owners.get(row["event_type_id"], "")
    return rows


def weekday_hour_grid(cells: list[dict[str, Any]]) -> list[list[int]]:
    grid = [[0] * 24 for _ in range(7)]
    for cell in cells:
        if cell["weekday"] and cell["hour"] is not None:
            grid[cell["weekday"] - 1][cell["hour"]] = cell["total"]
    return grid


def _label(day: date) -> str:
    return formats.date_format(day, "M j")


def activity_chart(labels: list[str], activity: dict[str, list[int]]) -> Any:
    """Bookings, cancellations and no-shows per day, as the admin and the demo site show them."""
    return charts.line_chart(
        gettext("Bookings, cancellations and no-shows per day"),
        labels,
        [
            charts.Series(gettext("Booked"), activity["booked"], BOOKED_COLOR),
            charts.Series(gettext("Canceled"), activity["canceled"], CANCELED_COLOR, "6 3"),
            charts.Series(gettext("No-shows"), activity["no_shows"], NO_SHOW_COLOR, "2 2"),
        ],
    )


def build_dashboard(
    events: QuerySet, connections: QuerySet, days: int, now: datetime, tz: tzinfo
) -> dict[str, Any]:
    """Everything the dashboard shows, computed from the visible events and connections."""
    period = period_ending_today(days, now, tz)
    analytics = event_analytics(events, period.start, period.end, tz, now=now)
    activity = daily_activity(events, period, tz)
    upcoming = upcoming_load(events, now, tz)
    health = connection_health(connections, now=now)
    labels = [_label(day) for day in period.dates]
    by_type = with_owners(
        _with_no_shows(
            analytics["by_event_type"],
            "event_type_uri",
            no_shows_by(events, period, "event__event_type_uri"),
        )
    )
    by_host = _with_no_shows(
        analytics["by_host"], "user_uri", no_shows_by(events, period, "event__hosts__user_uri")
    )
    return {
        "period": period,
        "periods": PERIODS,
        "analytics": analytics,
        "activity_chart": activity_chart(labels, activity),
        "weekday_chart": charts.heatmap(
            gettext("Bookings by weekday and hour"),
            [str(day) for day in WEEKDAYS],
            [f"{hour:02d}" for hour in range(24)],
            weekday_hour_grid(analytics["by_weekday_hour"]),
            color=BOOKED_COLOR,
            width=HALF_WIDTH,
        ),
        "by_event_type": by_type,
        "by_host": by_host,
        "upcoming": upcoming,
        "upcoming_chart": charts.bar_chart(
            gettext("Upcoming meetings per day"),
            [_label(day) for day in upcoming["dates"]],
            upcoming["per_day"],
            color=UPCOMING_COLOR,
            width=HALF_WIDTH,
        ),
        "health": health,
        "health_summary": {
            "total": len(health),
            "attention": sum(not row.ok for row in health),
            "needs_reauth": sum(row.connection.needs_reauth for row in health),
            "failed_deliveries": sum(row.failed_deliveries for row in health),
        },
    }


class DashboardView(View):
    """``/admin/calendly_integration/connection/dashboard/`` (``admin:calendly_integration_dashboard``)."""

    model_admin: Any = None
    template_name = "admin/calendly_integration/dashboard.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        if not self.model_admin.has_view_permission(request):
            raise PermissionDenied
        try:
            days = int(request.GET.get("days", PERIODS[0]))
        except ValueError:
            days = PERIODS[0]
        if days not in PERIODS:
            days = PERIODS[0]
        events = restrict(ScheduledEvent.objects.all(), request, by_organization())
        connections = self.model_admin.get_queryset(request)
        data = build_dashboard(
            events, connections, days, timezone.now(), timezone.get_current_timezone()
        )
        context = {
            **self.model_admin.admin_site.each_context(request),
            "title": gettext("Calendly dashboard"),
            "subtitle": None,
            "opts": self.model_admin.model._meta,
            **data,
        }
        return TemplateResponse(request, self.template_name, context)
