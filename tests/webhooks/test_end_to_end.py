"""End to end: the simulator delivers signed webhooks over HTTP to a live Django server.

Nothing is short-circuited: connecting an account subscribes it (the ``connection_connected``
receiver), bookings on the simulator come back as real POSTs to the receiver, and processing
(inline here) writes rows and sends signals. The concurrency test needs PostgreSQL: SQLite's test
database is one in-memory connection shared by the server's threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
import requests
from django.db import connection as db_connection

from calendly_integration.models import Invitee, WebhookDelivery, WebhookSubscription
from calendly_integration.oauth.disconnect import disconnect
from calendly_integration.webhooks.signature import signature_header
from calendly_integration.webhooks.subscriptions import ensure_subscriptions
from tests.calendly_helpers import make_oauth_connection
from tests.conftest import point_calendly_at

from .conftest import book, names

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live(sim, calendly, live_server) -> str:
    calendly(PUBLIC_BASE_URL=live_server.url)
    return live_server.url


def test_a_booking_reaches_the_live_server_and_becomes_rows_and_signals(
    sim, live, owner, signal_log
):
    connection = make_oauth_connection(sim, owner)  # subscribes, through connection_connected
    subscription = WebhookSubscription.objects.get(connection=connection)
    assert subscription.callback_url.startswith(live)

    invitee_uri = book(sim, name="Grace Hopper")
    assert sim.wait_for_deliveries(15)
    sim.cancel_invitee(invitee_uri, reason="Something came up")
    assert sim.wait_for_deliveries(15)

    assert [(d.event, d.status_code) for d in sim.deliveries] == [
        ("invitee.created", 200),
        ("invitee.canceled", 200),
    ]
    invitee = Invitee.objects.get(uri=invitee_uri)
    assert invitee.name == "Grace Hopper"
    assert invitee.status == "canceled"
    assert invitee.cancel_reason == "Something came up"
    assert names(signal_log) == ["invitee_created", "invitee_canceled"]
    assert list(WebhookDelivery.objects.values_list("status", flat=True)) == [
        "processed",
        "processed",
    ]


def test_a_reschedule_on_the_simulator_links_both_invitees(sim, live, owner, signal_log):
    make_oauth_connection(sim, owner)
    old_uri = book(sim, days=2)
    assert sim.wait_for_deliveries(15)
    new_uri = sim.reschedule(
        old_uri, sim.get(sim.get(old_uri)["event"])["start_time"][:10] + "T18:00:00Z"
    )
    assert sim.wait_for_deliveries(15)

    old, new = Invitee.objects.get(uri=old_uri), Invitee.objects.get(uri=new_uri)
    assert (old.status, old.new_invitee_uri) == ("canceled", new_uri)
    assert (new.status, new.old_invitee_uri) == ("active", old_uri)
    assert names(signal_log).count("invitee_rescheduled") == 1


def test_disconnecting_deletes_the_subscription_at_calendly(sim, live, owner):
    connection = make_oauth_connection(sim, owner)
    assert len(sim.store.webhooks) == 1
    disconnect(connection)
    assert sim.store.webhooks == {}


@pytest.mark.postgres
def test_the_same_delivery_posted_five_times_at_once_is_processed_once(
    sim, live, owner, signal_log
):
    if db_connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite's in-memory test database has one connection")
    connection = make_oauth_connection(sim, owner)
    subscription = WebhookSubscription.objects.get(connection=connection)
    invitee_uri = book(sim)
    assert sim.wait_for_deliveries(15)
    body = sim.deliveries[0].body.encode()
    Invitee.objects.all().delete()
    WebhookDelivery.objects.all().delete()
    signal_log.clear()

    barrier = threading.Barrier(5)
    answers: list[int] = []

    def post() -> None:
        header = signature_header(body, sim.webhook_signing_key)
        barrier.wait()
        response = requests.post(
            subscription.callback_url,
            data=body,
            headers={"Content-Type": "application/json", "Calendly-Webhook-Signature": header},
            timeout=15,
        )
        answers.append(response.status_code)

    threads = [threading.Thread(target=post) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == [200] * 5
    statuses = sorted(WebhookDelivery.objects.values_list("status", flat=True))
    assert statuses == ["duplicate"] * 4 + ["processed"]
    assert names(signal_log) == ["invitee_created"]
    assert Invitee.objects.filter(uri=invitee_uri).count() == 1


def test_a_subscription_disabled_by_calendly_is_recreated_and_sync_fills_the_gap(
    calendly_simulator_factory: Callable[..., Any],
    settings,
    live_server,
    owner,
    calendly_tasks_inline,
):
    sim = calendly_simulator_factory(webhook_retry_delays=(0.05, 0.05), validate=True)
    point_calendly_at(settings, sim, PUBLIC_BASE_URL=live_server.url)
    connection = make_oauth_connection(sim, owner)
    [subscription] = WebhookSubscription.objects.filter(connection=connection)

    # Our side breaks (a wrong signing key): every delivery is refused, Calendly gives up.
    point_calendly_at(
        settings, sim, PUBLIC_BASE_URL=live_server.url, WEBHOOK_SIGNING_KEY="rotated-wrong"
    )
    lost_uri = book(sim, name="Lost Booking")
    assert sim.wait_for_deliveries(15)
    assert [d.status_code for d in sim.deliveries] == [400, 400, 400]
    assert sim.get(subscription.uri)["state"] == "disabled"
    assert not Invitee.objects.filter(uri=lost_uri).exists()
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"invalid"}

    # Fixed; the periodic check finds the subscription disabled and heals it.
    point_calendly_at(settings, sim, PUBLIC_BASE_URL=live_server.url)
    [healed] = ensure_subscriptions(connection)

    assert healed.pk == subscription.pk and healed.uri != subscription.uri
    assert healed.state == "active"
    assert sim.get(subscription.uri) is None
    assert Invitee.objects.filter(uri=lost_uri).exists()  # the catch-up sync filled the gap
    later_uri = book(sim, days=4, name="After Healing")
    assert sim.wait_for_deliveries(15)
    assert Invitee.objects.filter(uri=later_uri).exists()
    assert sim.spec_violations == []


def test_slack_hears_of_bookings_and_cancellations(sim, live, owner, recorder, calendly):
    slack = recorder
    calendly(SLACK_WEBHOOK_URL=f"{slack.url}/services/T000/B000/XXXX")
    make_oauth_connection(sim, owner)
    host_zone = sim.get(sim.owner.uri)["timezone"]

    invitee_uri = book(sim, name="Ada Lovelace")
    assert sim.wait_for_deliveries(15)
    sim.cancel_invitee(invitee_uri, reason="Feeling unwell <sorry>")
    assert sim.wait_for_deliveries(15)

    booked, canceled = slack.json()
    assert [r["path"] for r in slack.requests] == ["/services/T000/B000/XXXX"] * 2
    for message in (booked, canceled):
        assert set(message) == {"text", "blocks"}
        header, section, *_ = message["blocks"]
        assert header["type"] == "header" and header["text"]["type"] == "plain_text"
        assert section["type"] == "section"
        fields = {f["text"].split("\n")[0]: f["text"].split("\n", 1)[1] for f in section["fields"]}
        assert fields["*Who*"] == "Ada Lovelace (ada@example.com)"
        assert fields["*What*"] == Invitee.objects.get(uri=invitee_uri).event.name
        assert fields["*When*"].endswith(f"({host_zone})")
        assert fields["*Host*"] == sim.owner.name
    assert booked["blocks"][0]["text"]["text"].startswith("New booking: ")
    assert canceled["blocks"][0]["text"]["text"].startswith("Canceled: ")
    reason = canceled["blocks"][2]["text"]["text"]
    assert reason == "*Reason*\nFeeling unwell &lt;sorry&gt;"
    assert canceled["blocks"][3]["type"] == "context"


def test_slack_says_rescheduled_once_for_a_reschedule(sim, live, owner, recorder, calendly):
    calendly(SLACK_WEBHOOK_URL=f"{recorder.url}/slack")
    make_oauth_connection(sim, owner)
    old_uri = book(sim, days=2)
    assert sim.wait_for_deliveries(15)
    start = sim.get(sim.get(old_uri)["event"])["start_time"][:10] + "T18:00:00Z"
    sim.reschedule(old_uri, start)
    assert sim.wait_for_deliveries(15)

    titles = [m["blocks"][0]["text"]["text"] for m in recorder.json()]
    assert [t.split(":")[0] for t in titles] == ["New booking", "Rescheduled"]
    fields = [f["text"] for f in recorder.json()[1]["blocks"][1]["fields"]]
    assert any(f.startswith("*Was*") for f in fields)
