"""Event types: list, filters, detail, live available times, single-use links."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from django.utils import timezone

from calendly_integration.models import EventType, SchedulingLink
from tests.api.conftest import API


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def own_event_type(tenant, role: str = "member") -> EventType:
    uri = {"member": tenant.sim.members[0].uri, "owner": tenant.sim.owner.uri}[role]
    return EventType.objects.filter(owner_uri=uri, active=True).order_by("pk").first()


def test_members_list_their_own_event_types_admins_the_organizations(tenant):
    member = tenant.sim.members[0].uri
    mine = names(tenant.client("member").get(f"{API}/event-types/", {"page_size": 100}))
    assert sorted(mine) == sorted(
        EventType.objects.filter(owner_uri=member).values_list("name", flat=True)
    )
    everyone = names(tenant.client("admin").get(f"{API}/event-types/", {"page_size": 100}))
    assert len(everyone) == EventType.objects.count() > len(mine)


def test_filters_active_owner_and_search(tenant):
    client = tenant.client("owner")
    inactive = names(client.get(f"{API}/event-types/", {"active": "false", "page_size": 100}))
    assert sorted(inactive) == sorted(
        EventType.objects.filter(active=False).values_list("name", flat=True)
    )
    owner = tenant.sim.members[0].uri
    by_owner = client.get(f"{API}/event-types/", {"owner": owner, "page_size": 100}).json()[
        "results"
    ]
    assert by_owner and {row["owner_uri"] for row in by_owner} == {owner}
    some = EventType.objects.first()
    word = some.name.split()[0]
    found = names(client.get(f"{API}/event-types/", {"search": word.lower(), "page_size": 100}))
    assert some.name in found
    assert all(word.lower() in n.lower() or word.lower() in n.lower() for n in found)
    assert client.get(f"{API}/event-types/", {"active": "perhaps"}).status_code == 400


def test_detail(tenant):
    event_type = own_event_type(tenant)
    response = tenant.client("member").get(f"{API}/event-types/{event_type.pk}/")
    assert response.status_code == 200
    assert response.json()["uri"] == event_type.uri


def test_available_times_are_asked_live(tenant):
    event_type = own_event_type(tenant)
    start = timezone.now() + timedelta(days=1)
    tenant.sim.clear_requests()
    response = tenant.client("member").get(
        f"{API}/event-types/{event_type.pk}/available-times/",
        {"start_time": start.isoformat(), "end_time": (start + timedelta(days=7)).isoformat()},
    )
    assert response.status_code == 200, response.content
    times = response.json()
    assert times and {t["status"] for t in times} == {"available"}
    assert [r.path for r in tenant.sim.requests] == ["/event_type_available_times"]


def test_available_times_range_is_at_most_seven_days_and_in_the_future(tenant):
    event_type = own_event_type(tenant)
    url = f"{API}/event-types/{event_type.pk}/available-times/"
    start = timezone.now() + timedelta(days=1)
    client = tenant.client("member")
    too_long = client.get(
        url, {"start_time": start.isoformat(), "end_time": (start + timedelta(days=8)).isoformat()}
    )
    assert too_long.status_code == 400
    assert "7 days" in too_long.json()["detail"]
    past = client.get(
        url,
        {"start_time": (start - timedelta(days=3)).isoformat(), "end_time": start.isoformat()},
    )
    assert past.status_code == 400 and "start_time" in past.json()["errors"]
    missing = client.get(url, {"start_time": start.isoformat()})
    assert missing.status_code == 400 and "end_time" in missing.json()["errors"]


def test_single_use_link_is_created_stored_and_prefilled(tenant):
    event_type = own_event_type(tenant)
    response = tenant.client("member").post(
        f"{API}/event-types/{event_type.pk}/single-use-links/",
        {
            "name": "Ann Lee",
            "email": "ann+tag@example.com",
            "utm_source": "newsletter",
            "answers": ["Hiring", "Remote"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    link = SchedulingLink.objects.get(pk=body["scheduling_link"]["id"])
    assert link.owner == event_type and link.max_event_count == 1
    assert body["booking_url"].startswith(link.booking_url)
    query = parse_qs(urlsplit(body["booking_url"]).query)
    assert query == {
        "name": ["Ann Lee"],
        "email": ["ann+tag@example.com"],
        "utm_source": ["newsletter"],
        "a1": ["Hiring"],
        "a2": ["Remote"],
    }
    created = [r for r in tenant.sim.requests if r.path == "/scheduling_links"]
    assert created[-1].json["owner"] == event_type.uri


def test_single_use_link_without_prefill(tenant):
    event_type = own_event_type(tenant)
    response = tenant.client("member").post(f"{API}/event-types/{event_type.pk}/single-use-links/")
    assert response.status_code == 201
    assert response.json()["booking_url"] == response.json()["scheduling_link"]["booking_url"]


def test_a_bad_prefill_is_refused_before_calendly(tenant):
    event_type = own_event_type(tenant)
    tenant.sim.clear_requests()
    response = tenant.client("member").post(
        f"{API}/event-types/{event_type.pk}/single-use-links/",
        {"email": "not an email", "answers": ["x"] * 11},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"email", "answers"}
    assert not tenant.sim.requests


def test_an_inactive_event_type_gets_calendlys_refusal_as_400(tenant):
    event_type = EventType.objects.filter(active=False).first()
    response = tenant.client("owner").post(f"{API}/event-types/{event_type.pk}/single-use-links/")
    assert response.status_code == 400
    assert response.json()["code"] == "calendly_invalid"
    assert not SchedulingLink.objects.exists()
