"""The "act as an invitee" console: booking, canceling, rescheduling and no-shows over real HTTP,
each sending the same signed webhooks as the simulator's Python methods."""

from __future__ import annotations

import re

import pytest
import requests

from calendly_integration.testing.simulator import CalendlySimulator

from .conftest import Api, Receiver
from .test_webhooks import solo_event_type, subscribe, verify


@pytest.fixture
def subscribed(sim: CalendlySimulator, api: Api, receiver: Receiver) -> Receiver:
    subscribe(api, receiver.url)
    return receiver


def console(sim: CalendlySimulator, path: str = "/") -> str:
    return f"{sim.url}/console{path}"


def uuid_of(uri: str) -> str:
    return uri.rsplit("/", 1)[1]


def invitee_path(invitee_uri: str, action: str) -> str:
    event_uuid, _, invitee_uuid = invitee_uri.split("/scheduled_events/", 1)[1].partition(
        "/invitees/"
    )
    return f"/invitees/{event_uuid}/{invitee_uuid}/{action}/"


def first_slot(page: str) -> str:
    return re.search(r'name="start_time" value="([^"]+)"', page).group(1)


def done_uri(response: requests.Response) -> str:
    assert response.status_code == 200, response.text
    return re.search(r'data-invitee-uri="([^"]+)"', response.text).group(1)


def book(sim: CalendlySimulator, name: str = "Ada Lovelace", email: str = "ada@example.com") -> str:
    event_type = solo_event_type(sim)
    url = console(sim, f"/book/{uuid_of(event_type['uri'])}/")
    start = first_slot(requests.get(url, timeout=5).text)
    response = requests.post(
        url, data={"name": name, "email": email, "start_time": start}, timeout=5
    )
    return done_uri(response)


def test_the_console_lists_event_types_and_upcoming_invitees(sim: CalendlySimulator) -> None:
    page = requests.get(console(sim), timeout=5)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    event_type = solo_event_type(sim)
    assert f"/console/book/{uuid_of(event_type['uri'])}/" in page.text
    assert "Upcoming invitees" in page.text
    assert "/cancel/" in page.text and "/reschedule/" in page.text and "/no-show/" in page.text


def test_booking_from_the_page_creates_an_invitee_and_a_signed_webhook(
    sim: CalendlySimulator, subscribed: Receiver
) -> None:
    invitee_uri = book(sim)
    invitee = sim.get(invitee_uri)
    assert invitee["email"] == "ada@example.com" and invitee["status"] == "active"
    assert sim.wait_for_deliveries()
    attempt = sim.deliveries[-1]
    assert attempt.event == "invitee.created" and attempt.ok
    assert attempt.json()["payload"]["uri"] == invitee_uri
    received = subscribed.received[-1]
    assert verify(
        received["headers"]["Calendly-Webhook-Signature"], received["body"], sim.webhook_signing_key
    )
    assert "Ada Lovelace" in requests.get(console(sim), timeout=5).text


def test_a_booked_slot_is_no_longer_offered(sim: CalendlySimulator) -> None:
    event_type = solo_event_type(sim)
    url = console(sim, f"/book/{uuid_of(event_type['uri'])}/")
    start = first_slot(requests.get(url, timeout=5).text)
    form = {"name": "First", "email": "first@example.com", "start_time": start}
    done_uri(requests.post(url, data=form, timeout=5))
    again = requests.post(url, data={**form, "name": "Second"}, timeout=5)
    assert again.status_code == 400
    assert "That time is not open any more" in again.text


def test_cancel_with_a_reason(sim: CalendlySimulator, subscribed: Receiver) -> None:
    invitee_uri = book(sim)
    response = requests.post(
        console(sim, invitee_path(invitee_uri, "cancel")), data={"reason": "Sick"}, timeout=5
    )
    assert done_uri(response) == invitee_uri
    invitee = sim.get(invitee_uri)
    assert invitee["status"] == "canceled"
    assert invitee["cancellation"]["reason"] == "Sick"
    assert invitee["cancellation"]["canceler_type"] == "invitee"
    assert sim.wait_for_deliveries()
    assert subscribed.events()[-1] == "invitee.canceled"
    twice = requests.post(console(sim, invitee_path(invitee_uri, "cancel")), timeout=5)
    assert twice.status_code == 400 and "already canceled" in twice.text


def test_reschedule_to_a_new_open_slot(sim: CalendlySimulator, subscribed: Receiver) -> None:
    old_uri = book(sim)
    url = console(sim, invitee_path(old_uri, "reschedule"))
    form = requests.get(url, timeout=5)
    assert form.status_code == 200
    new_uri = done_uri(requests.post(url, data={"start_time": first_slot(form.text)}, timeout=5))
    assert new_uri != old_uri
    old = sim.get(old_uri)
    assert old["status"] == "canceled" and old["rescheduled"] and old["new_invitee"] == new_uri
    assert sim.get(new_uri)["old_invitee"] == old_uri
    assert sim.wait_for_deliveries()
    assert subscribed.events()[-2:] == ["invitee.canceled", "invitee.created"]


def test_mark_and_unmark_a_no_show(sim: CalendlySimulator, subscribed: Receiver) -> None:
    invitee_uri = book(sim)
    marked = requests.post(console(sim, invitee_path(invitee_uri, "no-show")), timeout=5)
    assert done_uri(marked) == invitee_uri
    assert sim.get(invitee_uri)["no_show"] is not None
    unmarked = requests.post(console(sim, invitee_path(invitee_uri, "unmark-no-show")), timeout=5)
    assert done_uri(unmarked) == invitee_uri
    assert sim.get(invitee_uri)["no_show"] is None
    assert sim.wait_for_deliveries()
    assert subscribed.events()[-2:] == ["invitee_no_show.created", "invitee_no_show.deleted"]
    again = requests.post(console(sim, invitee_path(invitee_uri, "unmark-no-show")), timeout=5)
    assert again.status_code == 400 and "not marked as a no-show" in again.text


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"email": "a@example.com", "start_time": "SLOT"}, "Enter the invitee&#x27;s name."),
        ({"name": "A", "email": "nope", "start_time": "SLOT"}, "Enter a valid email address"),
        ({"name": "A", "email": "a@example.com"}, "Pick a start time."),
        ({"name": "A", "email": "a@example.com", "start_time": "tomorrow"}, "not a valid ISO"),
        (
            {"name": "A", "email": "a@example.com", "start_time": "2001-01-01T10:00:00Z"},
            "That time is not open any more",
        ),
    ],
)
def test_bad_booking_input_is_a_400_with_a_message(
    sim: CalendlySimulator, form: dict[str, str], message: str
) -> None:
    url = console(sim, f"/book/{uuid_of(solo_event_type(sim)['uri'])}/")
    if form.get("start_time") == "SLOT":
        form["start_time"] = first_slot(requests.get(url, timeout=5).text)
    before = len(sim.store.invitees)
    response = requests.post(url, data=form, timeout=5)
    assert response.status_code == 400
    assert message in response.text
    assert len(sim.store.invitees) == before


def test_unknown_things_are_404s(sim: CalendlySimulator) -> None:
    assert requests.get(console(sim, "/book/NOPE/"), timeout=5).status_code == 404
    assert requests.get(console(sim, "/elsewhere/"), timeout=5).status_code == 404
    missing = console(sim, "/invitees/NOPE/NOPE/cancel/")
    assert requests.post(missing, timeout=5).status_code == 404


def test_output_is_escaped(sim: CalendlySimulator) -> None:
    invitee_uri = book(sim, name="<script>alert(1)</script>")
    assert sim.get(invitee_uri)["name"] == "<script>alert(1)</script>"
    page = requests.get(console(sim), timeout=5).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_post_from_another_site_is_refused(sim: CalendlySimulator) -> None:
    invitee_uri = book(sim)
    response = requests.post(
        console(sim, invitee_path(invitee_uri, "cancel")),
        headers={"Origin": "https://evil.example"},
        timeout=5,
    )
    assert response.status_code == 403
    assert sim.get(invitee_uri)["status"] == "active"
