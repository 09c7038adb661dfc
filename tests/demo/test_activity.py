"""The activity feed: deliveries to the user's subscriptions, newest first, polled as JSON.

The simulator delivers its real, signed webhooks to a local recorder; the test hands each body
to our receiver (the test client) as Calendly would, then reads the feed.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from calendly_integration.models import WebhookDelivery
from calendly_integration.testing.simulator.timeutil import iso
from calendly_integration.webhooks.subscriptions import ensure_subscriptions
from tests.demo.conftest import signed_in
from tests.webhooks.conftest import post_signed, receiver_path, solo_event_type

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribed(tenant, recorder, settings):
    """Tenant A's owner subscribed, with Calendly delivering to the recorder."""
    settings.CALENDLY = {
        **settings.CALENDLY,
        "PUBLIC_BASE_URL": recorder.url,
        "WEBHOOK_PROCESS_INLINE": True,
    }
    (subscription,) = ensure_subscriptions(tenant.connections["owner"])
    return subscription


@pytest.fixture
def book(tenant, recorder, subscribed, django_capture_on_commit_callbacks):
    """``book(client, *names)``: book at the simulator as invitees, and pass Calendly's
    deliveries to the receiver through ``client``.

    The receiver processes a delivery once its row is committed; the callbacks of those commits
    run inside the test's transaction.
    """
    sim = tenant.sim

    def deliver(client, *names: str) -> None:
        event_type = solo_event_type(sim)
        for day, name in enumerate(names, start=2):
            start = (sim.now() + timedelta(days=day)).replace(hour=14, minute=0, second=0)
            sim.book(
                event_type["uri"], iso(start), name=name, email=f"{name.split()[0]}@example.com"
            )
        assert sim.wait_for_deliveries()
        key = subscribed.signing_key or sim.webhook_signing_key
        for _, body in recorder.bodies()[-len(names) :]:
            with django_capture_on_commit_callbacks(execute=True):
                response = post_signed(client, receiver_path(subscribed), body, key)
            assert response.status_code == 200

    return deliver


def test_the_feed_shows_bookings_newest_first_and_polls_for_newer_ones(tenant, book):
    owner = signed_in(tenant.users["owner"])
    book(owner, "Ada Lovelace")

    page = owner.get("/dashboard/activity/")

    assert page.status_code == 200
    (row,) = page.context["rows"]
    assert (row.label, row.who, row.delivery.status) == ("New booking", "Ada Lovelace", "processed")
    assert row.event_id is not None
    assert f"/dashboard/events/{row.event_id}/" in page.content.decode()
    last_id = page.context["last_id"]

    nothing_new = owner.get("/dashboard/activity/feed/", {"after": last_id}).json()
    assert nothing_new == {"rows": [], "updated": {}, "last_id": last_id}

    book(owner, "Grace Hopper", "Alan Turing")
    feed = owner.get("/dashboard/activity/feed/", {"after": last_id}).json()

    assert len(feed["rows"]) == 2
    assert "Alan Turing" in feed["rows"][0] and "Grace Hopper" in feed["rows"][1]
    assert feed["last_id"] == WebhookDelivery.objects.latest("pk").pk


def test_rows_still_pending_are_sent_again_once_processed(tenant, book):
    owner = signed_in(tenant.users["owner"])
    book(owner, "Ada Lovelace")
    delivery = WebhookDelivery.objects.get()

    feed = owner.get(
        "/dashboard/activity/feed/", {"after": delivery.pk, "pending": f"{delivery.pk},999"}
    ).json()

    assert list(feed["updated"]) == [str(delivery.pk)]
    assert "Processed" in feed["updated"][str(delivery.pk)]


def test_the_feed_shows_no_secrets(tenant, book, subscribed):
    owner = signed_in(tenant.users["owner"])
    book(owner, "Ada Lovelace")
    body = json.loads(WebhookDelivery.objects.get().body_bytes)

    page = owner.get("/dashboard/activity/").content.decode()
    feed = json.dumps(owner.get("/dashboard/activity/feed/", {"after": 0}).json())

    for text in (page, feed):
        assert subscribed.token not in text
        assert body["payload"]["cancel_url"] not in text
        assert body["payload"]["reschedule_url"] not in text
        assert "Calendly-Webhook-Signature" not in text


def test_other_users_do_not_see_the_deliveries_and_staff_do(tenant, book, other_tenant, staff):
    owner = signed_in(tenant.users["owner"])
    book(owner, "Ada Lovelace")

    stranger = signed_in(other_tenant.users["owner"])
    assert stranger.get("/dashboard/activity/").context["rows"] == []
    assert stranger.get("/dashboard/activity/feed/", {"after": 0}).json()["rows"] == []
    assert len(signed_in(staff).get("/dashboard/activity/").context["rows"]) == 1


@pytest.mark.parametrize(
    "query", [{"after": "x"}, {"after": "-1"}, {"pending": "1,a"}, {"after": "9" * 40}]
)
def test_bad_feed_parameters_are_a_400(owner_client, query):
    response = owner_client.get("/dashboard/activity/feed/", query)

    assert response.status_code == 400
    assert "detail" in response.json()
