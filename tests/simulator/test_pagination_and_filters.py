"""Lists page like Calendly's (keyset tokens, count 1..100) and honour their filters and sorts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from calendly_integration.testing.simulator import CalendlySimulator
from calendly_integration.testing.simulator.timeutil import iso

from .conftest import Api, path_of


def test_one_users_events_span_more_than_three_pages_without_duplicates_or_gaps(
    sim: CalendlySimulator, api: Api
) -> None:
    expected = [event["uri"] for event in sim.events_of(sim.owner.uri)]
    seen: list[str] = []
    pages = 0
    token = None
    while True:
        params = {"user": sim.owner.uri, "count": 100}
        if token:
            params["page_token"] = token
        data = api.get("/scheduled_events", **params).json()
        pages += 1
        seen += [event["uri"] for event in data["collection"]]
        token = data["pagination"]["next_page_token"]
        if token is None:
            assert data["pagination"]["next_page"] is None
            break
    assert pages > 3
    assert len(seen) == len(set(seen))
    assert seen == expected


def test_next_page_urls_and_previous_page_tokens_walk_both_ways(
    sim: CalendlySimulator, api: Api
) -> None:
    first = api.get("/scheduled_events", user=sim.owner.uri, count=50).json()
    assert first["pagination"]["previous_page_token"] is None
    second = api.get(first["pagination"]["next_page"]).json()
    assert second["pagination"]["count"] == 50
    back = api.get(
        "/scheduled_events",
        user=sim.owner.uri,
        count=50,
        page_token=second["pagination"]["previous_page_token"],
    ).json()
    assert back["collection"] == first["collection"]
    assert (
        api.get(second["pagination"]["previous_page"]).json()["collection"] == first["collection"]
    )


def test_rows_created_while_paging_do_not_shift_the_remaining_pages(
    sim: CalendlySimulator, api: Api
) -> None:
    first = api.get("/scheduled_events", user=sim.owner.uri, count=100).json()
    event_type = next(et for et in sim.event_types_of(sim.owner.uri) if et["active"])
    earliest = first["collection"][0]["start_time"]
    sim.book(
        event_type["uri"],
        earliest.replace(":00.000000Z", ":01.000000Z"),
        "Early Bird",
        "eb@example.com",
    )
    rest = api.all_pages(first["pagination"]["next_page"])
    uris = [e["uri"] for e in first["collection"]] + [e["uri"] for e in rest]
    assert len(uris) == len(set(uris))


@pytest.mark.parametrize("count", ["0", "101", "many"])
def test_count_outside_1_to_100_is_an_invalid_argument(
    sim: CalendlySimulator, api: Api, count: str
) -> None:
    response = api.get("/scheduled_events", user=sim.owner.uri, count=count)
    assert response.status_code == 400
    body = response.json()
    assert body["title"] == "Invalid Argument"
    assert body["details"][0]["parameter"] == "count"


def test_a_broken_page_token_is_an_invalid_argument(sim: CalendlySimulator, api: Api) -> None:
    response = api.get("/scheduled_events", user=sim.owner.uri, page_token="garbage!")
    assert response.status_code == 400
    assert response.json()["details"] == [{"parameter": "page_token", "message": "is invalid"}]


def test_default_page_size_is_20(sim: CalendlySimulator, api: Api) -> None:
    data = api.get("/scheduled_events", user=sim.owner.uri).json()
    assert len(data["collection"]) == 20


def test_scheduled_event_filters_and_sorts(sim: CalendlySimulator, api: Api) -> None:
    canceled = api.all_pages("/scheduled_events", user=sim.owner.uri, status="canceled", count=100)
    assert canceled and all(e["status"] == "canceled" and e["cancellation"] for e in canceled)
    now = sim.now()
    window = {"min_start_time": iso(now - timedelta(days=30)), "max_start_time": iso(now)}
    recent = api.all_pages("/scheduled_events", user=sim.owner.uri, count=100, **window)
    assert recent
    assert all(
        window["min_start_time"] <= e["start_time"] < window["max_start_time"] for e in recent
    )
    newest_first = api.get(
        "/scheduled_events", user=sim.owner.uri, sort="start_time:desc", count=100
    ).json()["collection"]
    starts = [e["start_time"] for e in newest_first]
    assert starts == sorted(starts, reverse=True)
    some_event = sim.events_of(sim.owner.uri)[10]
    email = sim.invitees_of(some_event["uri"])[0]["email"]
    found = api.all_pages("/scheduled_events", user=sim.owner.uri, invitee_email=email, count=100)
    assert some_event["uri"] in [e["uri"] for e in found]
    assert api.get("/scheduled_events", user=sim.owner.uri, sort="name:asc").status_code == 400
    assert api.get("/scheduled_events", user=sim.owner.uri, status="gone").status_code == 400
    assert (
        api.get("/scheduled_events", user=sim.owner.uri, min_start_time="yesterday").status_code
        == 400
    )


def test_organization_wide_listing_needs_owner_or_admin(sim: CalendlySimulator, api: Api) -> None:
    member = Api(sim, sim.create_token(sim.members[0].uri))
    denied = member.get("/scheduled_events", organization=sim.organization_uri)
    assert denied.status_code == 403
    assert denied.json()["title"] == "Permission Denied"
    other_user = member.get("/scheduled_events", user=sim.owner.uri)
    assert other_user.status_code == 403
    assert "also specify organization" in other_user.json()["message"]
    own = member.get("/scheduled_events", user=sim.members[0].uri)
    assert own.status_code == 200
    admin = Api(sim, sim.create_token(sim.admin.uri))
    org_wide = admin.all_pages("/scheduled_events", organization=sim.organization_uri, count=100)
    assert len(org_wide) == sum(len(sim.events_of(u.uri)) for u in sim.users)
    one_member = admin.all_pages(
        "/scheduled_events", organization=sim.organization_uri, user=sim.members[0].uri, count=100
    )
    assert {e["event_memberships"][0]["user"] for e in one_member} == {sim.members[0].uri}


def test_event_type_filters_and_sorts(sim: CalendlySimulator, api: Api) -> None:
    inactive = api.get("/event_types", user=sim.owner.uri, active="false").json()["collection"]
    assert inactive and all(not et["active"] for et in inactive)
    names = [
        et["name"]
        for et in api.get("/event_types", user=sim.owner.uri, sort="name:desc").json()["collection"]
    ]
    assert names == sorted(names, key=str.lower, reverse=True)
    assert api.get("/event_types", user=sim.owner.uri, active="maybe").status_code == 400
    member = Api(sim, sim.create_token(sim.members[0].uri))
    assert member.get("/event_types", organization=sim.organization_uri).status_code == 403


def test_invitee_and_membership_filters(sim: CalendlySimulator, api: Api) -> None:
    canceled_event = next(e for e in sim.events_of(sim.owner.uri) if e["status"] == "canceled")
    invitees = api.get(path_of(canceled_event["uri"], sim) + "/invitees", status="canceled").json()
    assert invitees["collection"] and all(i["status"] == "canceled" for i in invitees["collection"])
    active = api.get(path_of(canceled_event["uri"], sim) + "/invitees", status="active").json()
    assert active["collection"] == []
    memberships = api.get(
        "/organization_memberships", organization=sim.organization_uri, email=sim.admin.email
    ).json()["collection"]
    assert [m["role"] for m in memberships] == ["admin"]
    by_user = api.get("/organization_memberships", user=sim.owner.uri).json()["collection"]
    assert [m["user"]["uri"] for m in by_user] == [sim.owner.uri]


def test_activity_log_filters_and_count_up_to_1000(sim: CalendlySimulator, api: Api) -> None:
    data = api.get(
        "/activity_log_entries", organization=sim.organization_uri, namespace="User", count=1000
    ).json()
    assert data["collection"] and all(e["namespace"] == "User" for e in data["collection"])
    assert data["total_count"] == len(data["collection"])
    occurred = [e["occurred_at"] for e in data["collection"]]
    assert occurred == sorted(occurred, reverse=True)
    assert (
        api.get("/activity_log_entries", organization=sim.organization_uri, count=1001).status_code
        == 400
    )
