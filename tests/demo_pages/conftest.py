import pytest


@pytest.fixture
def sim(calendly_simulator, calendly_settings_for_simulator):
    """The simulator over HTTP, with CALENDLY pointing at it (API, OAuth, client credentials)."""
    return calendly_simulator
