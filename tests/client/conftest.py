"""Fixtures for the client tests: a client talking to the simulator over real HTTP."""

import pytest

from tests.client.helpers import make_client


@pytest.fixture
def sim(calendly_simulator):
    """The simulator alone: these tests configure their clients themselves, not CALENDLY."""
    return calendly_simulator


@pytest.fixture
def client(sim, calendly_token):
    with make_client(sim, calendly_token) as api:
        yield api
