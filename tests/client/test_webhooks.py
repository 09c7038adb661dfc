"""Webhook subscriptions: create, list, get, delete, and the 409 for a duplicate URL."""

import pytest

from calendly_integration.client import Conflict, NotFound
from tests.client.helpers import api_requests, uuid_of

EVENTS = ["invitee.created", "invitee.canceled"]


def test_create_a_user_scope_subscription_with_its_own_signing_key(client, sim):
    subscription = client.create_webhook_subscription(
        url="https://hooks.example.com/calendly/abc",
        events=EVENTS,
        organization=sim.organization_uri,
        scope="user",
        user=sim.owner.uri,
        signing_key="my-own-signing-key",
    )

    assert subscription["callback_url"] == "https://hooks.example.com/calendly/abc"
    assert subscription["scope"] == "user"
    assert sorted(subscription["events"]) == sorted(EVENTS)
    assert api_requests(sim, "/webhook_subscriptions")[-1].json == {
        "url": "https://hooks.example.com/calendly/abc",
        "events": EVENTS,
        "organization": sim.organization_uri,
        "scope": "user",
        "user": sim.owner.uri,
        "signing_key": "my-own-signing-key",
    }


def test_list_get_and_delete_organization_subscriptions(client, sim):
    created = client.create_webhook_subscription(
        url="https://hooks.example.com/calendly/org",
        events=[*EVENTS, "routing_form_submission.created"],
        organization=sim.organization_uri,
        scope="organization",
    )

    listed = list(
        client.list_webhook_subscriptions(organization=sim.organization_uri, scope="organization")
    )
    assert created["uri"] in [s["uri"] for s in listed]
    assert api_requests(sim, "/webhook_subscriptions")[-1].query == {
        "organization": [sim.organization_uri],
        "scope": ["organization"],
        "count": ["100"],
    }

    assert client.get_webhook_subscription(created["uri"])["state"] == "active"
    assert client.get_webhook_subscription(uuid_of(created["uri"]))["uri"] == created["uri"]

    assert client.delete_webhook_subscription(created["uri"]) is None
    with pytest.raises(NotFound):
        client.get_webhook_subscription(created["uri"])


def test_list_user_scope_subscriptions_sends_the_user(client, sim):
    list(
        client.list_webhook_subscriptions(
            organization=sim.organization_uri, scope="user", user=sim.owner.uri
        )
    )

    assert api_requests(sim, "/webhook_subscriptions")[-1].query["user"] == [sim.owner.uri]


def test_a_second_subscription_for_the_same_url_is_a_conflict(client, sim):
    options = {
        "url": "https://hooks.example.com/calendly/dup",
        "events": EVENTS,
        "organization": sim.organization_uri,
        "scope": "organization",
    }
    client.create_webhook_subscription(**options)

    with pytest.raises(Conflict) as caught:
        client.create_webhook_subscription(**options)

    assert caught.value.status == 409
    assert caught.value.title
    assert len(api_requests(sim, "/webhook_subscriptions")) == 2
