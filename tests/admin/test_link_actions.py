"""Single-use links and prefilled links for event types, from the admin."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from calendly_integration.models import EventType, SchedulingLink
from tests.admin.helpers import messages_of, pick_action, run_action

pytestmark = pytest.mark.django_db

URL_INPUT = re.compile(r'<input type="text" readonly value="([^"]+)"')


def active_event_types(count: int) -> list[EventType]:
    found = list(EventType.objects.filter(active=True, removed_at__isnull=True).order_by("pk"))
    assert len(found) >= count
    return found[:count]


def test_single_use_links_are_made_at_calendly_and_listed_to_copy(admin_client, sim, synced):
    event_types = active_event_types(2)
    inactive = EventType.objects.filter(active=False).first()
    selected = [*event_types, inactive] if inactive else event_types

    confirmation = admin_client.get(
        pick_action(admin_client, EventType, "create_single_use_links", selected)["Location"]
    )
    assert "New single-use links will be created at Calendly." in confirmation.content.decode()
    if inactive:
        assert "inactive at Calendly" in confirmation.content.decode()

    response = run_action(
        admin_client, EventType, "create_single_use_links", selected, count="2", name="Ann Lee"
    )

    assert response.status_code == 200
    html = response.content.decode()
    urls = URL_INPUT.findall(html)
    assert len(urls) == 4
    assert html.count('class="button calendly-copy"') == 4
    assert "navigator.clipboard" in html
    assert SchedulingLink.objects.count() == 4
    for event_type in event_types:
        links = SchedulingLink.objects.filter(owner=event_type)
        assert links.count() == 2
        for link in links:
            code = urlsplit(link.booking_url).path.split("/")[2]
            assert sim.store.scheduling_links[code]["resource"]["owner"] == event_type.uri
    assert all(
        parse_qs(urlsplit(url.replace("&amp;", "&")).query)["name"] == ["Ann Lee"] for url in urls
    )
    found = messages_of(response)
    assert ("success", f"{event_types[0]} — Done: created 2 single-use links.") in found


def test_single_use_links_need_a_sensible_count(admin_client, sim, synced):
    [event_type] = active_event_types(1)
    picked = pick_action(admin_client, EventType, "create_single_use_links", [event_type])

    response = admin_client.post(picked["Location"], {"ids": str(event_type.pk), "count": "500"})

    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 20." in response.content.decode()
    assert SchedulingLink.objects.count() == 0


def test_a_prefilled_link_adds_the_details_to_the_booking_url(admin_client, sim, synced):
    [event_type] = active_event_types(1)

    response = run_action(
        admin_client,
        EventType,
        "build_prefilled_link",
        [event_type],
        name="Ann Lee",
        email="ann+cal@example.com",
        utm_campaign="spring",
        answers="First answer\nSecond answer",
        date="2030-01-15",
    )

    assert response.status_code == 200
    [url] = URL_INPUT.findall(response.content.decode())
    url = url.replace("&amp;", "&")
    assert url.startswith(event_type.scheduling_url + "?")
    query = parse_qs(urlsplit(url).query)
    assert query["name"] == ["Ann Lee"]
    assert query["email"] == ["ann+cal@example.com"]
    assert query["utm_campaign"] == ["spring"]
    assert query["a1"] == ["First answer"] and query["a2"] == ["Second answer"]
    assert query["date"] == ["2030-01-15"]
    assert [r for r in sim.requests if r.method == "POST"] == []


def test_a_prefilled_link_refuses_bad_input(admin_client, sim, synced):
    [event_type] = active_event_types(1)
    picked = pick_action(admin_client, EventType, "build_prefilled_link", [event_type])

    response = admin_client.post(
        picked["Location"],
        {"ids": str(event_type.pk), "email": "not-an-email", "answers": "\n".join("x" * 11)},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid email address." in html
    assert "at most 10" in html
