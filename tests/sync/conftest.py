import pytest

from calendly_integration.models import Connection
from calendly_integration.oauth.connect import connect_personal_access_token


@pytest.fixture
def sim(calendly_simulator, calendly_settings_for_simulator):
    """The "small" simulator over HTTP, CALENDLY pointing at it, no rate limit in the way."""
    calendly_simulator.rate_limit_per_minute = 1_000_000
    return calendly_simulator


@pytest.fixture
def site_user(django_user_model):
    return django_user_model.objects.create_user("olivia", "olivia@example.com", "pw")


@pytest.fixture
def connect(sim, django_user_model):
    """Connect a site user to a simulator user with a personal access token."""

    def connect(calendly_user=None, *, scopes=None, username=None) -> Connection:
        calendly_user = calendly_user or sim.owner
        owner, _ = django_user_model.objects.get_or_create(username=username or calendly_user.email)
        token = sim.create_token(user_uri=calendly_user.uri, scopes=scopes)
        return connect_personal_access_token(owner, token)

    return connect


@pytest.fixture
def owner_connection(connect):
    return connect()


def point_settings_at(settings, sim) -> None:
    """What ``calendly_settings_for_simulator`` does, for a simulator made by the factory."""
    settings.CALENDLY = {
        **(getattr(settings, "CALENDLY", None) or {}),
        "API_BASE_URL": sim.url,
        "AUTH_BASE_URL": sim.url,
        "CLIENT_ID": "demo-client",
        "CLIENT_SECRET": "demo-secret",
        "CONNECT_TIMEOUT": 2,
        "READ_TIMEOUT": 2,
        "RETRY_BACKOFF": 0.01,
        "RETRY_BACKOFF_MAX": 0.05,
    }


@pytest.fixture
def demo_sim(calendly_simulator_factory, settings):
    """The "demo" dataset (about 2,000 events), unvalidated for speed, no rate limit."""
    sim = calendly_simulator_factory(size="demo", rate_limit_per_minute=1_000_000)
    point_settings_at(settings, sim)
    return sim
