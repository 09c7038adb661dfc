"""Two tenants' worth of real data for the API tests.

Tenant A is the "small" simulator's organization, mirrored by a real sync through its owner's
connection; its site users are connected to Calendly users of every role. Tenant B is a second
simulator (another seed, so another organization), synced the same way. API calls authenticate
with DRF tokens, as a front end would; Calendly is the simulator over HTTP.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from calendly_integration.models import Connection, EventHost, Invitee, ScheduledEvent
from calendly_integration.oauth.connect import connect_personal_access_token
from calendly_integration.sync import sync_connection
from tests.conftest import UNLIMITED

API = "/api"
#: A narrow sync window keeps the mirror small and each test fast.
SYNC_WINDOW = {"SYNC_BACKFILL_DAYS": 3, "SYNC_HORIZON_DAYS": 7}


@dataclass
class Tenant:
    """One Calendly organization as the site sees it: its simulator and connected site users."""

    sim: Any
    users: dict[str, Any]
    connections: dict[str, Connection]

    def client(self, role: str) -> APIClient:
        return api_client(self.users[role])


def api_client(user: Any = None) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@contextmanager
def calendly_at(settings: Any, sim: Any) -> Iterator[None]:
    """Point CALENDLY at ``sim`` for a while (to sync the second tenant), then back."""
    before = dict(settings.CALENDLY)
    settings.CALENDLY = {**before, "API_BASE_URL": sim.url, "AUTH_BASE_URL": sim.url}
    try:
        yield
    finally:
        settings.CALENDLY = before


@pytest.fixture
def sim_rate_limit() -> int:
    return UNLIMITED


@pytest.fixture
def sim_calendly() -> dict[str, Any]:
    return SYNC_WINDOW


@pytest.fixture
def make_user(django_user_model) -> Callable[..., Any]:
    def make(username: str, **extra: Any) -> Any:
        return django_user_model.objects.create_user(
            username, f"{username}@example.com", "pw", **extra
        )

    return make


def connect(sim: Any, site_user: Any, calendly_user: Any, scopes: str | None = None) -> Connection:
    return connect_personal_access_token(
        site_user, sim.create_token(user_uri=calendly_user.uri, scopes=scopes)
    )


def build_tenant(sim: Any, make_user: Callable[..., Any], prefix: str) -> Tenant:
    """Site users for the owner, the admin and a member, connected and synced."""
    users = {
        "owner": make_user(f"{prefix}-owner"),
        "admin": make_user(f"{prefix}-admin"),
        "member": make_user(f"{prefix}-member"),
    }
    connections = {
        "owner": connect(sim, users["owner"], sim.owner),
        "admin": connect(sim, users["admin"], sim.admin),
        "member": connect(sim, users["member"], sim.members[0]),
    }
    run = sync_connection(connections["owner"].pk)
    assert run.succeeded, run.error
    return Tenant(sim=sim, users=users, connections=connections)


@pytest.fixture
def tenant(sim, make_user) -> Tenant:
    return build_tenant(sim, make_user, "a")


@pytest.fixture
def other_tenant(tenant, calendly_simulator_factory, make_user, settings) -> Tenant:
    """A second organization in the same database (its own simulator, another seed)."""
    other_sim = calendly_simulator_factory(seed=2, size="small", rate_limit_per_minute=UNLIMITED)
    with calendly_at(settings, other_sim):
        return build_tenant(other_sim, make_user, "b")


@pytest.fixture
def staff(make_user) -> Any:
    return make_user("staff", is_staff=True)


def hosted_by(calendly_user_uri: str) -> Any:
    return ScheduledEvent.objects.filter(hosts__user_uri=calendly_user_uri)


def future_event(host_uri: str) -> ScheduledEvent:
    """An active, future event of ``host_uri``: one Calendly will let us cancel."""
    event = (
        hosted_by(host_uri)
        .filter(status="active", start_time__gt=timezone.now())
        .order_by("start_time")
        .first()
    )
    assert event is not None, "the simulator's dataset should have a future event for this host"
    return event


def past_invitee(host_uri: str, *, no_show: bool = False) -> Invitee:
    """An active invitee of a past, active event of ``host_uri``."""
    invitee = (
        Invitee.objects.filter(
            event__in=hosted_by(host_uri),
            event__status="active",
            event__start_time__lt=timezone.now(),
            status="active",
            is_no_show=no_show,
        )
        .order_by("pk")
        .first()
    )
    assert invitee is not None
    return invitee


def host_of(event: ScheduledEvent) -> str:
    return (
        EventHost.objects.filter(event=event)
        .order_by("position")
        .values_list("user_uri", flat=True)[0]
    )
