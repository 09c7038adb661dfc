"""Scheduled events: list, filters, detail, and cancelling at Calendly."""

from __future__ import annotations

from django.utils import timezone

from calendly_integration.models import ScheduledEvent
from tests.api.conftest import API, future_event, hosted_by


def event_ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def all_ids(client, url: str) -> set[int]:
    """Every id of a cursor-paginated list, following the next links."""
    ids: set[int] = set()
    while url:
        response = client.get(url)
        ids |= event_ids(response)
        url = response.json()["next"]
    return ids


def test_an_owner_lists_the_organizations_events_newest_first(tenant):
    response = tenant.client("owner").get(f"{API}/scheduled-events/", {"page_size": 10})
    rows = response.json()["results"]
    assert len(rows) == 10
    starts = [row["start_time"] for row in rows]
    assert starts == sorted(starts, reverse=True)
    assert rows[0]["hosts"] and rows[0]["hosts"][0]["user_uri"]
    assert response.json()["next"]


def test_the_cursor_walks_every_event_once(tenant):
    expected = set(
        ScheduledEvent.objects.filter(start_time__isnull=False).values_list("pk", flat=True)
    )
    assert all_ids(tenant.client("owner"), f"{API}/scheduled-events/?page_size=7") == expected


def test_a_member_sees_only_the_events_they_host(tenant):
    member_uri = tenant.sim.members[0].uri
    expected = set(hosted_by(member_uri).values_list("pk", flat=True))
    assert expected
    assert all_ids(tenant.client("member"), f"{API}/scheduled-events/?page_size=100") == expected


def test_filters_status_start_range_event_type_host_and_invitee_email(tenant):
    client = tenant.client("owner")
    canceled = event_ids(
        client.get(f"{API}/scheduled-events/", {"status": "canceled", "page_size": 100})
    )
    assert canceled == set(ScheduledEvent.objects.canceled().values_list("pk", flat=True))

    now = timezone.now()
    future = event_ids(
        client.get(
            f"{API}/scheduled-events/", {"start_time_after": now.isoformat(), "page_size": 100}
        )
    )
    assert future == set(
        ScheduledEvent.objects.filter(start_time__gte=now).values_list("pk", flat=True)
    )
    before = event_ids(
        client.get(
            f"{API}/scheduled-events/",
            {"start_time_before": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "page_size": 100},
        )
    )
    assert before and not before & future

    event = ScheduledEvent.objects.filter(event_type__isnull=False).first()
    by_type = event_ids(
        client.get(
            f"{API}/scheduled-events/", {"event_type": event.event_type_id, "page_size": 100}
        )
    )
    assert event.pk in by_type
    assert by_type == set(
        ScheduledEvent.objects.filter(event_type=event.event_type).values_list("pk", flat=True)
    )

    host = tenant.sim.members[0].uri
    assert event_ids(
        client.get(f"{API}/scheduled-events/", {"host": host, "page_size": 100})
    ) == set(hosted_by(host).values_list("pk", flat=True))

    invitee = event.invitees.first()
    by_email = event_ids(
        client.get(
            f"{API}/scheduled-events/", {"invitee_email": invitee.email.upper(), "page_size": 100}
        )
    )
    assert event.pk in by_email


def test_bad_filters_answer_400_naming_the_parameter(tenant):
    client = tenant.client("owner")
    for params, field in (
        ({"status": "maybe"}, "status"),
        ({"start_time_after": "yesterday"}, "start_time_after"),
        ({"event_type": "x"}, "event_type"),
        ({"page_size": "1000"}, "page_size"),
        ({"page_size": "many"}, "page_size"),
    ):
        response = client.get(f"{API}/scheduled-events/", params)
        assert response.status_code == 400, (params, response.content)
        body = response.json()
        assert body["code"] == "invalid"
        assert field in body["errors"]


def test_detail(tenant):
    event = future_event(tenant.sim.members[0].uri)
    response = tenant.client("member").get(f"{API}/scheduled-events/{event.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["uri"] == event.uri
    assert body["status"] == "active"


def test_cancel_calls_calendly_and_answers_the_canceled_event(tenant):
    event = future_event(tenant.sim.members[0].uri)
    response = tenant.client("member").post(
        f"{API}/scheduled-events/{event.pk}/cancel/", {"reason": "Double booked"}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "canceled"
    assert body["cancel_reason"] == "Double booked"
    assert tenant.sim.get(event.uri)["status"] == "canceled"
    event.refresh_from_db()
    assert event.is_canceled
    assert all(i.status == "canceled" for i in event.invitees.all())


def test_cancelling_twice_answers_409_with_a_clear_message(tenant):
    event = future_event(tenant.sim.members[0].uri)
    client = tenant.client("member")
    assert (
        client.post(f"{API}/scheduled-events/{event.pk}/cancel/", {}, format="json").status_code
        == 200
    )
    again = client.post(f"{API}/scheduled-events/{event.pk}/cancel/", {}, format="json")
    assert again.status_code == 409
    assert again.json() == {"code": "already_canceled", "detail": "This event is already canceled."}


def test_an_event_canceled_at_calendly_but_not_here_answers_409_and_is_updated(tenant):
    event = future_event(tenant.sim.members[0].uri)
    tenant.sim.cancel_invitee(event.invitees.first().uri, reason="Invitee canceled")
    response = tenant.client("member").post(
        f"{API}/scheduled-events/{event.pk}/cancel/", {}, format="json"
    )
    assert response.status_code == 409
    event.refresh_from_db()
    assert event.is_canceled


def test_a_reason_too_long_is_refused_before_calendly(tenant):
    event = future_event(tenant.sim.members[0].uri)
    tenant.sim.clear_requests()
    response = tenant.client("member").post(
        f"{API}/scheduled-events/{event.pk}/cancel/", {"reason": "x" * 10_001}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]
    assert not [r for r in tenant.sim.requests if r.method == "POST"]
