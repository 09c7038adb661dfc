"""Fixtures for the admin tests: the simulator, a synced connection, signed-in staff.

Data reaches the mirror the real way: a connection to the simulator and a sync over HTTP. The
sync window is narrowed so each test syncs a few dozen events instead of hundreds.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from calendly_integration.models import Connection
from calendly_integration.oauth.connect import connect_personal_access_token
from calendly_integration.sync import sync_connection
from tests.conftest import UNLIMITED


@pytest.fixture
def sim_rate_limit():
    return UNLIMITED


@pytest.fixture
def sim_calendly():
    """A short sync window; webhook deliveries go where nothing listens, so they fail fast."""
    return {
        "SYNC_BACKFILL_DAYS": 10,
        "SYNC_HORIZON_DAYS": 20,
        "PUBLIC_BASE_URL": "http://127.0.0.1:9",
    }


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.com", "pw")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def connect(sim, django_user_model):
    """Connect a site user to a simulator user with a personal access token."""

    def connect(calendly_user=None, *, scopes=None, owner=None) -> Connection:
        calendly_user = calendly_user or sim.owner
        if owner is None:
            owner, _ = django_user_model.objects.get_or_create(username=calendly_user.email)
        token = sim.create_token(user_uri=calendly_user.uri, scopes=scopes)
        return connect_personal_access_token(owner, token)

    return connect


@pytest.fixture
def synced(connect):
    """The organization owner's connection, synced: events, invitees, event types, members."""
    connection = connect()
    run = sync_connection(connection.pk)
    assert run.succeeded, run.error
    return connection


@pytest.fixture
def staff_user(django_user_model):
    """A member of staff with no permissions yet (``grant`` adds them)."""
    return django_user_model.objects.create_user("sam", "sam@example.com", "pw", is_staff=True)


def grant(user, *codenames: str) -> None:
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="calendly_integration", codename__in=codenames
        )
    )
