"""Webhook subscriptions (delete at Calendly, recreate) and deliveries (replay) from the admin."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from calendly_integration.models import Invitee, WebhookDelivery, WebhookSubscription
from calendly_integration.webhooks.subscriptions import ensure_subscriptions
from tests.admin.helpers import messages_of, run_action

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscription(sim, connect) -> WebhookSubscription:
    connection = connect()
    [subscription] = ensure_subscriptions(connection)
    assert sim.get(subscription.uri)["state"] == "active"
    return subscription


def test_delete_at_calendly_deletes_there_and_here(admin_client, sim, subscription):
    uri = subscription.uri

    response = run_action(admin_client, WebhookSubscription, "delete_at_calendly", [subscription])

    assert sim.get(uri) is None
    assert not WebhookSubscription.objects.exists()
    assert ("success", f"{subscription} — Done: deleted.") in messages_of(response)


def test_recreate_makes_a_new_subscription_with_the_same_callback(admin_client, sim, subscription):
    old_uri, callback = subscription.uri, subscription.callback_url

    response = run_action(admin_client, WebhookSubscription, "recreate", [subscription])

    subscription.refresh_from_db()
    assert subscription.uri != old_uri
    assert sim.get(old_uri) is None
    assert sim.get(subscription.uri)["callback_url"] == callback
    assert subscription.recreated_count == 1
    assert subscription.state == "active"
    found = messages_of(response)
    assert ("success", "Recreate at Calendly: 1 done, 0 skipped, 0 failed.") in found


def _delivery(sim, subscription, invitee_uri: str, status: str) -> WebhookDelivery:
    invitee = sim.get(invitee_uri)
    envelope = {
        "event": "invitee.created",
        "created_at": invitee["created_at"],
        "created_by": sim.owner.uri,
        "payload": {**invitee, "scheduled_event": sim.get(invitee["event"])},
    }
    return WebhookDelivery.objects.create(
        subscription=subscription,
        body=json.dumps(envelope).encode(),
        event="invitee.created",
        payload_uri=invitee_uri,
        signature=WebhookDelivery.Signature.VALID,
        status=status,
        attempts=1,
        error="ProcessingError: boom" if status == "failed" else "",
        received_at=timezone.now(),
    )


def test_replay_processes_a_failed_delivery_and_skips_invalid_ones(admin_client, sim, subscription):
    event = next(e for e in sim.store.events.values() if e["status"] == "active")
    [invitee_uri] = [i["uri"] for i in sim.invitees_of(event["uri"])][:1]
    failed = _delivery(sim, subscription, invitee_uri, "failed")
    invalid = _delivery(sim, subscription, invitee_uri, "invalid")

    response = run_action(admin_client, WebhookDelivery, "replay", [failed, invalid])

    failed.refresh_from_db()
    assert failed.status == "processed"
    assert Invitee.objects.filter(uri=invitee_uri).exists()
    found = messages_of(response)
    assert ("success", f"{failed} — Done: processed.") in found
    assert (
        "warning",
        f"{invalid} — Skipped: it was rejected as invalid, so it is never processed.",
    ) in found
