"""The receiver: every request is logged, bad ones are refused, good ones are answered at once.

These tests post to the receiver with Django's test client; the deliveries are hand-made (only
their shape matters here). Processing from the simulator's payloads is in ``test_processing``.
"""

from __future__ import annotations

import json
import time

import pytest
from asgiref.sync import async_to_sync
from django.test import Client
from django.utils.module_loading import import_string

from calendly_integration.models import WebhookDelivery, WebhookSubscription

from .conftest import APP_KEY, book, post_signed, receiver_path

pytestmark = pytest.mark.django_db

ENVELOPE = {
    "event": "invitee.created",
    "created_at": "2026-11-24T15:00:00.000000Z",
    "created_by": "https://api.calendly.com/users/OWNER",
    "payload": {
        "uri": "https://api.calendly.com/scheduled_events/EV1/invitees/IN1",
        "event": "https://api.calendly.com/scheduled_events/EV1",
        "status": "active",
    },
}
BODY = json.dumps(ENVELOPE).encode()


@pytest.fixture(autouse=True)
def app_key(calendly):
    calendly(WEBHOOK_SIGNING_KEY=APP_KEY, PUBLIC_BASE_URL="https://example.com")


def test_the_url_carries_the_subscriptions_unguessable_token(subscription, url):
    assert subscription.token in url
    assert len(subscription.token) >= 43  # 256 random bits
    assert subscription.token not in repr(subscription)


def test_an_unknown_token_is_a_404_and_is_not_stored(client):
    response = post_signed(client, "/calendly/webhooks/not-a-token/", BODY, APP_KEY)
    assert response.status_code == 404
    assert not WebhookDelivery.objects.exists()


def test_only_post_is_allowed(client, url):
    assert client.get(url).status_code == 405


def test_a_good_delivery_is_stored_and_answered_200(client, url, subscription):
    response = post_signed(client, url, BODY, APP_KEY, **{"X-Request-Id": "r-1"})

    assert response.status_code == 200
    assert response.json() == {"status": "received"}
    delivery = WebhookDelivery.objects.get()
    assert delivery.subscription == subscription
    assert delivery.body_bytes == BODY
    assert delivery.signature == "valid"
    assert delivery.event == "invitee.created"
    assert delivery.payload_uri == ENVELOPE["payload"]["uri"]
    assert delivery.event_created_at == ENVELOPE["created_at"]
    assert len(delivery.dedupe_key) == 64
    assert delivery.status == "received"
    assert delivery.remote_addr == "127.0.0.1"
    assert set(delivery.headers) >= {"Content-Type", "Calendly-Webhook-Signature"}
    assert delivery.headers["X-Request-Id"] == "r-1"


def test_only_selected_headers_are_kept(client, url):
    client.cookies["sessionid"] = "secret-session"
    post_signed(client, url, BODY, APP_KEY, Authorization="Bearer nope")
    headers = WebhookDelivery.objects.get().headers
    assert "Cookie" not in headers
    assert "Authorization" not in headers


def test_csrf_protection_does_not_apply_to_the_receiver(url):
    strict = Client(enforce_csrf_checks=True)
    assert post_signed(strict, url, BODY, APP_KEY).status_code == 200


@pytest.mark.parametrize(
    ("key", "header", "verdict"),
    [
        ("wrong-key", None, "invalid"),
        (APP_KEY, "t=1700000000,v1=" + "0" * 64, "invalid"),
        (APP_KEY, "garbage", "invalid"),
        (APP_KEY, "", "missing"),
    ],
)
def test_a_bad_signature_is_stored_as_invalid_and_refused(client, url, key, header, verdict):
    if header is None:
        response = post_signed(client, url, BODY, key)
    else:
        response = client.post(
            url,
            data=BODY,
            content_type="application/json",
            headers={"Calendly-Webhook-Signature": header} if header else {},
        )

    assert response.status_code == 400
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "invalid"
    assert delivery.signature == verdict
    assert delivery.dedupe_key is None
    assert delivery.body_bytes == BODY
    assert delivery.event == "invitee.created"  # named for the audit, not trusted
    assert delivery.attempts == 0


def test_a_refused_delivery_is_logged_without_its_signature(client, url, caplog):
    forged = "t=1700000000,v1=" + "ab" * 32
    response = client.post(
        url,
        data=BODY,
        content_type="application/json",
        headers={"Calendly-Webhook-Signature": forged},
    )

    assert response.status_code == 400
    delivery = WebhookDelivery.objects.get()
    [record] = [r for r in caplog.records if r.name == "calendly_integration.webhooks.views"]
    assert record.levelname == "WARNING"
    assert f"delivery {delivery.pk} " in record.getMessage()
    assert "rejected (400)" in record.getMessage()
    assert "ab" * 32 not in record.getMessage()


def test_a_stale_timestamp_is_refused_as_a_replay(client, url):
    response = post_signed(client, url, BODY, APP_KEY, timestamp=int(time.time()) - 181)
    assert response.status_code == 400
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.signature) == ("invalid", "stale")


def test_a_future_timestamp_is_refused_too(client, url):
    response = post_signed(client, url, BODY, APP_KEY, timestamp=int(time.time()) + 181)
    assert response.status_code == 400
    assert WebhookDelivery.objects.get().signature == "stale"


def test_the_tolerance_is_a_setting(client, url, calendly):
    calendly(WEBHOOK_TOLERANCE=600)
    response = post_signed(client, url, BODY, APP_KEY, timestamp=int(time.time()) - 300)
    assert response.status_code == 200


def test_without_a_signing_key_nothing_verifies(client, url, calendly):
    calendly(WEBHOOK_SIGNING_KEY="")
    response = post_signed(client, url, BODY, "")
    assert response.status_code == 400
    assert WebhookDelivery.objects.get().signature == "no_key"


def test_malformed_json_is_stored_and_refused(client, url):
    body = b'{"event": "invitee.created", "payload": '
    response = post_signed(client, url, body, APP_KEY)
    assert response.status_code == 400
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "invalid"
    assert delivery.signature == "valid"
    assert delivery.body_bytes == body
    assert "JSON" in delivery.error


@pytest.mark.parametrize(
    "body", [b"[]", b'"text"', b'{"event": "invitee.created"}', b'{"payload": {}}']
)
def test_json_that_is_not_an_envelope_is_refused(client, url, body):
    assert post_signed(client, url, body, APP_KEY).status_code == 400
    assert WebhookDelivery.objects.get().status == "invalid"


def test_a_body_over_the_limit_is_413(client, url, calendly):
    calendly(WEBHOOK_MAX_BODY_BYTES=100)
    body = json.dumps({**ENVELOPE, "padding": "x" * 200}).encode()
    response = post_signed(client, url, body, APP_KEY)
    assert response.status_code == 413
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "invalid"
    assert delivery.body_bytes == b""
    assert "100" in delivery.error


def test_the_default_body_limit_is_one_megabyte(client, url):
    body = json.dumps({**ENVELOPE, "padding": "x" * 1_000_000}).encode()
    assert post_signed(client, url, body, APP_KEY).status_code == 413


def test_a_duplicate_is_answered_200_and_marked(client, url):
    post_signed(client, url, BODY, APP_KEY)
    response = post_signed(client, url, BODY, APP_KEY)
    assert response.status_code == 200
    assert response.json() == {"status": "duplicate"}
    first, second = WebhookDelivery.objects.order_by("pk")
    assert (first.status, second.status) == ("received", "duplicate")
    assert second.duplicate_of == first


def test_the_dedupe_key_is_event_payload_uri_and_created_at(client, url):
    post_signed(client, url, BODY, APP_KEY)
    for changed in (
        {**ENVELOPE, "event": "invitee.canceled"},
        {**ENVELOPE, "created_at": "2026-11-24T15:00:01.000000Z"},
        {**ENVELOPE, "payload": {**ENVELOPE["payload"], "uri": ENVELOPE["payload"]["uri"] + "2"}},
    ):
        assert post_signed(client, url, json.dumps(changed).encode(), APP_KEY).json() == {
            "status": "received"
        }
    # Same three, other bytes (key order, another signature time): still a duplicate.
    reordered = json.dumps(dict(reversed(list(ENVELOPE.items())))).encode()
    assert post_signed(client, url, reordered, APP_KEY).json() == {"status": "duplicate"}


@pytest.mark.django_db(transaction=True)  # autocommit, as a server runs the receiver
def test_under_asgi_deliveries_are_stored_refused_and_deduplicated_as_under_wsgi(
    async_client, url, subscription
):
    """An ASGI server (uvicorn) runs the synchronous view in a worker thread of Django's."""

    async def post(body: bytes, key: str):
        return await post_signed(async_client, url, body, key)

    send = async_to_sync(post)
    assert send(BODY, APP_KEY).json() == {"status": "received"}
    assert send(BODY, APP_KEY).json() == {"status": "duplicate"}
    refused = send(json.dumps({**ENVELOPE, "event": "invitee.canceled"}).encode(), "wrong-key")
    assert refused.status_code == 400

    first, duplicate, invalid = WebhookDelivery.objects.order_by("pk")
    assert (first.status, first.subscription_id) == ("received", subscription.pk)
    assert (duplicate.status, duplicate.duplicate_of_id) == ("duplicate", first.pk)
    assert (invalid.status, invalid.signature, invalid.event) == (
        "invalid",
        "invalid",
        "invitee.canceled",
    )


def test_an_event_we_do_not_handle_is_stored_as_ignored(client, url):
    body = json.dumps({**ENVELOPE, "event": "something.new"}).encode()
    response = post_signed(client, url, body, APP_KEY)
    assert response.status_code == 200
    assert WebhookDelivery.objects.get().status == "ignored"


def test_a_personal_access_token_subscription_uses_its_own_key(client, subscription, url):
    subscription.signing_key = "our-own-key"
    subscription.save()
    assert subscription.encrypted_signing_key
    assert "our-own-key" not in subscription.encrypted_signing_key

    assert post_signed(client, url, BODY, APP_KEY).status_code == 400
    assert post_signed(client, url, BODY, "our-own-key").status_code == 200


def test_the_answer_queues_processing_on_commit_and_never_calls_calendly(
    sim,
    captured,
    recorder,
    calendly_tasks_inline,
    client,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    """The django-q2 path: the receiver queues a drain task; a worker running it processes the row."""
    from django_q.brokers import get_broker
    from django_q.signing import SignedPackage

    from calendly_integration.models import Invitee
    from calendly_integration.webhooks.drain import forget_queued_drain

    calendly_tasks_inline(False)
    invitee_uri = book(sim)
    assert sim.wait_for_deliveries(10)
    [(path, body)] = recorder.bodies()
    broker = get_broker()
    broker.purge_queue()
    forget_queued_drain()
    sim.clear_requests()

    with django_assert_max_num_queries(6), django_capture_on_commit_callbacks(execute=True):
        response = post_signed(client, path, body, sim.webhook_signing_key)

    assert response.status_code == 200
    assert sim.requests == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "received"
    queued = [(task_id, SignedPackage.loads(payload)) for task_id, payload in broker.dequeue()]
    [(task_id, task)] = [
        (task_id, task)
        for task_id, task in queued
        if task["func"] == "calendly_integration.tasks.drain_webhook_deliveries"
    ]
    import_string(task["func"])(*task["args"])  # what a django-q2 worker does
    broker.acknowledge(task_id)
    delivery.refresh_from_db()
    assert delivery.status == "processed"
    assert Invitee.objects.filter(uri=invitee_uri).exists()


def test_the_subscription_path_is_the_callback_url(captured):
    subscription = WebhookSubscription.objects.get()
    assert subscription.callback_url.endswith(receiver_path(subscription))
