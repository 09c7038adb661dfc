"""What keeps the receiver fast without changing what it does.

Each process remembers the subscriptions it has read, and wakes one drain task per short window
instead of queueing a task per delivery. These tests show that neither loses or misroutes a
delivery: a subscription changed or deleted behind the process's back is still handled as the
database says, and every delivery of a burst is processed by the drain its first one queued.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.utils.module_loading import import_string

from calendly_integration import crypto
from calendly_integration.models import Invitee, WebhookDelivery, WebhookSubscription
from calendly_integration.queueing import DRAIN_DELIVERIES
from calendly_integration.webhooks.drain import forget_queued_drain
from calendly_integration.webhooks.lookup import find_subscription

from .conftest import APP_KEY, book, post_signed


def envelope(n: int) -> bytes:
    return json.dumps(
        {
            "event": "invitee.created",
            "created_at": f"2026-11-24T15:00:00.{n:06d}Z",
            "payload": {
                "uri": f"https://api.calendly.com/scheduled_events/EV1/invitees/IN{n}",
                "event": "https://api.calendly.com/scheduled_events/EV1",
                "status": "active",
            },
        }
    ).encode()


def delete_elsewhere(subscription: WebhookSubscription) -> None:
    """Delete the row as another process would: no signal reaches this one."""
    table = WebhookSubscription._meta.db_table
    sharing = WebhookSubscription.connections.through._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {sharing} WHERE webhooksubscription_id = %s", [subscription.pk]
        )
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [subscription.pk])


@pytest.mark.django_db(transaction=True)
def test_a_subscription_deleted_elsewhere_is_a_404_even_while_remembered(client, subscription, url):
    assert find_subscription(subscription.token) is not None  # this process now remembers it
    delete_elsewhere(subscription)

    assert post_signed(client, url, envelope(1), APP_KEY).status_code == 404
    assert post_signed(client, url, envelope(2), "wrong-key").status_code == 404
    assert not WebhookDelivery.objects.exists()


@pytest.mark.django_db
def test_a_subscription_deleted_here_is_forgotten_at_once(client, subscription, url):
    assert post_signed(client, url, envelope(1), APP_KEY).status_code == 200
    subscription.delete()

    assert post_signed(client, url, envelope(2), APP_KEY).status_code == 404
    assert WebhookDelivery.objects.count() == 1


@pytest.mark.django_db
def test_a_signing_key_changed_elsewhere_is_used_at_once(client, subscription, url):
    assert post_signed(client, url, envelope(1), APP_KEY).status_code == 200
    WebhookSubscription.objects.filter(pk=subscription.pk).update(  # no signal: "elsewhere"
        encrypted_signing_key=crypto.encrypt("new-own-key")
    )

    assert post_signed(client, url, envelope(2), "new-own-key").status_code == 200
    assert post_signed(client, url, envelope(3), APP_KEY).status_code == 400
    assert WebhookDelivery.objects.get(payload_uri__endswith="IN3").signature == "invalid"


@pytest.mark.django_db
def test_a_burst_of_deliveries_queues_one_drain_that_processes_them_all(
    sim, captured, recorder, calendly_tasks_inline, client, django_capture_on_commit_callbacks
):
    from django_q.brokers import get_broker
    from django_q.signing import SignedPackage

    calendly_tasks_inline(False)
    invitees = {book(sim, hour=hour, name=f"Guest {hour}") for hour in (10, 11, 12)}
    assert sim.wait_for_deliveries(3)
    posts = recorder.bodies("invitee.created")
    broker = get_broker()
    broker.purge_queue()
    forget_queued_drain()

    for path, body in posts:
        with django_capture_on_commit_callbacks(execute=True):
            response = post_signed(client, path, body, sim.webhook_signing_key)
        assert response.status_code == 200

    tasks = [(task_id, SignedPackage.loads(payload)) for task_id, payload in broker.dequeue()]
    assert [task["func"] for _task_id, task in tasks] == [DRAIN_DELIVERIES]
    [(task_id, task)] = tasks
    assert import_string(task["func"])(*task["args"]) == len(posts)  # what a worker does
    broker.acknowledge(task_id)
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"processed"}
    assert set(Invitee.objects.values_list("uri", flat=True)) == invitees


@pytest.mark.django_db
def test_a_drain_leaves_deliveries_already_tried_to_the_retry_sweep(subscription):
    from calendly_integration.webhooks.drain import drain_received_deliveries

    WebhookDelivery.objects.create(subscription=subscription, status="failed", attempts=1)
    WebhookDelivery.objects.create(subscription=subscription, status="received", attempts=1)

    assert drain_received_deliveries() == 0
    assert list(WebhookDelivery.objects.values_list("attempts", flat=True)) == [1, 1]


@pytest.mark.django_db
def test_the_plain_insert_stores_what_the_orm_would(subscription):
    from calendly_integration.webhooks.rows import insert_row

    pk = insert_row(
        WebhookDelivery,
        {
            "subscription_id": subscription.pk,
            "headers": {"Content-Type": "application/json"},
            "remote_addr": "::ffff:127.0.0.1",
            "body": b'{"event": "x"}',
            "event": "x",
        },
    )

    stored = WebhookDelivery.objects.get(pk=pk)
    assert stored.subscription == subscription
    assert stored.headers == {"Content-Type": "application/json"}
    assert bytes(stored.body) == b'{"event": "x"}'
    assert stored.remote_addr == "::ffff:127.0.0.1"
    assert stored.received_at is not None
    assert (stored.status, stored.attempts, stored.error, stored.dedupe_key) == (
        "received",
        0,
        "",
        None,
    )
    assert stored.duplicate_of is None


def test_the_plain_insert_refuses_what_is_not_a_field():
    from calendly_integration.webhooks.rows import insert_row

    with pytest.raises(TypeError, match="subscription"):
        insert_row(WebhookDelivery, {"subscription": None})


@pytest.mark.django_db
def test_a_broker_that_cannot_be_reached_still_gets_the_delivery_stored_and_answered(
    client, url, calendly_tasks_inline, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    """Storing is what counts: the sweep of stuck deliveries queues it once a broker is back."""
    import socket

    import redis
    from django_q.brokers.redis_broker import Redis as RedisBroker

    from calendly_integration import queueing

    with socket.socket() as sock:  # a port where nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    unreachable = RedisBroker.__new__(RedisBroker)
    unreachable.list_key, unreachable.cache, unreachable._info = "django_q:gone:q", None, None
    unreachable.connection = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)
    monkeypatch.setattr(queueing, "_broker", unreachable)
    calendly_tasks_inline(False)
    forget_queued_drain()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post_signed(client, url, envelope(1), APP_KEY)

    assert len(callbacks) == 1
    assert response.status_code == 200
    assert WebhookDelivery.objects.get().status == "received"
    assert "Could not queue the processing" in caplog.text
