"""A synced, subscribed connection of the simulator's owner, and a way to run the doctor.

Webhook deliveries go to a closed local port and Calendly's retries are far off, so nothing the
simulator changes reaches the mirror except through the doctor's own eyes: a change made at the
simulator stays a difference until a sync.
"""

from __future__ import annotations

import io
import socket
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command

from calendly_integration.models import Connection, SyncRun
from calendly_integration.sync import sync_connection
from calendly_integration.webhooks.subscriptions import ensure_subscriptions
from tests.calendly_helpers import make_oauth_connection
from tests.conftest import UNLIMITED, point_calendly_at


def closed_port_url() -> str:
    """An http URL on this machine where nothing listens (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def make_sim(calendly_simulator_factory, settings) -> Callable[..., Any]:
    """A validated simulator with CALENDLY pointing at it; ``retry_delays`` of its webhooks."""
    made = []

    def make(retry_delays: tuple[float, ...] = (600,)) -> Any:
        sim = calendly_simulator_factory(
            size="small",
            validate=True,
            webhook_retry_delays=retry_delays,
            rate_limit_per_minute=UNLIMITED,
        )
        point_calendly_at(settings, sim, PUBLIC_BASE_URL=closed_port_url())
        made.append(sim)
        return sim

    yield make
    for sim in made:
        assert sim.spec_violations == [], "\n".join(sim.spec_violations)


@pytest.fixture
def sim(make_sim) -> Any:
    """The doctor's own simulator: webhook retries far off, deliveries to a closed port."""
    return make_sim()


def connect(sim, owner, *, user_uri: str | None = None, sync: bool = True) -> Connection:
    """An OAuth connection: subscribed, synced (unless ``sync`` is false), schedules in place."""
    connection = make_oauth_connection(sim, owner, user_uri=user_uri)
    ensure_subscriptions(connection)
    return _finish(connection, sync)


def connect_with_scopes(sim, owner, scopes: str) -> Connection:
    """An OAuth connection granted only ``scopes`` (no webhooks unless granted), synced."""
    return _finish(make_oauth_connection(sim, owner, scopes=scopes), sync=True)


def _finish(connection: Connection, sync: bool) -> Connection:
    if sync:
        run = sync_connection(connection.pk)
        assert run.status == SyncRun.Status.SUCCEEDED, run.error
    call_command("calendly_setup_schedules", stdout=io.StringIO())
    return connection


@pytest.fixture
def connection(sim, owner, db) -> Connection:
    """The simulator owner's connection, synced and subscribed."""
    return connect(sim, owner)


def run_doctor(*args: str) -> tuple[int, str]:
    """Run ``calendly_doctor``; returns (exit status, what it printed)."""
    out = io.StringIO()
    try:
        call_command("calendly_doctor", *args, stdout=out)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()
