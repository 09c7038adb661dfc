"""One Calendly account connected by two site users: one subscription per Calendly scope.

Calendly delivers an event once per matching subscription, so a subscription per site connection
made every booking arrive twice. These tests connect the simulator's owner for two site users and
check, over real HTTP, that the simulator holds one subscription per scope, that a booking is
delivered and processed once and shows once in each user's feed, and that the subscription lives
until the last of the two disconnects.
"""

from __future__ import annotations

import threading
from io import StringIO

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.db import connection as db_connection
from django.db import connections
from django.test import Client
from django.urls import reverse

from calendly_integration.models import Connection, WebhookDelivery, WebhookSubscription
from calendly_integration.oauth.connect import connect_personal_access_token
from calendly_integration.oauth.disconnect import disconnect
from calendly_integration.services.webhooks import delete_subscription
from calendly_integration.webhooks.subscriptions import (
    check_all_subscriptions,
    ensure_subscriptions,
)
from tests.calendly_helpers import login_with_calendly, make_oauth_connection

from .conftest import book, names


def remote(sim) -> list[dict]:
    with sim.store.lock:
        return [dict(hook) for hook in sim.store.webhooks.values()]


def creates(sim) -> int:
    return sum(1 for r in sim.requests if r.method == "POST" and r.path == "/webhook_subscriptions")


def feed_rows(user) -> list:
    client = Client()
    client.force_login(user)
    page = client.get("/dashboard/activity/")
    assert page.status_code == 200
    return page.context["rows"]


@pytest.fixture
def both(sim, owner, other_user, calendly, recorder) -> tuple[Connection, Connection]:
    """Olivia and Mallory both connected the simulator's owner; Calendly delivers to a recorder."""
    calendly(PUBLIC_BASE_URL=recorder.url, WEBHOOK_ORGANIZATION_SCOPE=True)
    return make_oauth_connection(sim, owner), make_oauth_connection(sim, other_user)


@pytest.mark.django_db
def test_two_connections_of_one_calendly_user_share_one_subscription_per_scope(sim, both):
    first, second = both
    ensured_first = ensure_subscriptions(first)
    ensured_second = ensure_subscriptions(second)

    assert sorted(h["scope"] for h in remote(sim)) == ["organization", "user"]
    assert creates(sim) == 2
    assert sorted(s.pk for s in ensured_first) == sorted(s.pk for s in ensured_second)
    for subscription in WebhookSubscription.objects.all():
        assert set(subscription.connections.all()) == {first, second}
        assert subscription.connection == first  # the first to make it manages it
    assert WebhookSubscription.objects.count() == 2


@pytest.mark.django_db
def test_each_user_sees_the_shared_subscriptions_and_a_stranger_does_not(
    sim, both, owner, other_user, django_user_model
):
    for connection in both:
        ensure_subscriptions(connection)
    stranger = django_user_model.objects.create_user("eve", "eve@example.com", "pw")

    assert WebhookSubscription.objects.visible_to(owner).count() == 2
    assert WebhookSubscription.objects.visible_to(other_user).count() == 2
    assert not WebhookSubscription.objects.visible_to(stranger).exists()


@pytest.mark.django_db
def test_disconnecting_one_keeps_the_subscriptions_and_the_last_one_deletes_them(sim, both):
    first, second = both
    for connection in both:
        ensure_subscriptions(connection)

    disconnect(first)

    assert len(remote(sim)) == 2
    for subscription in WebhookSubscription.objects.all():
        assert list(subscription.connections.all()) == [second]
        assert subscription.connection == second  # the one left manages them now

    disconnect(second)

    assert remote(sim) == []
    assert not WebhookSubscription.objects.exists()


@pytest.mark.django_db
def test_deleting_the_managing_connection_hands_the_subscription_over(sim, both, owner):
    _, second = both
    for connection in both:
        ensure_subscriptions(connection)

    owner.delete()  # the site user goes, and their connection with them, without a disconnect

    for subscription in WebhookSubscription.objects.all():
        assert subscription.connection == second
        assert list(subscription.connections.all()) == [second]
    assert len(remote(sim)) == 2


@pytest.mark.django_db
def test_heal_recreates_a_vanished_subscription_once(sim, both):
    first, second = both
    for connection in both:
        ensure_subscriptions(connection)
    with sim.store.lock:
        sim.store.webhooks.clear()  # gone at Calendly, as if deleted there
    sim.clear_requests()

    ensure_subscriptions(second)
    ensure_subscriptions(first)

    assert sorted(h["scope"] for h in remote(sim)) == ["organization", "user"]
    assert creates(sim) == 2
    for subscription in WebhookSubscription.objects.all():
        assert subscription.recreated_count == 1
        assert subscription.uri in {h["uri"] for h in remote(sim)}
        assert subscription.connection == second  # it made them again, so it manages them


@pytest.mark.django_db
def test_the_periodic_check_of_both_connections_creates_nothing_more(sim, both, settings):
    for connection in both:
        ensure_subscriptions(connection)
    sim.clear_requests()

    assert check_all_subscriptions() == 2  # queued ensures run inline here

    assert creates(sim) == 0
    assert len(remote(sim)) == 2


@pytest.mark.django_db
def test_a_member_leaving_the_organization_scope_keeps_it_for_the_admin(sim, both, calendly):
    first, second = both
    for connection in both:
        ensure_subscriptions(connection)
    organization = WebhookSubscription.objects.get(scope="organization")
    with sim.store.lock:  # the second one's Calendly user is no longer an admin
        for membership in sim.store.memberships.values():
            if membership["user"]["uri"] == sim.owner.uri:
                membership["role"] = "user"
    ensure_subscriptions(second)
    organization.refresh_from_db()

    assert list(organization.connections.all()) == [first]
    assert len(remote(sim)) == 2


@pytest.mark.django_db
def test_a_shared_subscription_deleted_on_purpose_stays_deleted_for_every_sharer(sim, both):
    for connection in both:
        ensure_subscriptions(connection)
    user = WebhookSubscription.objects.get(scope="user")

    delete_subscription(user)  # acts through the managing connection
    sim.clear_requests()
    check_all_subscriptions()  # neither connection's heal brings it back

    assert creates(sim) == 0
    assert [h["scope"] for h in remote(sim)] == ["organization"]
    for connection in both:
        connection.refresh_from_db()
        assert connection.webhooks_paused_scopes == ["user"]


@pytest.mark.django_db
def test_the_delete_command_finds_a_subscription_through_a_connection_sharing_it(sim, both):
    _, second = both
    for connection in both:
        ensure_subscriptions(connection)

    call_command("calendly_webhooks", "delete", "--connection", str(second.pk), stdout=StringIO())

    assert remote(sim) == []
    assert not WebhookSubscription.objects.exists()


# End to end: the simulator delivers to a live server.


@pytest.mark.django_db(transaction=True)
def test_a_booking_is_delivered_processed_and_shown_once_for_each_user(
    sim, calendly, live_server, owner, other_user, signal_log
):
    calendly(PUBLIC_BASE_URL=live_server.url)
    make_oauth_connection(sim, owner)  # subscribes, through connection_connected
    make_oauth_connection(sim, other_user)
    assert len(remote(sim)) == 1

    invitee_uri = book(sim, name="Grace Hopper")
    assert sim.wait_for_deliveries(15)

    assert [(d.event, d.status_code) for d in sim.deliveries] == [("invitee.created", 200)]
    [delivery] = WebhookDelivery.objects.all()
    assert (delivery.status, delivery.payload_uri) == ("processed", invitee_uri)
    assert names(signal_log) == ["invitee_created"]
    for user in (owner, other_user):
        [row] = feed_rows(user)
        assert (row.delivery.pk, row.who) == (delivery.pk, "Grace Hopper")


@pytest.mark.django_db
def test_the_feed_shows_the_first_delivery_for_a_duplicate_from_another_subscription(
    sim, both, owner, other_user
):
    """An event that reached us through the organization's subscription first and through a
    user's subscription second is one row in that user's feed, even when they do not share the
    organization subscription."""
    _, second = both
    for connection in both:
        ensure_subscriptions(connection)
    organization = WebhookSubscription.objects.get(scope="organization")
    user = WebhookSubscription.objects.get(scope="user")
    organization.connections.remove(second)
    body = b'{"event": "invitee.created", "payload": {"name": "Ada"}}'
    original = WebhookDelivery.objects.create(
        subscription=organization, event="invitee.created", body=body, status="processed"
    )
    WebhookDelivery.objects.create(
        subscription=user,
        event="invitee.created",
        body=body,
        status="duplicate",
        duplicate_of=original,
    )

    for person in (owner, other_user):
        assert [row.delivery.pk for row in feed_rows(person)] == [original.pk]


# Connecting an account another site user already connected.


@pytest.mark.django_db
def test_connecting_an_account_someone_else_connected_is_allowed_with_a_notice(
    sim, owner, other_user, django_user_model
):
    connect_personal_access_token(owner, sim.create_token())
    client = Client()
    client.force_login(other_user)

    response = client.post(
        reverse("calendly_integration:connect_token"), {"token": sim.create_token()}, follow=True
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "also connected by another user of this site" in page
    assert "olivia" not in page  # who is theirs to tell
    assert Connection.objects.filter(calendly_user_uri=sim.owner.uri).count() == 2

    staff = django_user_model.objects.create_user("sam", "sam@example.com", "pw", is_staff=True)
    client.force_login(staff)
    response = client.post(
        reverse("calendly_integration:connect_token"), {"token": sim.create_token()}, follow=True
    )
    assert "also connected by mallory, olivia" in response.content.decode()


@pytest.mark.django_db
def test_signing_up_with_calendly_for_an_account_someone_connected_gives_the_notice(
    client, sim, other_user
):
    connect_personal_access_token(other_user, sim.create_token())

    response = login_with_calendly(client, sim)

    assert response.status_code == 302
    told = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("also connected by another user of this site" in m for m in told), told
    assert Connection.objects.filter(calendly_user_uri=sim.owner.uri).count() == 2


@pytest.mark.django_db
def test_no_notice_for_an_account_nobody_else_connected(sim, owner, other_user):
    connect_personal_access_token(owner, sim.create_token(user_uri=sim.admin.uri))
    client = Client()
    client.force_login(other_user)

    response = client.post(
        reverse("calendly_integration:connect_token"), {"token": sim.create_token()}, follow=True
    )

    assert "also connected by" not in response.content.decode()


# Concurrency (PostgreSQL: each thread has its own database connection and row locks).


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_ensures_of_the_two_connections_create_one_subscription_per_scope(
    sim, owner, other_user, calendly, recorder
):
    if db_connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite's in-memory test database has one connection")
    calendly(PUBLIC_BASE_URL=recorder.url, WEBHOOK_ORGANIZATION_SCOPE=True)
    pair = [make_oauth_connection(sim, owner), make_oauth_connection(sim, other_user)]
    WebhookSubscription.objects.all().delete()  # whatever connecting queued; start from nothing
    with sim.store.lock:
        sim.store.webhooks.clear()
    sim.clear_requests()
    barrier = threading.Barrier(len(pair) * 2)
    errors: list[BaseException] = []

    def ensure(connection_id: int) -> None:
        try:
            barrier.wait(timeout=30)
            ensure_subscriptions(connection_id)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ensure, args=(c.pk,)) for c in pair for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(h["scope"] for h in remote(sim)) == ["organization", "user"]
    assert creates(sim) == 2
    assert WebhookSubscription.objects.count() == 2
    for subscription in WebhookSubscription.objects.all():
        assert set(subscription.connections.all()) == set(pair)
