"""``calendly_webhooks list | ensure | delete | replay`` and ``calendly_prune``."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from calendly_integration.models import Invitee, WebhookDelivery, WebhookSubscription
from calendly_integration.tasks import prune_webhook_deliveries
from tests.calendly_helpers import make_oauth_connection

from .conftest import book, post_signed

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("calendly_webhooks", *args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def failed(sim, captured, recorder, client, calendly, django_capture_on_commit_callbacks):
    """A delivery whose processing failed (Calendly answered 503 when its event was fetched)."""
    invitee_uri = book(sim)
    assert sim.wait_for_deliveries(10)
    [(path, body)] = recorder.bodies()
    envelope = json.loads(body)
    del envelope["payload"]["scheduled_event"]
    sim.faults.fail_next(4, status=503)
    with django_capture_on_commit_callbacks(execute=True):
        post_signed(client, path, json.dumps(envelope).encode(), sim.webhook_signing_key)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed"
    return delivery, invitee_uri


def test_list_shows_subscriptions_and_delivery_counts(captured, failed):
    output = run("list")
    subscription = WebhookSubscription.objects.get()
    assert subscription.uri in output
    assert "active" in output
    assert "failed=1" in output


def test_list_without_subscriptions(db):
    assert "No webhook subscriptions." in run("list")


def test_ensure_subscribes_active_connections(sim, owner, calendly, recorder):
    calendly(PUBLIC_BASE_URL=recorder.url)
    connection = make_oauth_connection(sim, owner)
    output = run("ensure", "--connection", str(connection.pk))
    subscription = WebhookSubscription.objects.get()
    assert subscription.uri in output
    assert len(sim.store.webhooks) == 1


def test_ensure_waits_for_calendlys_rate_limit_and_carries_on(sim, owner, calendly, recorder):
    calendly(PUBLIC_BASE_URL=recorder.url, RATE_LIMIT_MAX_WAIT=0)
    connection = make_oauth_connection(sim, owner)
    sim.faults.rate_limit_next(1, retry_after=2)

    output = run("ensure", "--connection", str(connection.pk))

    assert re.search(
        rf"connection {connection.pk}: Calendly's rate limit; waiting [12] s, continuing at "
        r"\d\d:\d\d:\d\d\.",
        output,
    ), output
    subscription = WebhookSubscription.objects.get()
    assert f"connection {connection.pk}: user active {subscription.uri}" in output
    assert len(sim.store.webhooks) == 1


def test_ensure_without_a_public_url_fails_clearly(sim, owner, calendly):
    calendly(PUBLIC_BASE_URL="")
    make_oauth_connection(sim, owner)
    with pytest.raises(CommandError, match="PUBLIC_BASE_URL"):
        run("ensure")


def test_delete_needs_a_connection_or_all(captured):
    with pytest.raises(CommandError):
        run("delete")
    assert "Deleted 1 subscription(s)." in run("delete", "--all")
    assert not WebhookSubscription.objects.exists()


def test_replay_processes_failed_deliveries(failed):
    delivery, invitee_uri = failed
    assert "processed=1" in run("replay", "--status", "failed")
    delivery.refresh_from_db()
    assert delivery.status == "processed"
    assert Invitee.objects.filter(uri=invitee_uri).exists()
    assert "Replayed: -" in run("replay")  # nothing failed any more


def test_replay_since_takes_recent_deliveries_only(failed):
    delivery, _ = failed
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        received_at=timezone.now() - timedelta(hours=3)
    )
    assert "Replayed: -" in run("replay", "--since", "2h")
    assert "processed=1" in run("replay", "--since", "4h")


def test_replay_of_processed_deliveries_is_idempotent(failed):
    run("replay")
    before = list(Invitee.objects.values_list("uri", "status", "calendly_updated_at"))
    assert "processed=1" in run("replay", "--status", "processed", "--since", "2026-01-01")
    assert list(Invitee.objects.values_list("uri", "status", "calendly_updated_at")) == before


def test_replay_rejects_a_bad_since(db):
    with pytest.raises(CommandError):
        run("replay", "--since", "yesterday-ish")


def test_prune_deletes_deliveries_past_the_retention(failed, calendly):
    delivery, _ = failed
    WebhookDelivery.objects.create(event="invitee.created", status="invalid")
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        received_at=timezone.now() - timedelta(days=31)
    )
    out = StringIO()
    call_command("calendly_prune", stdout=out)
    assert "Deleted 1 webhook deliveries" in out.getvalue()
    assert WebhookDelivery.objects.count() == 1

    calendly(DELIVERY_RETENTION_DAYS=0)
    assert prune_webhook_deliveries() == 1
