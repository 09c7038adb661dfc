"""Calendly's public booking pages on the simulator: scheduling URLs, prefill, booking, webhooks.

Every URL an invitee can open (an event type's ``scheduling_url``, a single-use ``booking_url``,
an available time's ``scheduling_url``, a user's page) answers a booking page over real HTTP,
shows the prefilled values, and books with them like any other booking.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import requests

from calendly_integration.testing.simulator import CalendlySimulator
from calendly_integration.testing.simulator.timeutil import iso, parse_iso

from .conftest import Api, path_of
from .html_forms import read_form

ISO_IN_TEXT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def discovery(sim: CalendlySimulator) -> dict:
    """The owner's event type with the most custom questions (four, of every kind)."""
    return max(
        (et for et in sim.event_types_of(sim.owner.uri) if et["active"]),
        key=lambda et: len(et["custom_questions"]),
    )


def prefill_for(event_type: dict) -> dict[str, str]:
    answers = {}
    for number, question in enumerate(
        sorted(
            (q for q in event_type["custom_questions"] if q["enabled"]),
            key=lambda q: q["position"],
        ),
        start=1,
    ):
        choices = question["answer_choices"] or []
        if question["type"] == "single_select":
            answers[f"a{number}"] = choices[1]
        elif question["type"] == "multi_select":
            answers[f"a{number}"] = choices[0]
        elif question["type"] == "phone_number":
            answers[f"a{number}"] = "+1 415-555-0199"
        else:
            answers[f"a{number}"] = f"Answer & <{number}>"
    return {
        "name": "Ada O'Lovelace",
        "email": "ada+cv@example.com",
        **answers,
        "utm_source": "newsletter",
        "utm_medium": "email",
        "utm_campaign": "spring & summer",
        "utm_content": "hero",
        "utm_term": "scheduling",
        "hide_gdpr_banner": "1",
    }


def subscribe(api: Api, sim: CalendlySimulator, url: str) -> None:
    response = api.post(
        "/webhook_subscriptions",
        {
            "url": url,
            "events": ["invitee.created"],
            "organization": sim.organization_uri,
            "scope": "organization",
        },
    )
    assert response.status_code == 201, response.text


def book_from(url: str, page: str, **changes: str) -> requests.Response:
    form = read_form(page)
    data: dict[str, list[str]] = {}
    for name, value in form.fields:
        data.setdefault(name, []).append(value)
    data.update({key: [value] for key, value in changes.items()})
    return requests.post(url, data=data, timeout=10)


def test_every_event_types_scheduling_url_is_a_booking_page(sim: CalendlySimulator) -> None:
    for user in sim.users:
        for event_type in sim.event_types_of(user.uri):
            page = requests.get(event_type["scheduling_url"], timeout=10)
            assert page.status_code == 200, event_type["scheduling_url"]
            assert event_type["name"] in page.text
            if event_type["active"]:
                assert read_form(page.text).method == "post"
            else:
                assert "not taking bookings" in page.text


def test_a_prefilled_scheduling_url_shows_and_books_the_prefilled_values(
    sim: CalendlySimulator, api: Api, receiver
) -> None:
    subscribe(api, sim, receiver.url)
    event_type = discovery(sim)
    prefill = prefill_for(event_type)
    page = requests.get(event_type["scheduling_url"], params=prefill, timeout=10)
    assert page.status_code == 200
    form = read_form(page.text)
    shown = {name: value for name, value in form.fields if value}
    assert (shown["first_name"], shown["last_name"]) == ("Ada", "O'Lovelace")
    assert shown["email"] == prefill["email"]
    for key in ("a1", "a2", "a3", "a4", "utm_source", "utm_campaign", "utm_term"):
        assert shown[key] == prefill[key], key
    assert "hide_gdpr_banner" not in shown
    questions = [q["name"] for q in event_type["custom_questions"]]
    assert all(question in form.labels for question in questions)
    # Readable local times with the zone, never raw ISO timestamps.
    zone = sim.get(event_type["profile"]["owner"])["timezone"]
    assert f"(shown in {zone})" in page.text and not ISO_IN_TEXT.search(" ".join(form.labels))

    booked = book_from(event_type["scheduling_url"], page.text)
    assert booked.status_code == 200, booked.text
    start = parse_iso(shown["start_time"])
    invitee_uri = re.search(r'data-invitee-uri="([^"]+)"', booked.text).group(1)
    invitee = api.get(path_of(invitee_uri, sim)).json()["resource"]
    assert (invitee["name"], invitee["email"]) == (prefill["name"], prefill["email"])
    assert [qa["answer"] for qa in invitee["questions_and_answers"]] == [
        prefill["a1"], prefill["a2"], prefill["a3"], prefill["a4"]
    ]  # fmt: skip
    assert [qa["question"] for qa in invitee["questions_and_answers"]] == questions
    assert invitee["tracking"]["utm_campaign"] == "spring & summer"
    assert invitee["tracking"]["utm_term"] == "scheduling"
    event = api.get(path_of(invitee["event"], sim)).json()["resource"]
    assert event["start_time"] == iso(start)
    # The confirmation names the booked slot, not the moment of booking.
    confirmation = booked.text
    assert start.astimezone(ZoneInfo(zone)).strftime("%H:%M") in confirmation
    assert invitee["created_at"][:16] not in confirmation and not ISO_IN_TEXT.search(confirmation)

    assert sim.wait_for_deliveries(10)
    payload = receiver.bodies()[-1]["payload"]
    assert payload["uri"] == invitee_uri and payload["tracking"]["utm_source"] == "newsletter"
    # A scheduling URL is not spent by a booking.
    assert requests.get(event_type["scheduling_url"], timeout=10).status_code == 200


def test_first_and_last_name_alone_make_the_name(sim: CalendlySimulator, api: Api) -> None:
    event_type = next(et for et in sim.event_types_of(sim.owner.uri) if et["active"])
    page = requests.get(
        event_type["scheduling_url"],
        params={"first_name": "Grace", "last_name": "Hopper", "email": "g@example.com"},
        timeout=10,
    )
    fields = dict(read_form(page.text).fields)
    assert fields.get("name") == "Grace Hopper" or (
        fields.get("first_name"),
        fields.get("last_name"),
    ) == ("Grace", "Hopper")


def test_month_and_date_open_the_calendar_there(sim: CalendlySimulator) -> None:
    event_type = next(et for et in sim.event_types_of(sim.owner.uri) if et["active"])
    day = (sim.now() + timedelta(days=40)).date()
    for params in ({"date": day.isoformat()}, {"month": day.strftime("%Y-%m")}):
        page = requests.get(event_type["scheduling_url"], params=params, timeout=10)
        first = parse_iso(dict(read_form(page.text).fields)["start_time"])
        opening = day if "date" in params else day.replace(day=1)
        assert first.date() >= opening - timedelta(days=1)
    for bad in ({"date": "9999-12-31"}, {"month": "nope"}, {"date": "2026-02-30"}):
        page = requests.get(event_type["scheduling_url"], params=bad, timeout=10)
        assert page.status_code == 200
        assert parse_iso(dict(read_form(page.text).fields)["start_time"]) < sim.now() + timedelta(
            days=8
        )


def test_an_available_times_url_opens_with_that_time_chosen(sim: CalendlySimulator, api: Api):
    event_type = discovery(sim)
    start = sim.now() + timedelta(days=2)
    times = api.get(
        "/event_type_available_times",
        event_type=event_type["uri"],
        start_time=iso(start),
        end_time=iso(start + timedelta(days=3)),
    ).json()["collection"]
    slot = times[3]
    page = requests.get(slot["scheduling_url"], timeout=10)
    assert page.status_code == 200
    assert dict(read_form(page.text).fields)["start_time"] == slot["start_time"]


def test_a_users_page_lists_their_event_types(sim: CalendlySimulator) -> None:
    user = sim.get(sim.owner.uri)
    page = requests.get(user["scheduling_url"], timeout=10)
    assert page.status_code == 200
    for event_type in sim.event_types_of(sim.owner.uri):
        if event_type["active"] and not event_type["secret"]:
            assert urlsplit(event_type["scheduling_url"]).path in page.text


@pytest.mark.parametrize(
    "path", ["/nobody-here/15min", "/d/0000-0000/meeting", "/d/x", "/d/a/b/c/d"]
)
def test_unknown_pages_are_404_pages(sim: CalendlySimulator, path: str) -> None:
    response = requests.get(f"{sim.url}{path}", timeout=10)
    assert response.status_code == 404
    if path.startswith("/d/"):
        assert "text/html" in response.headers["Content-Type"]


def test_the_booking_form_says_what_to_fix(sim: CalendlySimulator, api: Api) -> None:
    event_type = discovery(sim)
    url = event_type["scheduling_url"]
    page = requests.get(url, params=prefill_for(event_type), timeout=10).text
    required = next(i for i, q in enumerate(event_type["custom_questions"], 1) if q["required"])
    single = next(
        i for i, q in enumerate(event_type["custom_questions"], 1) if q["type"] == "single_select"
    )
    before = len(sim.store.invitees)
    cases = [
        ({f"a{required}": ""}, 400, "Answer"),
        ({f"a{single}": "not a choice"}, 400, "choices"),
        ({"email": "no-at-sign"}, 400, "email"),
        ({"name": "", "first_name": "", "last_name": ""}, 400, "name"),
        ({"start_time": "2001-01-01T00:00:00Z"}, 409, "not open"),
        ({"start_time": "garbage"}, 400, "open times"),
    ]
    for changes, status, words in cases:
        response = book_from(url, page, **changes)
        assert response.status_code == status, (changes, response.text)
        assert words in response.text
    assert len(sim.store.invitees) == before


def test_a_single_use_link_honours_the_prefill_and_is_spent(sim: CalendlySimulator, api: Api):
    event_type = discovery(sim)
    link = api.post(
        "/scheduling_links",
        {"max_event_count": 1, "owner": event_type["uri"], "owner_type": "EventType"},
    ).json()["resource"]
    prefill = prefill_for(event_type)
    page = requests.get(link["booking_url"], params=prefill, timeout=10)
    assert dict(read_form(page.text).fields)["a1"] == prefill["a1"]
    booked = book_from(link["booking_url"], page.text)
    assert booked.status_code == 200
    invitee_uri = re.search(r'data-invitee-uri="([^"]+)"', booked.text).group(1)
    invitee = api.get(path_of(invitee_uri, sim)).json()["resource"]
    assert invitee["tracking"]["utm_medium"] == "email"
    assert book_from(link["booking_url"], page.text).status_code == 410


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("date", "0001-01-01"),
        ("date", "9999-12-31"),
        ("month", "0001-01"),
        ("a1", "9" * 8000),
        ("a11", "no such question"),
        ("name", "\x00"),
        ("a2", "\x00"),
    ],
)
def test_hostile_prefill_and_form_values_never_crash_the_page(sim, key, value) -> None:
    url = discovery(sim)["scheduling_url"]
    page = requests.get(url, params={key: value}, timeout=10)
    assert page.status_code in (200, 400)
    posted = requests.post(
        url, data={key: value, "start_time": value, "name": "A", "email": "a@b.c"}, timeout=10
    )
    assert posted.status_code in (400, 409)
    assert "text/html" in posted.headers["Content-Type"]
