"""Availability: open slots follow the host's schedule and bookings; single-use booking pages."""

from __future__ import annotations

import re
from datetime import timedelta

import requests

from calendly_integration.testing.simulator import CalendlySimulator
from calendly_integration.testing.simulator.timeutil import iso

from .conftest import Api, path_of


def week(sim: CalendlySimulator, offset_days: int = 1) -> dict[str, str]:
    start = sim.now() + timedelta(days=offset_days)
    return {"start_time": iso(start), "end_time": iso(start + timedelta(days=7))}


def test_booking_a_slot_removes_it_and_shows_as_busy(sim: CalendlySimulator, api: Api) -> None:
    event_type = next(
        et for et in sim.event_types_of(sim.owner.uri) if et["name"] == "30 Minute Meeting"
    )
    slots = api.get("/event_type_available_times", event_type=event_type["uri"], **week(sim)).json()
    first = slots["collection"][0]
    assert first["status"] == "available" and first["invitees_remaining"] == 1
    assert first["scheduling_url"].startswith(event_type["scheduling_url"])
    sim.book(event_type["uri"], first["start_time"], "Busy Bee", "bee@example.com")
    again = api.get("/event_type_available_times", event_type=event_type["uri"], **week(sim)).json()
    assert first["start_time"] not in [slot["start_time"] for slot in again["collection"]]
    busy = api.get("/user_busy_times", user=sim.owner.uri, **week(sim)).json()["collection"]
    assert first["start_time"] in [b["start_time"] for b in busy if b["type"] == "calendly"]


def test_available_times_need_a_future_range_of_at_most_a_week(
    sim: CalendlySimulator, api: Api
) -> None:
    event_type = sim.event_types_of(sim.owner.uri)[0]
    past = api.get("/event_type_available_times", event_type=event_type["uri"], **week(sim, -3))
    assert past.status_code == 400
    assert past.json()["details"][0]["parameter"] == "start_time"
    start = sim.now() + timedelta(days=1)
    long = api.get(
        "/event_type_available_times",
        event_type=event_type["uri"],
        start_time=iso(start),
        end_time=iso(start + timedelta(days=7, seconds=1)),
    )
    assert long.status_code == 400


def test_schedules_of_other_members_are_visible(sim: CalendlySimulator, api: Api) -> None:
    schedules = api.get("/user_availability_schedules", user=sim.members[0].uri).json()[
        "collection"
    ]
    assert schedules[0]["default"] is True
    assert all(s["user"] == sim.members[0].uri for s in schedules)


def test_a_single_use_link_books_once(sim: CalendlySimulator, api: Api) -> None:
    event_type = next(
        et for et in sim.event_types_of(sim.owner.uri) if et["name"] == "15 Minute Meeting"
    )
    link = api.post(
        "/scheduling_links",
        {"max_event_count": 1, "owner": event_type["uri"], "owner_type": "EventType"},
    ).json()["resource"]
    assert link["booking_url"].startswith(sim.url + "/d/")
    page = requests.get(link["booking_url"], params={"name": "Pre Filled"}, timeout=5)
    assert page.status_code == 200 and 'value="Pre Filled"' in page.text
    start = re.search(r'name="start_time" value="([^"]+)"', page.text).group(1)
    booked = requests.post(
        link["booking_url"],
        data={"start_time": start, "name": "Pre Filled", "email": "pf@example.com"},
        timeout=5,
    )
    assert booked.status_code == 200
    invitee_uri = re.search(r'data-invitee-uri="([^"]+)"', booked.text).group(1)
    assert api.get(path_of(invitee_uri, sim)).json()["resource"]["email"] == "pf@example.com"
    assert requests.get(link["booking_url"], timeout=5).status_code == 410


def test_patch_and_one_off_event_types(sim: CalendlySimulator, api: Api) -> None:
    event_type = sim.event_types_of(sim.owner.uri)[0]
    patched = api.patch(path_of(event_type["uri"], sim), {"name": "Renamed", "secret": True})
    assert patched.status_code == 200
    assert patched.json()["resource"]["name"] == "Renamed"
    assert api.get(path_of(event_type["uri"], sim)).json()["resource"]["secret"] is True
    assert api.patch(path_of(event_type["uri"], sim), {"owner": "x"}).status_code == 400
    one_off = api.post(
        "/one_off_event_types",
        {
            "name": "Coffee",
            "host": sim.admin.uri,
            "duration": 20,
            "date_setting": {
                "type": "date_range",
                "start_date": "2030-01-01",
                "end_date": "2030-01-02",
            },
        },
    ).json()["resource"]
    assert one_off["type"] == "AdhocEventType"
    assert one_off["profile"]["owner"] == sim.admin.uri
    listed = api.get("/event_types", user=sim.admin.uri).json()["collection"]
    assert one_off["uri"] not in [et["uri"] for et in listed]
