"""Signals: what A's webhook deliveries and A's sync send carries only A's rows, and enough for a
receiver to tell which organization and connection it is about."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.dispatch import Signal

from calendly_integration import signals
from calendly_integration.models import Connection, Invitee, ScheduledEvent
from calendly_integration.sync import sync_connection
from tests.api.conftest import connect
from tests.calendly_helpers import recording_signals

pytestmark = pytest.mark.django_db

SIGNAL_NAMES = [name for name, value in vars(signals).items() if isinstance(value, Signal)]


@pytest.fixture
def sent() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Every signal of the app sent during the test: (name, kwargs)."""
    with recording_signals(SIGNAL_NAMES) as log:
        yield log


def organization_uris_in(value: Any) -> set[str]:
    """The organizations a signal argument belongs to (a model row, a delivery, a dict)."""
    found: set[str] = set()
    if isinstance(value, Connection):
        found.add(value.organization_uri)
    organization = getattr(value, "organization", None)
    if organization is not None and hasattr(organization, "uri"):
        found.add(organization.uri)
    subscription = getattr(value, "subscription", None)
    if subscription is not None:
        found.add(subscription.connection.organization_uri)
    return found


def test_a_deliveries_send_only_a_rows(orgs, webhooks, sent):
    webhooks.book(orgs.a, "Ada Alpha")
    assert webhooks.deliver(orgs.a)
    assert sent
    b_uris = orgs.uris_of(orgs.b)
    for name, kwargs in sent:
        seen: set[str] = set()
        for value in kwargs.values():
            seen |= organization_uris_in(value)
        assert seen == {orgs.a.uri}, (name, seen)
        text = repr(kwargs.get("payload", ""))
        assert not [uri for uri in b_uris if uri in text], name
        assert signals.organization_uri_of(**kwargs) == orgs.a.uri, name
    assert {name for name, _ in sent} >= {"invitee_created", "webhook_received"}


def test_b_deliveries_are_told_apart_by_a_receiver_scoped_to_a(orgs, webhooks, sent):
    """A receiver that keeps only A's signals (with ``organization_uri_of``) gets none of B's."""
    webhooks.book(orgs.b, "Bo Beta")
    assert webhooks.deliver(orgs.b)
    assert sent
    for name, kwargs in sent:
        assert signals.organization_uri_of(**kwargs) == orgs.b.uri, name
        assert not [uri for uri in orgs.uris_of(orgs.a) if uri in repr(kwargs)], name


def test_a_sync_and_reconnect_send_only_a_connections(orgs, sent):
    b_before = orgs.snapshot(orgs.b)
    run = sync_connection(orgs.a.connections["owner"].pk)
    assert run.succeeded, run.error
    connect(orgs.a.sim, orgs.a.users["member"], orgs.a.sim.members[0])
    assert [name for name, _ in sent] == ["connection_connected"]
    for name, kwargs in sent:
        assert kwargs["connection"].organization_uri == orgs.a.uri, name
        assert signals.organization_uri_of(**kwargs) == orgs.a.uri, name
    assert orgs.snapshot(orgs.b) == b_before
    assert orgs.writes_at_calendly() == []


def test_a_helper_finds_the_organization_of_every_webhook_signal_argument_set(orgs):
    event = ScheduledEvent.objects.filter(organization=orgs.b.organization).first()
    invitee = Invitee.objects.filter(event=event).first()
    assert signals.organization_uri_of(invitee=invitee, scheduled_event=event) == orgs.b.uri
    assert signals.organization_uri_of(old_invitee=invitee, new_invitee=None) == orgs.b.uri
    assert signals.organization_uri_of(connection=orgs.a.connections["member"]) == orgs.a.uri
    assert signals.organization_uri_of(instance=None, delivery=None) == ""
