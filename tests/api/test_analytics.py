"""Analytics: totals and breakdowns over a date range, from SQL aggregates, per tenant."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from calendly_integration.models import EventHost, Invitee, ScheduledEvent
from tests.api.conftest import API, hosted_by

UTC = ZoneInfo("UTC")


def window(days_back: int = 7, days_ahead: int = 14) -> tuple[date, date]:
    today = timezone.now().date()
    return today - timedelta(days=days_back), today + timedelta(days=days_ahead)


def get(client, **params):
    response = client.get(f"{API}/analytics/", params)
    assert response.status_code == 200, response.content
    return response.json()


def events_between(start: date, end: date, zone: ZoneInfo = UTC):
    return ScheduledEvent.objects.filter(
        start_time__gte=datetime.combine(start, time.min, tzinfo=zone),
        start_time__lt=datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def test_totals_breakdowns_and_rates_match_the_rows(tenant):
    start, end = window()
    Invitee.objects.filter(
        pk__in=Invitee.objects.filter(event__start_time__lt=timezone.now()).values("pk")[:3]
    ).update(is_no_show=True)
    body = get(tenant.client("owner"), start=start.isoformat(), end=end.isoformat())
    events = list(events_between(start, end))
    assert events
    status = Counter(e.status for e in events)
    assert body["totals"]["events"] == len(events)
    assert body["totals"]["canceled"] == status["canceled"]
    assert {row["status"]: row["count"] for row in body["by_status"]} == dict(status)
    assert body["cancellation_rate"] == round(status["canceled"] / len(events), 4)

    by_type = Counter(e.event_type_uri for e in events)
    assert {row["event_type_uri"]: row["total"] for row in body["by_event_type"]} == dict(by_type)

    hosts = Counter(EventHost.objects.filter(event__in=events).values_list("user_uri", flat=True))
    assert {row["user_uri"]: row["total"] for row in body["by_host"]} == dict(hosts)

    slots = Counter((e.start_time.isoweekday(), e.start_time.hour) for e in events)
    assert {(r["weekday"], r["hour"]): r["total"] for r in body["by_weekday_hour"]} == dict(slots)

    attended = [
        i
        for i in Invitee.objects.filter(event__in=events, status="active", event__status="active")
        if i.event.start_time <= timezone.now()
    ]
    no_shows = sum(1 for i in attended if i.is_no_show)
    assert no_shows == 3
    assert body["totals"]["no_shows"] == 3
    assert body["no_show_rate"] == round(no_shows / len(attended), 4)


def test_weekday_and_hour_are_read_in_the_time_zone_asked(tenant):
    start, end = window()
    zone = ZoneInfo("Asia/Tokyo")
    body = get(
        tenant.client("owner"), start=start.isoformat(), end=end.isoformat(), timezone="Asia/Tokyo"
    )
    events = events_between(start, end, zone)
    slots = Counter(
        (e.start_time.astimezone(zone).isoweekday(), e.start_time.astimezone(zone).hour)
        for e in events
    )
    assert {(r["weekday"], r["hour"]): r["total"] for r in body["by_weekday_hour"]} == dict(slots)
    assert body["range"]["timezone"] == "Asia/Tokyo"


def test_a_member_counts_only_the_events_they_host(tenant):
    start, end = window()
    body = get(tenant.client("member"), start=start.isoformat(), end=end.isoformat())
    mine = events_between(start, end).filter(pk__in=hosted_by(tenant.sim.members[0].uri))
    assert body["totals"]["events"] == mine.count() > 0
    assert {row["user_uri"] for row in body["by_host"]} >= {tenant.sim.members[0].uri}


def test_defaults_to_the_last_thirty_days(tenant):
    body = get(tenant.client("owner"))
    start = datetime.fromisoformat(body["range"]["start"])
    end = datetime.fromisoformat(body["range"]["end"])
    assert end - start == timedelta(days=31)


def test_bad_ranges_and_time_zones_answer_400(tenant):
    client = tenant.client("owner")
    assert (
        client.get(f"{API}/analytics/", {"start": "2026-02-01", "end": "2026-01-01"}).status_code
        == 400
    )
    assert client.get(f"{API}/analytics/", {"start": "last week"}).status_code == 400
    bad_zone = client.get(f"{API}/analytics/", {"timezone": "Mars/Olympus"})
    assert bad_zone.status_code == 400 and "timezone" in bad_zone.json()["errors"]


def test_days_outside_1970_to_2199_answer_400_naming_the_field(tenant):
    response = tenant.client("owner").get(
        f"{API}/analytics/",
        {"start": "0001-01-01", "end": "9999-12-31", "timezone": "Pacific/Kiritimati"},
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"start", "end"}


def test_the_widest_accepted_range_counts_every_event(tenant):
    body = get(
        tenant.client("owner"), start="1970-01-01", end="2199-12-31", timezone="Pacific/Kiritimati"
    )
    assert body["totals"]["events"] == ScheduledEvent.objects.count()


def test_a_constant_number_of_queries_whatever_the_data(tenant):
    start, end = window(days_back=1, days_ahead=1)
    client = tenant.client("owner")
    with CaptureQueriesContext(connection) as small:
        get(client, start=start.isoformat(), end=end.isoformat())
    start, end = window(days_back=30, days_ahead=200)
    with CaptureQueriesContext(connection) as large:
        get(client, start=start.isoformat(), end=end.isoformat())
    assert len(small) == len(large)
