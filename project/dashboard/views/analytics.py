"""Analytics: bookings, cancellations and no-shows over time and by event type, as SVG charts.

The figures are ``services.analytics.event_analytics`` (the REST API's analytics) and the
per-day series the admin dashboard shows too, over the events the user may see; the charts are
the app's server-drawn SVG helpers (``calendly_integration.charts``), so the page needs no JavaScript and works offline.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.views.generic import View

from calendly_integration import charts
from calendly_integration.charts import BOOKED_COLOR, CANCELED_COLOR, WEEKDAYS, activity_chart
from calendly_integration.models import ScheduledEvent
from calendly_integration.services.analytics import (
    Period,
    daily_activity,
    event_analytics,
    no_shows_by,
    period_ending_today,
    weekday_hour_grid,
    with_owners,
)
from project.dashboard.forms import AnalyticsRangeForm

TOP_EVENT_TYPES = 8


def chosen_period(direction: str, days: int, now: Any, tz: Any) -> Period:
    """The last ``days`` days (today included), or the next ``days`` (today included)."""
    if direction == "past":
        return period_ending_today(days, now, tz)
    ahead = period_ending_today(1, now, tz)
    return Period(
        days=days,
        start=ahead.start,
        end=ahead.start + timedelta(days=days),
        dates=[ahead.dates[0] + timedelta(days=i) for i in range(days)],
    )


def by_event_type(events: Any, period: Period, analytics: dict[str, Any]) -> list[dict[str, Any]]:
    no_shows = no_shows_by(events, period, "event__event_type_uri")
    rows = with_owners(analytics["by_event_type"][:TOP_EVENT_TYPES])
    for row in rows:
        row["no_shows"] = no_shows.get(row["event_type_uri"], 0)
        row["label"] = row["name"] or gettext("(no name)")
        # Several owners' event types share names ("15 Minute Meeting").
        row["full_label"] = f"{row['label']} ({row['owner']})" if row["owner"] else row["label"]
    return rows


def charts_for(events: Any, period: Period, tz: Any) -> dict[str, Any]:
    now = timezone.now()
    analytics = event_analytics(events, period.start, period.end, tz, now=now)
    activity = daily_activity(events, period, tz)
    types = by_event_type(events, period, analytics)
    labels = [formats.date_format(day, "M j") for day in period.dates]
    return {
        "analytics": analytics,
        "by_event_type": types,
        "over_time": activity_chart(labels, activity),
        "by_type_chart": charts.hbar_chart(
            gettext("Bookings by event type"),
            [row["full_label"] for row in types],
            [row["total"] for row in types],
            color=BOOKED_COLOR,
        ),
        "canceled_by_type_chart": charts.hbar_chart(
            gettext("Cancellations by event type"),
            [row["full_label"] for row in types],
            [row["canceled"] for row in types],
            color=CANCELED_COLOR,
        ),
        "weekday_chart": charts.heatmap(
            gettext("Bookings by weekday and hour"),
            [str(day) for day in WEEKDAYS],
            [f"{hour:02d}" for hour in range(24)],
            weekday_hour_grid(analytics["by_weekday_hour"]),
            color=BOOKED_COLOR,
        ),
    }


class AnalyticsView(LoginRequiredMixin, View):
    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest) -> HttpResponse:
        form = AnalyticsRangeForm(request.GET or None)
        direction, days = form.chosen() if form.is_bound else ("past", 30)
        tz = timezone.get_current_timezone()
        period = chosen_period(direction, days, timezone.now(), tz)
        events = ScheduledEvent.objects.visible_to(request.user).live()
        context = {
            "form": form if form.is_bound else AnalyticsRangeForm(),
            "period": period,
            **charts_for(events, period, tz),
        }
        return render(request, "demo/analytics.html", context)
