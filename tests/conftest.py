"""Shared pytest configuration: the Calendly simulator fixtures, and one broker queue per
pytest-xdist worker.

``sim`` is the simulator most folders' tests talk to: the "small" dataset over HTTP, spec-validated,
with ``settings.CALENDLY`` pointing at it. A folder that needs more overrides one of the two
fixtures it is made from, never ``sim`` itself: ``sim_rate_limit`` (``UNLIMITED`` where tests sync
whole datasets) and ``sim_calendly`` (CALENDLY keys to add, e.g. a narrow sync window). Tests that
talk to the simulator without Django (client/, simulator/) and the doctor's own validated
simulators keep local fixtures.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from calendly_integration.testing.simulator import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

pytest_plugins = ["calendly_integration.testing.fixtures", "tests.browser"]

#: Requests per minute that never run out, for simulators whose tests sync a whole dataset.
UNLIMITED = 1_000_000


def pytest_configure(config: pytest.Config) -> None:
    """Give each xdist worker its own django-q2 queue.

    pytest-django gives each worker its own test database (``test_<name>_gw0``...), which
    isolates the ORM broker, but a Redis broker is one server: tests that purge, read or
    count the queue would see each other's tasks. The queue's name is django-q2's
    ``CLUSTER_NAME``, read whenever a broker is made.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        from django_q.conf import Conf

        Conf.CLUSTER_NAME = f"{Conf.CLUSTER_NAME}-{worker}"


def point_calendly_at(settings: Any, sim: Any, **extra: Any) -> None:
    """What ``calendly_settings_for_simulator`` does, for a simulator made by the factory."""
    settings.CALENDLY = {
        **(getattr(settings, "CALENDLY", None) or {}),
        "API_BASE_URL": sim.url,
        "AUTH_BASE_URL": sim.url,
        "CLIENT_ID": DEFAULT_CLIENT_ID,
        "CLIENT_SECRET": DEFAULT_CLIENT_SECRET,
        "WEBHOOK_SIGNING_KEY": sim.webhook_signing_key,
        "CONNECT_TIMEOUT": 2,
        "READ_TIMEOUT": 2,
        "RETRY_BACKOFF": 0.01,
        "RETRY_BACKOFF_MAX": 0.05,
        **extra,
    }


@pytest.fixture
def sim_rate_limit() -> int | None:
    """Requests per minute ``sim`` allows; None keeps the simulator's default (Calendly's 500)."""
    return None


@pytest.fixture
def sim_calendly() -> dict[str, Any]:
    """CALENDLY keys ``sim`` adds to the ones pointing at the simulator."""
    return {}


@pytest.fixture
def sim(
    calendly_simulator: Any,
    calendly_settings_for_simulator: dict[str, Any],
    sim_rate_limit: int | None,
    sim_calendly: dict[str, Any],
) -> Any:
    """The simulator over HTTP, with CALENDLY pointing at it (API, OAuth, client credentials)."""
    if sim_rate_limit is not None:
        calendly_simulator.rate_limit_per_minute = sim_rate_limit
    calendly_settings_for_simulator.update(sim_calendly)
    return calendly_simulator


@pytest.fixture
def owner(django_user_model: Any) -> Any:
    """A site user (Olivia) who will connect Calendly."""
    return django_user_model.objects.create_user("olivia", "olivia@example.com", "pw")


@pytest.fixture
def other_user(django_user_model: Any) -> Any:
    """Another site user (Mallory), who must not reach Olivia's things."""
    return django_user_model.objects.create_user("mallory", "mallory@example.com", "pw")
