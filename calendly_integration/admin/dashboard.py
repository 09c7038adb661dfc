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

from datetime import date, datetime, tzinfo
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.views import View

from calendly_integration import charts
from calendly_integration.admin.health import connection_health
from calendly_integration.charts import (
    BOOKED_COLOR,
    CANCELED_COLOR,
    UPCOMING_COLOR,
    WEEKDAYS,
    activity_chart,
)
from calendly_integration.models import ScheduledEvent
from calendly_integration.services.analytics import (
    TOP_ROWS,
    daily_activity,
    event_analytics,
    no_shows_by,
    period_ending_today,
    upcoming_load,
    weekday_hour_grid,
    with_owners,
)
from calendly_integration.untrusted import ascii_int

PERIODS = (30, 90)
#: viewBox width of the charts drawn in half a row, so their text stays readable.
HALF_WIDTH = 480


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


def _label(day: date) -> str:
    return formats.date_format(day, "M j")


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
        days = ascii_int(request.GET.get("days"))
        if days not in PERIODS:
            days = PERIODS[0]
        events = ScheduledEvent.objects.visible_to(request.user)
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
