"""Two Calendly organizations, A and B, mirrored into one site: the isolation tests' one fixture.

Each organization is a simulator of its own (another seed, so other URIs), synced through its
owner's connection; each has an owner and a member connected as distinct site users. On top:
``staff`` (staff limited to A, ``LIMIT_STAFF_TO_ORGANIZATIONS`` on, connected as A's admin),
``root`` (a superuser) and ``both`` (one site user connected to a Calendly user in each
organization; the two Calendly users share an e-mail address, as one person in two companies).

Everything the tests need from the organizations goes through ``Orgs`` (``rows_of``, ``uris_of``,
``sim_requests``...), and ``build_orgs`` is the only place that knows there are two simulators: the
day ``CalendlySimulator(organizations=2)`` exists, only it changes. ``settings.CALENDLY`` points at
A's simulator once it returns (B's calls, if any, would then fail loudly rather than reach B).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from calendly_integration.models import Connection, Organization, WebhookSubscription
from calendly_integration.sync import sync_connection
from calendly_integration.webhooks.subscriptions import ensure_subscriptions
from tests.api.conftest import calendly_at, connect
from tests.conftest import UNLIMITED
from tests.webhooks.conftest import Recorder, _serve, future_slot, post_signed, solo_event_type

APP = "calendly_integration"
#: A narrow sync window keeps the mirror small and each test fast.
SYNC_WINDOW = {
    "SYNC_BACKFILL_DAYS": 3,
    "SYNC_HORIZON_DAYS": 7,
    "LIMIT_STAFF_TO_ORGANIZATIONS": True,
}
#: The e-mail address of the person who is a member of both organizations.
SHARED_EMAIL = "dana.shared@example.com"


@dataclass
class Org:
    """One organization as the site sees it."""

    name: str
    sim: Any
    organization: Organization
    users: dict[str, Any]
    connections: dict[str, Connection]

    @property
    def uri(self) -> str:
        return self.organization.uri


@dataclass
class Orgs:
    a: Org
    b: Org
    staff: Any
    root: Any
    both: Any
    both_connections: dict[str, Connection] = field(default_factory=dict)

    def rows_of(self, model: Any, org: Org) -> QuerySet:
        """``model``'s rows that belong to ``org`` (by organization, or by the connection)."""
        return model._default_manager.filter(_belongs(model, org))

    def uris_of(self, org: Org) -> set[str]:
        """Every mirrored URI of ``org`` (the organization's own included)."""
        found: set[str] = {org.uri}
        for model in app_models():
            if any(f.name == "uri" for f in model._meta.get_fields()):
                rows = self.rows_of(model, org).exclude(uri=None).exclude(uri="")
                found.update(rows.values_list("uri", flat=True))
        return found

    def markers_of(self, org: Org) -> set[str]:
        """What a page may show of ``org`` and no other: its URIs, the e-mail addresses of its
        invitees and Calendly users, its booking pages, its name (what both share is left out)."""

        def raw(of: Org) -> set[str]:
            found = self.uris_of(of) | {of.organization.name}
            for model, fields in _marker_fields():
                for values in self.rows_of(model, of).values_list(*fields):
                    found.update(v for v in values if v)
            return found

        other = self.b if org is self.a else self.a
        return raw(org) - raw(other)

    def snapshot(self, org: Org) -> dict[str, list[dict[str, Any]]]:
        """Every row of ``org``, field by field, to show nothing changed."""
        return {
            model.__name__: list(self.rows_of(model, org).order_by("pk").values())
            for model in app_models()
            if model._meta.model_name not in ("syncstate", "eventhost")
        }

    def writes_at_calendly(self) -> list[str]:
        """The requests either simulator got that change something (neither GET nor HEAD)."""
        found = []
        for org in (self.a, self.b):
            with org.sim.requests_lock:
                found += [
                    f"{org.name} {r.method} {r.path}"
                    for r in org.sim.requests
                    if r.method not in ("GET", "HEAD")
                ]
        return found

    def clear_requests(self) -> None:
        self.a.sim.clear_requests()
        self.b.sim.clear_requests()


def _marker_fields() -> list[tuple[Any, tuple[str, ...]]]:
    from calendly_integration.models import CalendlyUser, EventType, Invitee

    return [
        (Invitee, ("email",)),
        (CalendlyUser, ("email", "scheduling_url")),
        (EventType, ("scheduling_url",)),
    ]


def app_models() -> list[Any]:
    return list(apps.get_app_config(APP).get_models())


def _belongs(model: Any, org: Org) -> Q:
    names = {f.name for f in model._meta.get_fields() if f.is_relation}
    if model is Organization:
        return Q(pk=org.organization.pk)
    if "organization" in names:
        return Q(organization=org.organization)
    connection_pks = [c.pk for c in org.connections.values()]
    if model is Connection:
        return Q(organization_uri=org.uri)
    if "connection" in names:
        return Q(connection__organization_uri=org.uri) | Q(connection__in=connection_pks)
    if "event" in names:
        return Q(event__organization=org.organization)
    if "subscription" in names:
        return Q(subscription__connection__organization_uri=org.uri)
    if "delivery" in names:
        return Q(delivery__subscription__connection__organization_uri=org.uri)
    return Q(pk__in=[])


def api_client(user: Any) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _share_email(sim: Any, user_uri: str, email: str) -> None:
    """Give one Calendly user of ``sim`` another e-mail address (test set-up of the fake)."""
    for user in sim.store.users.values():
        if user["uri"] == user_uri:
            user["email"] = email
    for membership in sim.store.memberships.values():
        if membership["user"]["uri"] == user_uri:
            membership["user"]["email"] = email


def _org(name: str, sim: Any, make_user: Callable[..., Any], both: Any) -> tuple[Org, Connection]:
    _share_email(sim, sim.members[1].uri, SHARED_EMAIL)
    users = {"owner": make_user(f"{name}-owner"), "member": make_user(f"{name}-member")}
    connections = {
        "owner": connect(sim, users["owner"], sim.owner),
        "member": connect(sim, users["member"], sim.members[0]),
    }
    shared = connect(sim, both, sim.members[1])
    run = sync_connection(connections["owner"].pk)
    assert run.succeeded, run.error
    organization = Organization.objects.get(uri=sim.organization_uri)
    return Org(name, sim, organization, users, connections), shared


def build_orgs(
    sim: Any, factory: Callable[..., Any], make_user: Callable[..., Any], settings: Any
) -> Orgs:
    """Organization A on ``sim`` (CALENDLY points at it), B on a second simulator (seed 2)."""
    both = make_user("both")
    a, shared_a = _org("a", sim, make_user, both)
    sim_b = factory(seed=2, size="small", rate_limit_per_minute=UNLIMITED)
    with calendly_at(settings, sim_b):
        b, shared_b = _org("b", sim_b, make_user, both)
    staff = make_user("staff-a", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label=APP))
    a.connections["staff"] = connect(sim, staff, sim.admin)
    root = make_user("root", is_staff=True, is_superuser=True)
    assert a.uri != b.uri
    orgs = Orgs(a, b, staff, root, both, {"a": shared_a, "b": shared_b})
    orgs.clear_requests()
    return orgs


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


@pytest.fixture
def orgs(sim, calendly_simulator_factory, make_user, settings, db) -> Orgs:
    return build_orgs(sim, calendly_simulator_factory, make_user, settings)


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    recorder = Recorder()
    server = _serve(recorder)
    yield recorder
    server.shutdown()
    server.server_close()


@dataclass
class Webhooks:
    """Delivers each organization's real webhooks (captured from its simulator) to the site."""

    orgs: Orgs
    recorder: Recorder
    settings: Any
    client: Any
    on_commit: Any

    def subscribe(self, org: Org) -> None:
        with self.at(org):
            ensure_subscriptions(org.connections["owner"])

    @contextmanager
    def at(self, org: Org) -> Iterator[None]:
        with calendly_at(self.settings, org.sim):
            yield

    def book(self, org: Org, name: str) -> str:
        """An invitee books one of the owner's event types in ``org``; returns its URI."""
        return org.sim.book(
            solo_event_type(org.sim)["uri"],
            future_slot(org.sim),
            name=name,
            email=f"{name.split()[0].lower()}@example.com",
        )

    def deliver(self, org: Org) -> int:
        """POST what ``org``'s simulator sent since the last call to the receiver, signed with
        the subscription's key; returns how many."""
        assert org.sim.wait_for_deliveries(10)
        with self.recorder.lock:
            pending, self.recorder.requests[:] = list(self.recorder.requests), []
        sent = 0
        with self.at(org):
            for request in pending:
                token = request["path"].rstrip("/").rsplit("/", 1)[-1]
                subscription = WebhookSubscription.objects.get(token=token)
                with self.on_commit(execute=True):
                    response = post_signed(
                        self.client, request["path"], request["body"], subscription.signing_key
                    )
                assert response.status_code < 300, response.status_code
                sent += 1
        return sent


@pytest.fixture
def webhooks(
    orgs, recorder, settings, client, calendly_tasks_inline, django_capture_on_commit_callbacks
) -> Webhooks:
    """Both organizations subscribed (to ``recorder``), one booking delivered in each."""
    settings.CALENDLY = {**settings.CALENDLY, "PUBLIC_BASE_URL": recorder.url}
    hooks = Webhooks(orgs, recorder, settings, client, django_capture_on_commit_callbacks)
    for org in (orgs.a, orgs.b):
        hooks.subscribe(org)
        hooks.book(org, f"Guest {org.name.upper()}")
        assert hooks.deliver(org)
    orgs.clear_requests()
    return hooks
