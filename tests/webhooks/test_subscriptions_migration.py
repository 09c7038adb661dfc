"""Migration 0002: subscriptions made per connection before it merge into one per Calendly scope.

The database is taken back to 0001, two site users' duplicate subscriptions for the same Calendly
user are made at the simulator and stored as the old code stored them, then the migration runs:
one row is left, shared by both connections and holding every delivery, and the next heal deletes
the extra subscription at Calendly.
"""

from __future__ import annotations

import pytest
from django.db import connection as db_connection
from django.db.migrations.executor import MigrationExecutor

from calendly_integration.models import WebhookDelivery, WebhookSubscription
from calendly_integration.oauth.tokens import client_for_connection
from calendly_integration.webhooks import callback_tokens
from calendly_integration.webhooks.subscriptions import (
    callback_url,
    ensure_subscriptions,
    events_for,
)
from tests.calendly_helpers import make_oauth_connection

APP = "calendly_integration"
BEFORE = [(APP, "0001_initial")]


def remote_uris(sim) -> set[str]:
    with sim.store.lock:
        return {hook["uri"] for hook in sim.store.webhooks.values()}


@pytest.mark.django_db(transaction=True)
def test_duplicates_merge_into_one_shared_subscription_and_the_heal_deletes_the_extra(
    sim, owner, other_user, calendly, recorder
):
    calendly(PUBLIC_BASE_URL=recorder.url)
    first, second = make_oauth_connection(sim, owner), make_oauth_connection(sim, other_user)
    WebhookSubscription.objects.all().delete()
    with sim.store.lock:
        sim.store.webhooks.clear()
    executor = MigrationExecutor(db_connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    OldSubscription = old.get_model(APP, "WebhookSubscription")
    OldDelivery = old.get_model(APP, "WebhookDelivery")
    rows = []
    for connection in (first, second):  # what the old code made: one per connection
        token = callback_tokens.issue()
        with client_for_connection(connection.pk) as client:
            hook = client.create_webhook_subscription(
                url=callback_url(token),
                events=events_for("user"),
                organization=sim.organization_uri,
                scope="user",
                user=sim.owner.uri,
            )
        rows.append(
            OldSubscription.objects.create(
                connection_id=connection.pk,
                token=token,
                callback_url=callback_url(token),
                scope="user",
                state="active",
                uri=hook["uri"],
                organization_uri=sim.organization_uri,
                user_uri=sim.owner.uri,
            )
        )
    OldDelivery.objects.create(subscription_id=rows[1].pk, event="invitee.created", body=b"{}")
    assert len(remote_uris(sim)) == 2

    executor = MigrationExecutor(db_connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    [kept] = WebhookSubscription.objects.all()
    assert kept.pk == rows[0].pk
    assert set(kept.connections.all()) == {first, second}
    assert WebhookDelivery.objects.get().subscription_id == kept.pk

    ensure_subscriptions(second)

    assert remote_uris(sim) == {kept.uri}
