"""End to end: a prefilled link built in the demo books on the simulator, and the booking comes
back through the signed webhook into the app's mirror with the prefilled values.

Nothing is short-circuited: the builder view makes the URL, the simulator's booking page is read
and its form posted over real HTTP, and the simulator's ``invitee.created`` reaches a live Django
server whose receiver processes it (inline). Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client

from calendly_integration.models import EventType, Invitee, WebhookSubscription
from calendly_integration.sync import sync_connection
from project.dashboard.forms import prefill_questions
from tests.calendly_helpers import make_oauth_connection
from tests.simulator.html_forms import read_form

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sim_calendly(calendly_tasks_inline) -> dict[str, Any]:
    """Webhooks processed inline, in the receiver's request; a narrow sync window."""
    return {"SYNC_BACKFILL_DAYS": 3, "SYNC_HORIZON_DAYS": 7}


@pytest.fixture
def mirrored(sim, live_server, settings, owner) -> Client:
    """The owner connected by OAuth (so subscribed to webhooks at the live server) and synced;
    the Django test client signed in as them."""
    settings.CALENDLY = {**settings.CALENDLY, "PUBLIC_BASE_URL": live_server.url}
    connection = make_oauth_connection(sim, owner)
    assert WebhookSubscription.objects.get(connection=connection).callback_url.startswith(
        live_server.url
    )
    run = sync_connection(connection.pk)
    assert run.succeeded, run.error
    client = Client()
    client.force_login(owner)
    return client


def answers_for(questions: list[dict[str, Any]]) -> dict[str, Any]:
    """A value for every question as the builder's form takes it (a choice for a choice)."""
    values: dict[str, Any] = {}
    for number, question in enumerate(questions, start=1):
        choices = question.get("answer_choices") or []
        kind = question["type"]
        if kind == "single_select":
            values[f"a{number}"] = choices[1]
        elif kind == "multi_select" and question.get("include_other"):
            values[f"a{number}"] = f"{choices[0]}\n{choices[2]}"  # free text, a line each
        elif kind == "multi_select":
            values[f"a{number}"] = [choices[0], choices[2]]
        elif kind == "phone_number":
            values[f"a{number}"] = "+44 20 7946 0000"
        else:
            values[f"a{number}"] = f"Analytical Engines & Co. <{number}>"
    return values


def post_form(url: str, page: str) -> requests.Response:
    """Submit the page's form as a browser would (to the page's own URL: no action)."""
    data: dict[str, list[str]] = {}
    for name, value in read_form(page).fields:
        data.setdefault(name, []).append(value)
    return requests.post(url, data=data, timeout=15)


def test_a_prefilled_link_from_the_builder_books_with_its_values(sim, mirrored):
    event_type = max(
        EventType.objects.filter(owner_uri=sim.owner.uri, active=True).order_by("pk"),
        key=lambda et: len(prefill_questions(et)),
    )
    questions = prefill_questions(event_type)
    assert len(questions) >= 3
    utm = {
        "utm_source": "newsletter",
        "utm_medium": "email",
        "utm_campaign": "spring & summer",
        "utm_content": "hero",
        "utm_term": "engines",
    }
    answers = answers_for(questions)
    built = mirrored.get(
        f"/dashboard/event-types/{event_type.pk}/prefilled-link/",
        {"name": "Ada Lovelace", "email": "ada+cv@example.com", **answers, **utm},
    )
    assert built.status_code == 200, built.content
    url = built.context["url"]
    assert url.startswith(event_type.scheduling_url + "?")
    assert urlsplit(url).netloc == urlsplit(sim.url).netloc

    page = requests.get(url, timeout=15)
    assert page.status_code == 200
    shown: dict[str, list[str]] = {}
    for name, value in read_form(page.text).fields:
        shown.setdefault(name, []).append(value)
    names = shown.get("name") or [" ".join(shown["first_name"] + shown["last_name"])]
    assert names == ["Ada Lovelace"] and shown["email"] == ["ada+cv@example.com"]
    for key, value in {**answers, **utm}.items():
        expected = value if isinstance(value, list) else value.split("\n")
        assert [v for v in shown[key] if v] == expected, key

    booked = post_form(url, page.text)
    assert booked.status_code == 200, booked.text
    invitee_uri = re.search(r'data-invitee-uri="([^"]+)"', booked.text).group(1)
    assert sim.wait_for_deliveries(15)
    assert [(d.event, d.status_code) for d in sim.deliveries] == [("invitee.created", 200)]

    invitee = Invitee.objects.get(uri=invitee_uri)
    assert (invitee.name, invitee.email) == ("Ada Lovelace", "ada+cv@example.com")
    expected = [
        (question["name"], "\n".join(value) if isinstance(value, list) else value)
        for question, value in zip(questions, answers.values(), strict=True)
    ]
    assert [(qa["question"], qa["answer"]) for qa in invitee.questions_and_answers] == expected
    assert {key: getattr(invitee, key) for key in utm} == utm
    assert invitee.event.event_type_id == event_type.pk


def test_every_event_types_scheduling_url_answers_a_booking_page(sim, mirrored):
    event_types = list(EventType.objects.exclude(scheduling_url=""))
    assert len(event_types) >= 10
    for event_type in event_types:
        page = requests.get(event_type.scheduling_url, timeout=15)
        assert page.status_code == 200, event_type.scheduling_url
        assert event_type.name in page.text
        if event_type.active:
            assert read_form(page.text).method == "post", event_type.scheduling_url
