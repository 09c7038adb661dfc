"""Subscriptions per connection: created once, adopted, healed, deleted; hooked to connect/disconnect."""

from __future__ import annotations

import pytest

from calendly_integration.client import CalendlyClient
from calendly_integration.models import Connection, SyncRun, WebhookSubscription
from calendly_integration.oauth.connect import save_connection
from calendly_integration.oauth.disconnect import disconnect
from calendly_integration.tasks import ensure_webhook_schedules
from calendly_integration.webhooks import callback_tokens
from calendly_integration.webhooks.signature import verify_signature
from calendly_integration.webhooks.subscriptions import (
    WebhooksNotConfigured,
    callback_url,
    check_all_subscriptions,
    delete_subscriptions,
    ensure_subscriptions,
)
from tests.calendly_helpers import make_oauth_connection

from .conftest import book

pytestmark = pytest.mark.django_db

DEFAULT_EVENTS = [
    "invitee.created",
    "invitee.canceled",
    "invitee_no_show.created",
    "invitee_no_show.deleted",
]


@pytest.fixture
def public(calendly, recorder):
    calendly(PUBLIC_BASE_URL=recorder.url)
    return recorder


@pytest.fixture
def connection(sim, owner, public) -> Connection:
    return make_oauth_connection(sim, owner)


def remote(sim) -> list[dict]:
    with sim.store.lock:
        return [dict(hook) for hook in sim.store.webhooks.values()]


def creates(sim) -> int:
    return sum(1 for r in sim.requests if r.method == "POST" and r.path == "/webhook_subscriptions")


def test_ensure_creates_a_user_scope_subscription_to_our_callback_url(sim, connection):
    [subscription] = ensure_subscriptions(connection)

    [hook] = remote(sim)
    assert subscription.uri == hook["uri"]
    assert subscription.state == "active"
    assert subscription.scope == hook["scope"] == "user"
    assert hook["user"] == sim.owner.uri
    assert hook["organization"] == sim.organization_uri
    assert hook["callback_url"] == subscription.callback_url == callback_url(subscription.token)
    assert sorted(hook["events"]) == sorted(DEFAULT_EVENTS)
    assert subscription.organization.uri == sim.organization_uri
    assert subscription.encrypted_signing_key == ""  # OAuth: the app's key signs


def test_ensure_is_idempotent(sim, connection):
    first = ensure_subscriptions(connection)
    sim.clear_requests()
    second = ensure_subscriptions(connection)

    assert [s.pk for s in first] == [s.pk for s in second]
    assert creates(sim) == 0
    assert len(remote(sim)) == 1


def test_a_create_whose_answer_was_lost_is_adopted(sim, connection):
    [subscription] = ensure_subscriptions(connection)
    uri = subscription.uri
    # As if Calendly made it but the answer never reached us: our row is still pending.
    WebhookSubscription.objects.filter(pk=subscription.pk).update(uri=None, state="pending")
    sim.clear_requests()

    [adopted] = ensure_subscriptions(connection)

    assert adopted.uri == uri
    assert adopted.state == "active"
    assert creates(sim) == 0


def test_organization_scope_for_admins_when_asked(sim, connection, calendly):
    calendly(WEBHOOK_ORGANIZATION_SCOPE=True)
    subscriptions = ensure_subscriptions(connection)

    assert sorted(s.scope for s in subscriptions) == ["organization", "user"]
    org = next(s for s in subscriptions if s.scope == "organization")
    assert "routing_form_submission.created" in org.events
    assert len(remote(sim)) == 2


def test_members_get_only_user_scope(sim, owner, public, calendly):
    calendly(WEBHOOK_ORGANIZATION_SCOPE=True)
    member = make_oauth_connection(sim, owner, user_uri=sim.members[0].uri)
    assert [s.scope for s in ensure_subscriptions(member)] == ["user"]


def test_turning_organization_scope_off_deletes_that_subscription(sim, connection, calendly):
    calendly(WEBHOOK_ORGANIZATION_SCOPE=True)
    ensure_subscriptions(connection)
    calendly(WEBHOOK_ORGANIZATION_SCOPE=False)
    ensure_subscriptions(connection)
    assert [h["scope"] for h in remote(sim)] == ["user"]
    assert list(WebhookSubscription.objects.values_list("scope", flat=True)) == ["user"]


def test_changed_events_recreate_the_subscription(sim, connection, calendly):
    [before] = ensure_subscriptions(connection)
    calendly(WEBHOOK_EVENTS=["invitee.created"])
    [after] = ensure_subscriptions(connection)
    assert after.pk == before.pk and after.token == before.token
    [hook] = remote(sim)
    assert hook["events"] == ["invitee.created"]
    assert hook["uri"] != before.uri


def test_a_subscription_that_vanished_is_recreated_and_a_sync_fills_the_gap(sim, connection):
    [subscription] = ensure_subscriptions(connection)
    with CalendlyClient.from_settings(connection.access_token) as client:
        client.delete_webhook_subscription(subscription.uri)

    [healed] = ensure_subscriptions(connection)

    assert healed.uri != subscription.uri
    assert healed.recreated_count == 1
    assert [h["uri"] for h in remote(sim)] == [healed.uri]
    assert SyncRun.objects.filter(connection=connection).exists()


def subscribe_elsewhere(connection: Connection, sim, url: str) -> None:
    """Make a subscription at Calendly behind our back (as another site or an old database did)."""
    with CalendlyClient.from_settings(connection.access_token) as client:
        client.create_webhook_subscription(
            url=url,
            events=["invitee.created"],
            organization=sim.organization_uri,
            scope="user",
            user=sim.owner.uri,
        )


def test_orphans_this_site_made_are_deleted(sim, connection):
    """A database reset or restored forgot a subscription this site made: the check deletes it
    (its token carries this site's signature), and leaves other receivers' alone."""
    [forgotten] = ensure_subscriptions(connection)
    WebhookSubscription.objects.all().delete()
    subscribe_elsewhere(connection, sim, "https://elsewhere.example/hook")

    [subscription] = ensure_subscriptions(connection)

    assert subscription.callback_url != forgotten.callback_url
    urls = sorted(h["callback_url"] for h in remote(sim))
    assert urls == sorted([subscription.callback_url, "https://elsewhere.example/hook"])


def test_another_sites_subscription_to_the_same_base_url_survives(sim, connection, settings):
    """Two sites (say production and a staging copy) with the same PUBLIC_BASE_URL and Calendly
    user: neither takes the other's subscription for an orphan."""
    ours_key = settings.SECRET_KEY
    settings.SECRET_KEY = "the-other-sites-own-secret-key-0123456789-abcdefghijklmnop"
    theirs = callback_url(callback_tokens.issue())
    settings.SECRET_KEY = ours_key
    subscribe_elsewhere(connection, sim, theirs)
    subscribe_elsewhere(connection, sim, callback_url("token-made-before-tokens-were-signed"))

    [subscription] = ensure_subscriptions(connection)
    ensure_subscriptions(connection)

    urls = {h["callback_url"] for h in remote(sim)}
    assert urls == {
        subscription.callback_url,
        theirs,
        callback_url("token-made-before-tokens-were-signed"),
    }


def test_a_rotated_secret_key_still_knows_its_own_tokens(settings):
    token = callback_tokens.issue()
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-newer-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
    assert callback_tokens.is_ours(token)
    settings.SECRET_KEY_FALLBACKS = []
    assert not callback_tokens.is_ours(token)


def test_delete_removes_them_at_calendly_and_here(sim, connection):
    ensure_subscriptions(connection)
    assert delete_subscriptions(connection) == 1
    assert remote(sim) == []
    assert not WebhookSubscription.objects.exists()


def test_disconnecting_deletes_them(sim, connection):
    ensure_subscriptions(connection)
    disconnect(connection)
    assert remote(sim) == []
    assert not WebhookSubscription.objects.exists()


def test_connecting_subscribes_when_the_site_has_a_public_url(
    sim, owner, public, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        connection = make_oauth_connection(sim, owner)
    [hook] = remote(sim)
    assert WebhookSubscription.objects.get(connection=connection).uri == hook["uri"]


def test_connecting_does_nothing_without_a_public_url(
    sim, owner, calendly, django_capture_on_commit_callbacks
):
    calendly(PUBLIC_BASE_URL="")
    with django_capture_on_commit_callbacks(execute=True):
        connection = make_oauth_connection(sim, owner)
    assert remote(sim) == []
    with pytest.raises(WebhooksNotConfigured):
        ensure_subscriptions(connection)


def test_connecting_without_the_webhook_scopes_does_nothing(
    sim, owner, public, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_oauth_connection(sim, owner, scopes="users:read scheduled_events:read")
    assert remote(sim) == []


def test_a_personal_access_token_subscription_is_signed_with_our_own_key(sim, owner, public):
    token = sim.create_token()
    with CalendlyClient.from_settings(token) as client:
        profile = client.get_current_user()
    connection = save_connection(
        owner=owner, kind=Connection.Kind.PAT, profile=profile, access_token=token
    )
    [subscription] = ensure_subscriptions(connection)
    assert subscription.signing_key
    assert subscription.signing_key not in subscription.encrypted_signing_key

    book(sim)
    assert sim.wait_for_deliveries(10)
    [request] = public.requests
    signature = request["headers"]["Calendly-Webhook-Signature"]
    assert verify_signature(request["body"], signature, subscription.signing_key)
    assert not verify_signature(request["body"], signature, sim.webhook_signing_key)


def test_the_periodic_check_ensures_every_active_connection(sim, owner, public):
    first = make_oauth_connection(sim, owner)
    second = make_oauth_connection(sim, owner, user_uri=sim.members[0].uri)
    Connection.objects.filter(pk=second.pk).update(status=Connection.Status.NEEDS_REAUTH)

    assert check_all_subscriptions() == 1
    assert [s.connection_id for s in WebhookSubscription.objects.all()] == [first.pk]


def test_schedules_are_created_once():
    first = ensure_webhook_schedules()
    second = ensure_webhook_schedules()
    assert [created for _, created in first] == [True, True, True]
    assert [created for _, created in second] == [False, False, False]
    assert {s.func for s, _ in second} == {
        "calendly_integration.tasks.retry_failed_webhook_deliveries",
        "calendly_integration.tasks.check_webhook_subscriptions",
        "calendly_integration.tasks.prune_webhook_deliveries",
    }


def test_a_connection_that_needs_reconnecting_is_refused_and_forgotten_on_delete(sim, connection):
    from calendly_integration.oauth.errors import NeedsReauth

    ensure_subscriptions(connection)
    Connection.objects.filter(pk=connection.pk).update(status=Connection.Status.NEEDS_REAUTH)
    with pytest.raises(NeedsReauth):
        ensure_subscriptions(connection)
    assert delete_subscriptions(connection) == 1  # Calendly cannot be asked; ours goes anyway
    assert not WebhookSubscription.objects.exists()


def test_a_subscription_staff_deleted_on_purpose_is_not_healed_until_ensured_again(sim, connection):
    from calendly_integration.services.webhooks import delete_subscription
    from calendly_integration.tasks import ensure_webhook_subscriptions

    [subscription] = ensure_subscriptions(connection)
    delete_subscription(subscription)
    assert remote(sim) == []

    # Neither the periodic check nor a queued ensure brings it back.
    assert check_all_subscriptions() == 0
    assert ensure_webhook_subscriptions(connection.pk) == []
    assert remote(sim) == []
    assert not WebhookSubscription.objects.exists()
    connection.refresh_from_db()
    assert connection.webhooks_paused_at is not None

    # An explicit ensure (the command, the API, the admin) does, and the heal resumes.
    [again] = ensure_subscriptions(connection)
    assert [h["uri"] for h in remote(sim)] == [again.uri]
    connection.refresh_from_db()
    assert connection.webhooks_paused_at is None
    assert check_all_subscriptions() == 1


def test_deleting_the_organization_subscription_still_heals_the_user_one(sim, connection, calendly):
    from calendly_integration.services.webhooks import delete_subscription
    from calendly_integration.tasks import ensure_webhook_subscriptions

    calendly(WEBHOOK_ORGANIZATION_SCOPE=True)
    subscriptions = {s.scope: s for s in ensure_subscriptions(connection)}
    assert set(subscriptions) == {"organization", "user"}
    delete_subscription(subscriptions["organization"])
    with sim.store.lock:  # Calendly gives up on the user subscription
        sim.store.webhooks[subscriptions["user"].uri.rsplit("/", 1)[1]]["state"] = "disabled"

    assert check_all_subscriptions() == 1
    [healed_uri] = ensure_webhook_subscriptions(connection.pk)

    healed = WebhookSubscription.objects.get(connection=connection)
    assert (healed.scope, healed.state, healed.uri) == ("user", "active", healed_uri)
    assert healed_uri != subscriptions["user"].uri
    assert [(h["scope"], h["state"]) for h in remote(sim)] == [("user", "active")]
    connection.refresh_from_db()
    assert connection.webhooks_paused_scopes == ["organization"]

    # Deleting the user one too leaves nothing for the periodic check to do.
    delete_subscription(healed)
    assert check_all_subscriptions() == 0
    connection.refresh_from_db()
    assert connection.webhooks_paused_scopes == ["organization", "user"]


def test_the_delete_command_pauses_the_heal_and_the_ensure_command_lifts_it(sim, connection):
    from django.core.management import call_command

    ensure_subscriptions(connection)
    call_command("calendly_webhooks", "delete", "--connection", str(connection.pk))
    assert check_all_subscriptions() == 0
    assert remote(sim) == []

    call_command("calendly_webhooks", "ensure", "--connection", str(connection.pk))
    assert len(remote(sim)) == 1
    assert check_all_subscriptions() == 1


def test_a_rate_limited_ensure_task_runs_again_when_calendlys_window_resets(sim, connection):
    from django.utils import timezone
    from django_q.models import Schedule

    from calendly_integration.queueing import ENSURE_WEBHOOKS
    from calendly_integration.tasks import ensure_webhook_subscriptions

    sim.faults.rate_limit_next(1, retry_after=45)

    result = ensure_webhook_subscriptions(connection.pk)

    assert result["status"] == "rate_limited"
    schedule = Schedule.objects.get()
    assert (schedule.func, schedule.args, schedule.schedule_type) == (
        ENSURE_WEBHOOKS,
        f"({connection.pk},)",
        Schedule.ONCE,
    )
    assert 35 < (schedule.next_run - timezone.now()).total_seconds() <= 46
    assert remote(sim) == []

    sim.faults.rate_limit_next(1, retry_after=90)
    ensure_webhook_subscriptions(connection.pk)
    assert Schedule.objects.count() == 1, "one retry per task and arguments, moved"
    assert (Schedule.objects.get().next_run - timezone.now()).total_seconds() > 80

    [uri] = ensure_webhook_subscriptions(connection.pk)  # what the schedule runs
    assert [h["uri"] for h in remote(sim)] == [uri]


def test_a_rate_limit_on_the_role_check_keeps_the_organization_subscription(
    sim, connection, calendly
):
    from calendly_integration.client import RateLimited

    calendly(WEBHOOK_ORGANIZATION_SCOPE=True)
    ensure_subscriptions(connection)
    sim.faults.rate_limit_next(1, retry_after=45)  # the memberships call: who is an admin

    with pytest.raises(RateLimited):
        ensure_subscriptions(connection)

    scopes = sorted(WebhookSubscription.objects.values_list("scope", flat=True))
    assert scopes == ["organization", "user"]
    assert sorted(h["scope"] for h in remote(sim)) == ["organization", "user"]
