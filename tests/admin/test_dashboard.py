"""The dashboard: bookings, cancellations and no-shows per day, by event type and host, the
upcoming load and each connection's health, as server-drawn SVG charts."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from calendly_integration.models import (
    Connection,
    Invitee,
    ScheduledEvent,
    SyncRun,
    WebhookDelivery,
)
from calendly_integration.webhooks.subscriptions import ensure_subscriptions
from tests.admin import factories

pytestmark = pytest.mark.django_db

URL = "/admin/calendly_integration/connection/dashboard/"


def period_start(days: int) -> datetime:
    today = timezone.localtime().date()
    first = today - timedelta(days=days - 1)
    return timezone.make_aware(datetime.combine(first, datetime.min.time()))


def test_the_url_is_named_and_linked_from_the_admin_home_and_the_app_page(admin_client):
    assert reverse("admin:calendly_integration_dashboard") == URL
    for page in ("/admin/", "/admin/calendly_integration/"):
        html = admin_client.get(page).content.decode()
        assert f'href="{URL}"' in html, page


@pytest.mark.parametrize("days", [30, 90])
def test_figures_match_the_mirror(admin_client, sim, synced, days):
    start = period_start(days)
    end = period_start(0)
    in_period = ScheduledEvent.objects.filter(start_time__gte=start, start_time__lt=end)
    no_shows = Invitee.objects.filter(event__in=in_period, is_no_show=True).count()
    upcoming = ScheduledEvent.objects.filter(
        status="active",
        start_time__gte=timezone.now(),
        start_time__lt=period_start(-13),
    ).count()

    response = admin_client.get(URL, {"days": days})

    assert response.status_code == 200
    totals = response.context["analytics"]["totals"]
    assert totals["events"] == in_period.count() > 0
    assert totals["canceled"] == in_period.filter(status="canceled").count()
    assert totals["no_shows"] == no_shows
    assert response.context["upcoming"]["total"] == upcoming > 0
    assert len(response.context["period"].dates) == days
    html = response.content.decode()
    assert f"Booked ({in_period.count()})" in html  # the chart's legend carries the sums
    assert f"Canceled ({totals['canceled']})" in html
    assert f"No-shows ({no_shows})" in html


def test_breakdowns_by_event_type_and_host(admin_client, sim, synced):
    response = admin_client.get(URL)

    by_type = response.context["by_event_type"]
    by_host = response.context["by_host"]
    assert by_type and by_host
    start = period_start(30)
    in_period = ScheduledEvent.objects.filter(start_time__gte=start)
    first = by_type[0]
    assert (
        first["total"]
        == in_period.filter(event_type_id=first["event_type_id"])
        .exclude(start_time__gte=period_start(0))
        .count()
    )
    html = response.content.decode()
    assert f"?event_type__id__exact={first['event_type_id']}" in html
    assert by_host[0]["name"] in html


def test_charts_are_inline_svg_with_nothing_from_the_internet(admin_client, sim, synced):
    html = admin_client.get(URL).content.decode()

    assert html.count('<svg class="calendly-chart"') == 3
    assert "<polyline" in html and 'class="calendly-bar"' in html
    assert re.findall(r'<script[^>]+src="(?:https?:)?//', html) == []
    assert re.findall(r'<link[^>]+href="(?:https?:)?//', html) == []


def test_connection_health_lists_problems_first(admin_client, sim, synced, connect):
    ensure_subscriptions(synced)
    broken = connect(sim.members[0])
    Connection.objects.filter(pk=broken.pk).update(status=Connection.Status.NEEDS_REAUTH)
    SyncRun.objects.create(
        connection=broken, status=SyncRun.Status.FAILED, error="Calendly said no"
    )
    from calendly_integration.models import SyncState

    SyncState.objects.update_or_create(
        connection=broken, defaults={"run": SyncRun.objects.get(connection=broken)}
    )
    subscription = synced.webhook_subscriptions.get()
    WebhookDelivery.objects.create(
        subscription=subscription, status="failed", event="invitee.created"
    )

    response = admin_client.get(URL)

    health = response.context["health"]
    assert health[0].connection.pk == broken.pk
    assert "needs reconnecting" in health[0].problems
    assert "last sync: Failed" in health[0].problems
    ours = next(row for row in health if row.connection.pk == synced.pk)
    assert ours.failed_deliveries == 1
    assert ours.problems == ["failed webhook deliveries"]
    html = response.content.decode()
    assert "Calendly said no" in html
    assert "User: Active" in html
    assert response.context["health_summary"] == {
        "total": 2,
        "attention": 2,
        "needs_reauth": 1,
        "failed_deliveries": 1,
    }


def test_an_odd_period_falls_back_to_30_days(admin_client):
    for value in ("7", "abc", "-1", ""):
        response = admin_client.get(URL, {"days": value})
        assert response.status_code == 200
        assert response.context["period"].days == 30


def test_the_dashboard_costs_the_same_queries_for_more_data(admin_client):
    def queries() -> int:
        with CaptureQueriesContext(db) as captured:
            assert admin_client.get(URL).status_code == 200
        return len(captured)

    for _ in range(3):
        factories.make("connection")
        factories.invitee(factories.scheduled_event(days=-2))
    few = queries()
    for _ in range(20):
        factories.make("connection")
        factories.invitee(factories.scheduled_event(days=-2))
        factories.scheduled_event(days=3)

    assert queries() == few
