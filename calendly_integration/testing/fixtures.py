"""Pytest fixtures around the Calendly simulator, for this project's tests and host sites'.

Load them with ``pytest_plugins = ["calendly_integration.testing.fixtures"]`` in a conftest.
``calendly_simulator`` validates every request and response against Calendly's OpenAPI spec and
fails the test at teardown if the simulator (or the client under test) strayed from it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from calendly_integration.testing.simulator import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    CalendlySimulator,
)


@pytest.fixture
def calendly_simulator_factory() -> Iterator[Callable[..., CalendlySimulator]]:
    """Start simulators with any constructor arguments; all are stopped after the test."""
    started: list[CalendlySimulator] = []

    def factory(**kwargs: Any) -> CalendlySimulator:
        sim = CalendlySimulator(**kwargs).start()
        started.append(sim)
        return sim

    yield factory
    for sim in started:
        sim.stop()


@pytest.fixture
def calendly_simulator(
    calendly_simulator_factory: Callable[..., CalendlySimulator],
) -> Iterator[CalendlySimulator]:
    """A running "small" simulator with spec validation on; no violations allowed."""
    sim = calendly_simulator_factory(size="small", validate=True)
    yield sim
    violations = sim.spec_violations
    assert violations == [], "Calendly spec violations:\n" + "\n".join(violations)


@pytest.fixture
def calendly_token(calendly_simulator: CalendlySimulator) -> str:
    """A full-scope access token for the simulator's organization owner."""
    return calendly_simulator.create_token()


@pytest.fixture
def calendly_settings_for_simulator(
    settings: Any, calendly_simulator: CalendlySimulator
) -> dict[str, Any]:
    """Point ``settings.CALENDLY`` at the simulator, with small timeouts and backoff."""
    settings.CALENDLY = {
        **(getattr(settings, "CALENDLY", None) or {}),
        "API_BASE_URL": calendly_simulator.url,
        "AUTH_BASE_URL": calendly_simulator.url,
        "CLIENT_ID": DEFAULT_CLIENT_ID,
        "CLIENT_SECRET": DEFAULT_CLIENT_SECRET,
        "WEBHOOK_SIGNING_KEY": calendly_simulator.webhook_signing_key,
        "CONNECT_TIMEOUT": 2,
        "READ_TIMEOUT": 2,
        "RETRY_BACKOFF": 0.01,
        "RETRY_BACKOFF_MAX": 0.05,
    }
    return settings.CALENDLY


@pytest.fixture
def calendly_tasks_inline(monkeypatch: pytest.MonkeyPatch) -> Callable[[bool], None]:
    """Run django-q2 tasks in the calling process during the test, as ``Q_CLUSTER["sync"]``
    does; call the returned function with ``False`` (or ``True``) to switch.

    django-q2 reads ``Q_CLUSTER`` once, at import, so overriding that setting in a test changes
    nothing; this sets what django-q2 read (``Conf.SYNC``), for this test only.
    """
    from django_q.conf import Conf

    def switch(on: bool) -> None:
        monkeypatch.setattr(Conf, "SYNC", on)

    switch(True)
    return switch
