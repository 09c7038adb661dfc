"""Webhook subscriptions (list, create, delete at Calendly and here) and deliveries (staff)."""

from __future__ import annotations

import json

import pytest

from calendly_integration.models import Invitee, WebhookDelivery, WebhookSubscription
from tests.api.conftest import API, api_client


@pytest.fixture
def subscribed(tenant):
    response = tenant.client("member").post(
        f"{API}/webhook-subscriptions/",
        {"connection": tenant.connections["member"].pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_create_subscribes_at_calendly_and_stores_the_subscription(tenant, subscribed):
    subscription = WebhookSubscription.objects.get(pk=subscribed["id"])
    assert subscribed["state"] == "active" and subscribed["scope"] == "user"
    assert subscription.uri and tenant.sim.get(subscription.uri)["state"] == "active"
    assert "callback_url" not in subscribed and subscription.token not in json.dumps(subscribed)


def test_creating_again_returns_the_same_subscription(tenant, subscribed):
    again = tenant.client("member").post(
        f"{API}/webhook-subscriptions/",
        {"connection": tenant.connections["member"].pk},
        format="json",
    )
    assert again.status_code == 201
    assert again.json()["id"] == subscribed["id"]
    assert WebhookSubscription.objects.count() == 1


def test_detail(tenant, subscribed):
    response = tenant.client("member").get(f"{API}/webhook-subscriptions/{subscribed['id']}/")
    assert response.status_code == 200
    assert response.json() == subscribed
    assert (
        tenant.client("owner").get(f"{API}/webhook-subscriptions/{subscribed['id']}/").status_code
        == 404
    )


def test_list_shows_your_connections_subscriptions(tenant, subscribed):
    assert [
        r["id"]
        for r in tenant.client("member").get(f"{API}/webhook-subscriptions/").json()["results"]
    ] == [subscribed["id"]]
    assert tenant.client("owner").get(f"{API}/webhook-subscriptions/").json()["results"] == []


def test_delete_removes_it_at_calendly_and_here(tenant, subscribed):
    uri = WebhookSubscription.objects.get(pk=subscribed["id"]).uri
    response = tenant.client("member").delete(f"{API}/webhook-subscriptions/{subscribed['id']}/")
    assert response.status_code == 204
    assert not WebhookSubscription.objects.exists()
    assert (
        tenant.client("member").get(f"{API}/webhook-subscriptions/{subscribed['id']}/").status_code
        == 404
    )
    deletes = [r for r in tenant.sim.requests if r.method == "DELETE"]
    assert deletes and uri.endswith(deletes[-1].path)


def test_create_needs_one_of_your_connections(tenant):
    response = tenant.client("member").post(
        f"{API}/webhook-subscriptions/",
        {"connection": tenant.connections["owner"].pk},
        format="json",
    )
    assert response.status_code == 404


def test_organization_scope_needs_the_setting(tenant):
    response = tenant.client("owner").post(
        f"{API}/webhook-subscriptions/",
        {"connection": tenant.connections["owner"].pk, "scope": "organization"},
        format="json",
    )
    assert response.status_code == 400
    assert "scope" in response.json()["errors"]


def test_without_a_public_url_webhooks_answer_409(tenant, settings):
    settings.CALENDLY = {**settings.CALENDLY, "PUBLIC_BASE_URL": ""}
    response = tenant.client("member").post(
        f"{API}/webhook-subscriptions/",
        {"connection": tenant.connections["member"].pk},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "webhooks_not_configured"


def stored_delivery(tenant, subscription: WebhookSubscription, status: str) -> WebhookDelivery:
    """A delivery as the receiver stores it: a real invitee.created envelope for a real invitee."""
    invitee = Invitee.objects.filter(event__hosts__user_uri=tenant.sim.members[0].uri).first()
    data = tenant.sim.get(invitee.uri)
    envelope = {
        "event": "invitee.created",
        "created_at": "2026-11-24T15:00:00.000000Z",
        "created_by": subscription.user_uri,
        "payload": {**data, "scheduled_event": tenant.sim.get(invitee.event.uri)},
    }
    return WebhookDelivery.objects.create(
        subscription=subscription,
        body=json.dumps(envelope).encode(),
        signature="valid",
        event="invitee.created",
        payload_uri=invitee.uri,
        status=status,
        attempts=1,
    )


def test_deliveries_are_for_staff_only(tenant, subscribed, staff):
    delivery = stored_delivery(
        tenant, WebhookSubscription.objects.get(pk=subscribed["id"]), "failed"
    )
    assert tenant.client("member").get(f"{API}/webhook-deliveries/").status_code == 403
    assert (
        tenant.client("member").post(f"{API}/webhook-deliveries/{delivery.pk}/replay/").status_code
        == 403
    )
    response = api_client(staff).get(f"{API}/webhook-deliveries/")
    assert response.status_code == 200
    row = response.json()["results"][0]
    assert row["id"] == delivery.pk and row["payload"]["event"] == "invitee.created"
    detail = api_client(staff).get(f"{API}/webhook-deliveries/{delivery.pk}/")
    assert detail.status_code == 200 and detail.json() == row


def test_staff_replay_processes_the_delivery_again(tenant, subscribed, staff):
    delivery = stored_delivery(
        tenant, WebhookSubscription.objects.get(pk=subscribed["id"]), "failed"
    )
    response = api_client(staff).post(f"{API}/webhook-deliveries/{delivery.pk}/replay/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "processed"
    assert response.json()["attempts"] == 2


def test_an_invalid_delivery_cannot_be_replayed(tenant, subscribed, staff):
    delivery = stored_delivery(
        tenant, WebhookSubscription.objects.get(pk=subscribed["id"]), "invalid"
    )
    response = api_client(staff).post(f"{API}/webhook-deliveries/{delivery.pk}/replay/")
    assert response.status_code == 409
    assert response.json()["code"] == "not_replayable"


def test_delivery_filters(tenant, subscribed, staff):
    subscription = WebhookSubscription.objects.get(pk=subscribed["id"])
    failed = stored_delivery(tenant, subscription, "failed")
    stored_delivery(tenant, subscription, "processed")
    client = api_client(staff)
    rows = client.get(f"{API}/webhook-deliveries/", {"status": "failed"}).json()["results"]
    assert [r["id"] for r in rows] == [failed.pk]
    assert client.get(f"{API}/webhook-deliveries/", {"received_after": "soon"}).status_code == 400


def test_a_connection_id_in_unicode_digits_is_refused(tenant):
    connection = tenant.connections["member"]
    arabic = str(connection.pk).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))

    response = tenant.client("member").post(
        f"{API}/webhook-subscriptions/",
        {"connection": arabic, "scope": "user"},
        format="json",
    )

    assert response.status_code == 400
    assert "connection" in response.json()["errors"]
    assert not WebhookSubscription.objects.filter(connections=connection).exists()
