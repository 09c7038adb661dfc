"""Scenarios for the docs' snippets: what each one is given, and what it must have done.

A snippet marked ``<!-- test: run setup=NAME -->`` runs with the names of the fixture
``scenario_NAME``, against the simulator and the test database; afterwards ``then`` checks the
effect at Calendly (the simulator's own state) and in the mirror, so a snippet that runs but does
nothing fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from calendly_integration.client.times import parse_time
from calendly_integration.models import ScheduledEvent
from calendly_integration.oauth.connect import connect_personal_access_token
from calendly_integration.sync import sync_connection


@dataclass
class Scenario:
    given: dict[str, Any]
    then: Callable[[dict[str, Any]], None]


def _owner_connection(sim, django_user_model):
    """A site user connected to the simulated organization's owner with a personal access token."""
    user = django_user_model.objects.create_user("olivia", email="olivia@example.com")
    token = sim.create_token(user_uri=sim.owner.uri)
    return user, connect_personal_access_token(user, token), token


def _upcoming_event(sim) -> dict[str, Any]:
    now = sim.now()
    return next(
        e
        for e in sim.events_of(sim.owner.uri)
        if e["status"] == "active" and parse_time(e["start_time"]) > now + timedelta(hours=1)
    )


@pytest.fixture
def scenario_cancel_through_client(calendly_simulator, calendly_settings_for_simulator, db):
    from django.contrib.auth import get_user_model

    sim = calendly_simulator
    _, connection, _ = _owner_connection(sim, get_user_model())
    event_uri = _upcoming_event(sim)["uri"]

    def then(names: dict[str, Any]) -> None:
        event = sim.get(event_uri)
        assert event["status"] == "canceled"
        assert event["cancellation"]["reason"] == "The host is ill"

    return Scenario({"connection": connection, "event_uri": event_uri}, then)


@pytest.fixture
def scenario_sync_a_connection(calendly_simulator, calendly_settings_for_simulator, db):
    from django.contrib.auth import get_user_model

    sim = calendly_simulator
    sim.rate_limit_per_minute = 5000  # the snippet syncs twice, the second time all history
    _, connection, _ = _owner_connection(sim, get_user_model())

    def then(names: dict[str, Any]) -> None:
        run = names["run"]
        assert run.succeeded, run.error
        assert run.full
        calendly = {e["uri"] for user in sim.users for e in sim.events_of(user.uri)}
        assert set(ScheduledEvent.objects.live().values_list("uri", flat=True)) == calendly

    return Scenario({"connection": connection}, then)


@pytest.fixture
def scenario_cancel_with_services(calendly_simulator, calendly_settings_for_simulator, db):
    from django.contrib.auth import get_user_model

    sim = calendly_simulator
    user, connection, _ = _owner_connection(sim, get_user_model())
    assert sync_connection(connection.pk).succeeded

    def then(names: dict[str, Any]) -> None:
        event = names["event"]
        assert event.status == ScheduledEvent.Status.CANCELED
        assert ScheduledEvent.objects.get(pk=event.pk).status == ScheduledEvent.Status.CANCELED
        assert sim.get(event.uri)["status"] == "canceled"

    return Scenario({"user": user}, then)


@pytest.fixture
def scenario_client_with_token(calendly_simulator, calendly_settings_for_simulator):
    sim = calendly_simulator
    token = sim.create_token(user_uri=sim.owner.uri)

    def then(names: dict[str, Any]) -> None:
        active = [e for e in sim.events_of(sim.owner.uri) if e["status"] == "active"]
        assert sorted(names["upcoming"]) == sorted((e["start_time"], e["name"]) for e in active)

    return Scenario({"token": token}, then)


@pytest.fixture
def scenario_signal_receivers(
    calendly_simulator,
    calendly_settings_for_simulator,
    calendly_tasks_inline,
    live_server,
    mailoutbox,
    transactional_db,
):
    """Receivers connected by the snippet hear a booking by webhook and a revoked token."""
    from django.contrib.auth import get_user_model

    sim = calendly_simulator
    calendly_settings_for_simulator.update(PUBLIC_BASE_URL=live_server.url)

    def then(names: dict[str, Any]) -> None:
        user, connection, token = _owner_connection(sim, get_user_model())
        event_type = next(
            et for et in sim.event_types_of(sim.owner.uri) if et["active"] and et["kind"] == "solo"
        )
        start = (sim.now() + timedelta(days=3)).replace(hour=15, minute=0, second=0, microsecond=0)
        sim.book(event_type["uri"], start, name="Ada Lovelace", email="ada@example.com")
        assert sim.wait_for_deliveries(10)
        assert [(m.subject, m.to) for m in mailoutbox] == [("See you soon", ["ada@example.com"])]

        sim.revoke_token(token)
        sync_connection(connection.pk)
        connection.refresh_from_db()
        assert connection.status == connection.Status.NEEDS_REAUTH
        assert (mailoutbox[-1].subject, mailoutbox[-1].to) == (
            "Please reconnect Calendly",
            [user.email],
        )

    return Scenario({}, then)
