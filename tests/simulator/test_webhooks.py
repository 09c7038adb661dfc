"""Webhook subscriptions deliver real, signed POSTs when state changes, and give up like Calendly."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest

from calendly_integration.testing.simulator import CalendlySimulator
from calendly_integration.testing.simulator.timeutil import iso

from .conftest import Api, Receiver, path_of

ALL_EVENTS = [
    "invitee.created",
    "invitee.canceled",
    "invitee_no_show.created",
    "invitee_no_show.deleted",
]


def subscribe(api: Api, url: str, *, scope: str = "user", user: str | None = None, **extra) -> dict:
    body = {
        "url": url,
        "events": extra.pop("events", ALL_EVENTS),
        "organization": api.sim.organization_uri,
        "scope": scope,
        **extra,
    }
    if scope == "user":
        body["user"] = user or api.sim.owner.uri
    response = api.post("/webhook_subscriptions", body)
    assert response.status_code == 201, response.text
    return response.json()["resource"]


def verify(header: str, body: str, key: str) -> bool:
    parts = dict(item.split("=", 1) for item in header.split(","))
    expected = hmac.new(key.encode(), f"{parts['t']}.{body}".encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"]) and abs(time.time() - int(parts["t"])) < 180


def future_slot(sim: CalendlySimulator, days: int = 3) -> str:
    return iso(
        (sim.now() + timedelta(days=days)).replace(hour=15, minute=0, second=0, microsecond=0)
    )


def solo_event_type(sim: CalendlySimulator, user_uri: str | None = None) -> dict:
    return next(
        et
        for et in sim.event_types_of(user_uri or sim.owner.uri)
        if et["active"] and et["kind"] == "solo"
    )


def test_a_booking_is_delivered_signed_with_the_app_key(
    sim: CalendlySimulator, api: Api, receiver: Receiver
) -> None:
    subscribe(api, receiver.url)
    invitee_uri = sim.book(
        solo_event_type(sim)["uri"], future_slot(sim), "Ada Lovelace", "ada@example.com"
    )
    assert sim.wait_for_deliveries()
    [delivery] = receiver.received
    assert delivery["path"] == "/hooks/calendly"
    assert delivery["headers"]["Content-Type"] == "application/json"
    assert verify(
        delivery["headers"]["Calendly-Webhook-Signature"], delivery["body"], "sim-app-signing-key"
    )
    envelope = json.loads(delivery["body"])
    assert set(envelope) == {"event", "created_at", "created_by", "payload"}
    assert envelope["event"] == "invitee.created"
    assert envelope["created_by"] == sim.owner.uri
    payload = envelope["payload"]
    assert payload["uri"] == invitee_uri
    assert payload["email"] == "ada@example.com"
    served = api.get(path_of(payload["event"], sim)).json()["resource"]
    assert payload["scheduled_event"] == served
    assert sim.deliveries[0].status_code == 200


def test_a_subscription_signing_key_signs_its_deliveries(
    sim: CalendlySimulator, api: Api, receiver: Receiver
) -> None:
    subscribe(api, receiver.url, signing_key="my-own-key-123")
    sim.book(solo_event_type(sim)["uri"], future_slot(sim), "Grace Hopper", "grace@example.com")
    sim.wait_for_deliveries()
    [delivery] = receiver.received
    header = delivery["headers"]["Calendly-Webhook-Signature"]
    assert verify(header, delivery["body"], "my-own-key-123")
    assert not verify(header, delivery["body"], "sim-app-signing-key")


def test_reschedule_sends_canceled_then_created_pointing_at_each_other(
    sim: CalendlySimulator, api: Api, receiver: Receiver
) -> None:
    subscribe(api, receiver.url)
    old_uri = sim.book(
        solo_event_type(sim)["uri"], future_slot(sim, 3), "Alan Turing", "alan@example.com"
    )
    sim.wait_for_deliveries()
    receiver.received.clear()
    new_uri = sim.reschedule(old_uri, future_slot(sim, 5))
    sim.wait_for_deliveries()
    canceled, created = receiver.bodies()
    assert canceled["event"] == "invitee.canceled"
    assert canceled["payload"]["uri"] == old_uri
    assert canceled["payload"]["rescheduled"] is True
    assert canceled["payload"]["new_invitee"] == new_uri
    assert canceled["payload"]["status"] == "canceled"
    assert canceled["payload"]["scheduled_event"]["status"] == "canceled"
    assert created["event"] == "invitee.created"
    assert created["payload"]["uri"] == new_uri
    assert created["payload"]["old_invitee"] == old_uri
    assert created["payload"]["scheduled_event"]["start_time"] == future_slot(sim, 5)
    assert api.get(path_of(old_uri, sim)).json()["resource"]["new_invitee"] == new_uri


def test_api_cancellation_notifies_every_invitee(
    sim: CalendlySimulator, api: Api, receiver: Receiver
) -> None:
    subscribe(api, receiver.url, scope="organization", events=["invitee.canceled"])
    group = next(
        et for et in sim.event_types_of(sim.owner.uri) if et["kind"] == "group" and et["active"]
    )
    start = future_slot(sim, 4)
    first = sim.book(group["uri"], start, "One", "one@example.com")
    second = sim.book(group["uri"], start, "Two", "two@example.com")
    event_uri = api.get(path_of(first, sim)).json()["resource"]["event"]
    assert api.get(path_of(second, sim)).json()["resource"]["event"] == event_uri
    started = time.monotonic()
    response = api.post(path_of(event_uri, sim) + "/cancellation", {"reason": "Host is ill"})
    assert response.status_code == 201
    assert response.json()["resource"]["canceler_type"] == "host"
    assert time.monotonic() - started < 1
    sim.wait_for_deliveries()
    bodies = receiver.bodies()
    assert [b["event"] for b in bodies] == ["invitee.canceled", "invitee.canceled"]
    assert {b["payload"]["uri"] for b in bodies} == {first, second}
    assert all(b["payload"]["cancellation"]["reason"] == "Host is ill" for b in bodies)


def test_deliveries_happen_after_the_request_not_inside_it(
    sim: CalendlySimulator, api: Api, receiver: Receiver
) -> None:
    subscribe(api, receiver.url)
    receiver.delay = 1.0
    event = next(
        e
        for e in sim.events_of(sim.owner.uri)
        if e["status"] == "active" and e["start_time"] > iso(sim.now())
    )
    started = time.monotonic()
    assert api.post(path_of(event["uri"], sim) + "/cancellation", {}).status_code == 201
    assert time.monotonic() - started < 0.5
    assert sim.wait_for_deliveries(timeout=5)
    assert receiver.events() == ["invitee.canceled"] * len(sim.invitees_of(event["uri"]))


def test_no_shows_over_the_api_send_created_and_deleted(
    sim: CalendlySimulator, api: Api, receiver: Receiver
) -> None:
    subscribe(api, receiver.url)
    event = next(
        e
        for e in sim.events_of(sim.owner.uri)
        if e["status"] == "active"
        and e["end_time"] < iso(sim.now())
        and not sim.invitees_of(e["uri"])[0]["no_show"]
    )
    invitee = sim.invitees_of(event["uri"])[0]
    created = api.post("/invitee_no_shows", {"invitee": invitee["uri"]}).json()["resource"]
    assert api.delete(path_of(created["uri"], sim)).status_code == 204
    sim.wait_for_deliveries()
    marked, unmarked = receiver.bodies()
    assert marked["event"] == "invitee_no_show.created"
    assert marked["payload"]["no_show"]["uri"] == created["uri"]
    assert unmarked["event"] == "invitee_no_show.deleted"
    assert unmarked["payload"]["no_show"] is None
    assert unmarked["payload"]["uri"] == invitee["uri"]


def test_invitee_side_no_show_helpers_and_post_invitees_notify(
    sim: CalendlySimulator, api: Api, receiver: Receiver
) -> None:
    subscribe(api, receiver.url)
    event_type = solo_event_type(sim)
    now = sim.now()
    slots = api.get(
        "/event_type_available_times",
        event_type=event_type["uri"],
        start_time=iso(now + timedelta(days=1)),
        end_time=iso(now + timedelta(days=6)),
    ).json()["collection"]
    booked = api.post(
        "/invitees",
        {
            "event_type": event_type["uri"],
            "start_time": slots[0]["start_time"],
            "invitee": {
                "first_name": "Katherine",
                "last_name": "Johnson",
                "email": "kj@example.com",
            },
            "tracking": {"utm_source": "partner"},
        },
    )
    assert booked.status_code == 201
    invitee_uri = booked.json()["resource"]["uri"]
    assert booked.json()["resource"]["tracking"]["utm_source"] == "partner"
    sim.mark_no_show(invitee_uri)
    sim.unmark_no_show(invitee_uri)
    sim.cancel_invitee(invitee_uri, reason="Changed my mind")
    sim.wait_for_deliveries()
    assert receiver.events() == [
        "invitee.created",
        "invitee_no_show.created",
        "invitee_no_show.deleted",
        "invitee.canceled",
    ]
    canceled = receiver.bodies()[-1]["payload"]
    assert canceled["cancellation"]["canceler_type"] == "invitee"
    assert canceled["cancellation"]["canceled_by"] == "Katherine Johnson"


def test_user_scope_hears_only_its_user_and_routing_forms_go_to_organization_scope(
    sim: CalendlySimulator, api: Api, receiver: Receiver
) -> None:
    member = sim.members[0]
    member_api = Api(sim, sim.create_token(member.uri))
    subscribe(member_api, receiver.url + "/member", user=member.uri)
    subscribe(
        api,
        receiver.url + "/org",
        scope="organization",
        events=["invitee.created", "routing_form_submission.created"],
    )
    sim.book(solo_event_type(sim)["uri"], future_slot(sim), "Owner Guest", "og@example.com")
    sim.book(
        solo_event_type(sim, member.uri)["uri"], future_slot(sim), "Member Guest", "mg@example.com"
    )
    form = api.get("/routing_forms", organization=sim.organization_uri).json()["collection"][0]
    submission = sim.submit_routing_form(form["uri"], {"Email": "lead@example.com"})
    sim.wait_for_deliveries()
    by_path: dict[str, list[str]] = {}
    for item in receiver.received:
        by_path.setdefault(item["path"], []).append(json.loads(item["body"])["event"])
    assert by_path["/hooks/calendly/member"] == ["invitee.created"]
    assert by_path["/hooks/calendly/org"] == [
        "invitee.created",
        "invitee.created",
        "routing_form_submission.created",
    ]
    routed = receiver.bodies()[-1]["payload"]
    assert routed["uri"] == submission
    assert api.get(path_of(submission, sim)).json()["resource"] == routed


def test_routing_form_events_need_organization_scope(sim: CalendlySimulator, api: Api) -> None:
    response = api.post(
        "/webhook_subscriptions",
        {
            "url": "http://127.0.0.1:9/x",
            "events": ["routing_form_submission.created"],
            "organization": sim.organization_uri,
            "user": sim.owner.uri,
            "scope": "user",
        },
    )
    assert response.status_code == 400
    assert response.json()["details"][0]["parameter"] == "events"


def test_same_url_twice_is_a_conflict_until_deleted(sim: CalendlySimulator, api: Api) -> None:
    hook = subscribe(api, "http://127.0.0.1:9/dup")
    again = api.post(
        "/webhook_subscriptions",
        {"url": "http://127.0.0.1:9/dup", "events": ["invitee.created"],
         "organization": sim.organization_uri, "scope": "organization"},
    )  # fmt: skip
    assert again.status_code == 409
    assert again.json() == {
        "title": "Already Exists",
        "message": "Hook with this url already exists",
    }
    assert api.delete(path_of(hook["uri"], sim)).status_code == 204
    subscribe(api, "http://127.0.0.1:9/dup")


def test_organization_scope_needs_owner_or_admin(sim: CalendlySimulator) -> None:
    member_api = Api(sim, sim.create_token(sim.members[0].uri))
    response = member_api.post(
        "/webhook_subscriptions",
        {"url": "http://127.0.0.1:9/m", "events": ["invitee.created"],
         "organization": sim.organization_uri, "scope": "organization"},
    )  # fmt: skip
    assert response.status_code == 403
    listing = member_api.get(
        "/webhook_subscriptions", organization=sim.organization_uri, scope="organization"
    )
    assert listing.status_code == 403


@pytest.mark.parametrize("failure", ["status", "connection"])
def test_failing_callbacks_are_retried_then_the_subscription_is_disabled(
    calendly_simulator_factory, receiver: Receiver, failure: str
) -> None:
    sim = calendly_simulator_factory(webhook_retry_delays=(0.05, 0.1), validate=True)
    api = Api(sim, sim.create_token())
    url = receiver.url if failure == "status" else "http://127.0.0.1:9/closed"
    receiver.status = 500
    hook = subscribe(api, url)
    sim.book(solo_event_type(sim)["uri"], future_slot(sim), "Retry Me", "retry@example.com")
    assert sim.wait_for_deliveries(timeout=5)
    attempts = [d for d in sim.deliveries if d.subscription == hook["uri"]]
    assert [a.attempt for a in attempts] == [1, 2, 3]
    assert all(not a.ok for a in attempts)
    if failure == "status":
        assert [a.status_code for a in attempts] == [500, 500, 500]
        assert len(receiver.received) == 3
    state = api.get(path_of(hook["uri"], sim)).json()["resource"]
    assert state["state"] == "disabled"
    assert state["retry_started_at"] is not None
    receiver.status = 200
    sim.book(solo_event_type(sim)["uri"], future_slot(sim, 6), "Ignored", "ignored@example.com")
    sim.wait_for_deliveries()
    assert len([d for d in sim.deliveries if d.subscription == hook["uri"]]) == 3
    assert sim.spec_violations == []


def test_a_retry_that_succeeds_keeps_the_subscription_active(
    calendly_simulator_factory, receiver: Receiver
) -> None:
    sim = calendly_simulator_factory(webhook_retry_delays=(0.2,))
    api = Api(sim, sim.create_token())
    hook = subscribe(api, receiver.url)
    receiver.status = 503
    sim.book(solo_event_type(sim)["uri"], future_slot(sim), "Second Time", "lucky@example.com")
    deadline = time.monotonic() + 2
    while not sim.deliveries and time.monotonic() < deadline:
        time.sleep(0.01)
    receiver.status = 200
    sim.wait_for_deliveries()
    assert [d.status_code for d in sim.deliveries] == [503, 200]
    assert api.get(path_of(hook["uri"], sim)).json()["resource"]["state"] == "active"


def test_event_type_changes_are_delivered_to_subscribers_of_the_newer_events(
    sim: CalendlySimulator, api: Api, receiver: Receiver
) -> None:
    subscribe(api, receiver.url, events=["event_type.updated", "event_type.created"])
    event_type = solo_event_type(sim)
    assert api.patch(path_of(event_type["uri"], sim), {"duration": 25}).status_code == 200
    sim.wait_for_deliveries()
    [body] = receiver.bodies()
    assert body["event"] == "event_type.updated"
    assert body["payload"]["uri"] == event_type["uri"]
    assert body["payload"]["duration"] == 25


def test_duplicate_next_sends_the_same_webhook_twice(
    sim: CalendlySimulator, api: Api, receiver: Receiver
) -> None:
    subscribe(api, receiver.url)
    sim.webhooks.duplicate_next(1)
    sim.book(solo_event_type(sim)["uri"], future_slot(sim), "Twice Told", "twice@example.com")
    sim.book(solo_event_type(sim)["uri"], future_slot(sim, 4), "Once Told", "once@example.com")
    assert sim.wait_for_deliveries()
    bodies = [r["body"] for r in receiver.received]
    assert len(bodies) == 3
    assert bodies[0] == bodies[1] != bodies[2]
    assert sim.webhooks.duplicated == 1


def test_delay_next_lets_later_webhooks_overtake(
    sim: CalendlySimulator, api: Api, receiver: Receiver
) -> None:
    subscribe(api, receiver.url)
    sim.webhooks.delay_next(1, seconds=0.5)
    invitee_uri = sim.book(solo_event_type(sim)["uri"], future_slot(sim), "Late", "l@example.com")
    sim.cancel_invitee(invitee_uri)
    assert sim.wait_for_deliveries()
    assert receiver.events() == ["invitee.canceled", "invitee.created"]
    assert sim.webhooks.delayed == 1
