"""Connection actions: sync now (queued), ensure webhooks, refresh the token, disconnect."""

from __future__ import annotations

import pytest

from calendly_integration.models import Connection, SyncState, WebhookSubscription
from calendly_integration.queueing import RUN_SYNC as SYNC_TASK
from tests.admin.helpers import messages_of, run_action
from tests.calendly_helpers import make_oauth_connection, queued_tasks

pytestmark = pytest.mark.django_db


def test_sync_now_queues_one_sync_per_active_connection(admin_client, sim, connect):
    active = connect()
    other = connect(sim.members[0])
    broken = connect(sim.admin)
    Connection.objects.filter(pk=broken.pk).update(status=Connection.Status.NEEDS_REAUTH)
    before = queued_tasks()

    response = run_action(admin_client, Connection, "sync_now", [active, other, broken])

    queued = queued_tasks() - before
    assert {task: n for task, n in queued.items() if task[0] == SYNC_TASK} == {
        (SYNC_TASK, (active.pk,)): 1,
        (SYNC_TASK, (other.pk,)): 1,
    }
    found = messages_of(response)
    assert ("success", "Sync now (queued): 2 done, 1 skipped, 0 failed.") in found
    broken.refresh_from_db()
    assert (
        "warning",
        f"{broken} — Skipped: it needs reconnecting: its owner must reconnect Calendly.",
    ) in found


def test_sync_now_skips_a_connection_whose_sync_is_running(admin_client, sim, connect):
    from datetime import timedelta

    from django.utils import timezone

    connection = connect()
    SyncState.objects.create(
        connection=connection, locked_until=timezone.now() + timedelta(minutes=5)
    )
    before = queued_tasks()

    response = run_action(admin_client, Connection, "sync_now", [connection])

    assert (SYNC_TASK, (connection.pk,)) not in queued_tasks() - before
    assert (
        "warning",
        f"{connection} — Skipped: a sync of it is running right now.",
    ) in messages_of(response)


def test_ensure_webhooks_creates_the_subscriptions_at_calendly(admin_client, sim, connect):
    connection = connect()

    response = run_action(admin_client, Connection, "ensure_webhook_subscriptions", [connection])

    subscription = WebhookSubscription.objects.get(connection=connection)
    assert subscription.state == "active"
    remote = sim.get(subscription.uri)
    assert remote["state"] == "active"
    assert remote["callback_url"] == subscription.callback_url
    assert ("success", f"{connection} — Done: 1 subscription (User: Active).") in messages_of(
        response
    )


def test_ensure_webhooks_without_a_public_url_says_what_to_set(
    admin_client, sim, connect, settings
):
    connection = connect()
    settings.CALENDLY = {**settings.CALENDLY, "PUBLIC_BASE_URL": ""}

    response = run_action(admin_client, Connection, "ensure_webhook_subscriptions", [connection])

    found = messages_of(response)
    assert any("PUBLIC_BASE_URL" in text and level == "error" for level, text in found), found
    assert not WebhookSubscription.objects.exists()


def test_ensure_webhooks_without_the_scope_says_which_to_grant(admin_client, sim, connect):
    connection = connect(scopes="users:read organizations:read")
    Connection.objects.filter(pk=connection.pk).update(scopes="users:read organizations:read")

    response = run_action(admin_client, Connection, "ensure_webhook_subscriptions", [connection])

    found = messages_of(response)
    assert (
        "error",
        f"{connection} — Failed: Reconnect Calendly and grant webhooks:read, webhooks:write.",
    ) in found


def test_refresh_token_gets_a_new_pair_and_skips_personal_tokens(
    admin_client, sim, connect, superuser
):
    oauth = make_oauth_connection(sim, superuser)
    old_token = Connection.objects.get(pk=oauth.pk).access_token
    pat = connect(sim.members[0])
    refreshes = sim.refresh_count

    response = run_action(admin_client, Connection, "refresh_token", [oauth, pat])

    assert sim.refresh_count == refreshes + 1
    oauth.refresh_from_db()
    assert oauth.access_token != old_token
    assert oauth.status == Connection.Status.ACTIVE
    found = messages_of(response)
    assert any(
        level == "success" and text.startswith(f"{oauth} — Done: refreshed; expires")
        for level, text in found
    )
    assert (
        "warning",
        f"{pat} — Skipped: a personal access token does not expire and cannot be refreshed.",
    ) in found


def test_disconnect_revokes_at_calendly_after_confirmation(admin_client, sim, superuser):
    connection = make_oauth_connection(sim, superuser)
    page = admin_client.get(
        admin_client.post(
            "/admin/calendly_integration/connection/",
            {"action": "disconnect_selected", "_selected_action": [connection.pk], "index": 0},
        )["Location"]
    )
    assert "Will be disconnected and its tokens revoked." in page.content.decode()
    assert Connection.objects.get(pk=connection.pk).status == Connection.Status.ACTIVE

    response = run_action(admin_client, Connection, "disconnect_selected", [connection])

    connection.refresh_from_db()
    assert connection.status == Connection.Status.REVOKED
    assert len([r for r in sim.requests if r.path == "/oauth/revoke"]) == 2
    assert (
        "success",
        "Disconnect (revoke the tokens at Calendly): 1 done, 0 skipped, 0 failed.",
    ) in messages_of(response)


def test_disconnecting_twice_skips_the_second_time(admin_client, sim, connect):
    connection = connect()
    run_action(admin_client, Connection, "disconnect_selected", [connection])

    response = run_action(admin_client, Connection, "disconnect_selected", [connection])

    connection.refresh_from_db()
    assert ("warning", f"{connection} — Skipped: already disconnected.") in messages_of(response)
