import pytest

from calendly_integration.models import Connection
from calendly_integration.oauth.connect import connect_personal_access_token
from tests.conftest import UNLIMITED, point_calendly_at


@pytest.fixture
def sim_rate_limit():
    return UNLIMITED


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


@pytest.fixture
def demo_sim(calendly_simulator_factory, settings):
    """The "demo" dataset (about 2,000 events), unvalidated for speed, no rate limit."""
    sim = calendly_simulator_factory(size="demo", rate_limit_per_minute=UNLIMITED)
    point_calendly_at(settings, sim)
    return sim
