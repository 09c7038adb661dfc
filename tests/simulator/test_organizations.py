"""Several seeded organizations: the first unchanged, each scoped as Calendly scopes it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from calendly_integration.testing.simulator import CalendlySimulator, SimOrganization, dataset

from .conftest import Api

ANCHOR = datetime(2026, 11, 24, tzinfo=UTC)

Factory = Callable[..., CalendlySimulator]

TABLES = (
    "users",
    "memberships",
    "invitations",
    "event_types",
    "events",
    "invitees",
    "no_shows",
    "routing_forms",
    "submissions",
    "schedules",
    "activity",
)


@pytest.fixture
def sims(calendly_simulator_factory: Factory) -> tuple[CalendlySimulator, CalendlySimulator]:
    """The same seed with one organization and with three, on one clock."""
    clock: Callable[[], datetime] = lambda: ANCHOR.replace(hour=13)  # noqa: E731
    one = calendly_simulator_factory(seed=3, clock=clock)
    three = calendly_simulator_factory(seed=3, clock=clock, organizations=3, validate=True)
    return one, three


def _path(uri: str) -> str:
    return "/" + uri.split("/", 3)[3]


def test_the_first_organization_is_the_single_organization_of_before(
    sims: tuple[CalendlySimulator, CalendlySimulator],
) -> None:
    one, three = sims
    first = three.organizations[0]
    assert [o.name for o in one.organizations] == [first.name]
    assert _path(first.uri) == _path(one.organization_uri)
    assert _path(three.organization_uri) == _path(one.organization_uri)
    assert [_path(u.uri) for u in first.users] == [_path(u.uri) for u in one.users]
    assert [(u.email, u.name, u.role) for u in first.users] == [
        (u.email, u.name, u.role) for u in one.users
    ]
    assert (three.owner.uuid, three.admin.uuid) == (one.owner.uuid, one.admin.uuid)
    assert [m.uuid for m in three.members] == [m.uuid for m in one.members]
    for user in one.users:
        assert [_path(e["uri"]) for e in three.events_of(three.url + _path(user.uri))] == [
            _path(e["uri"]) for e in one.events_of(user.uri)
        ]
    for table in TABLES:
        mine = set(getattr(one.store, table))
        assert mine <= set(getattr(three.store, table)), table


def test_the_dataset_of_the_first_organization_is_byte_for_byte_the_same() -> None:
    single = dataset.generate(9, "small", "http://sim", ANCHOR)
    first = dataset.generate_organizations(9, "small", "http://sim", ANCHOR, 3)[0]
    assert single == first
    assert list(single.events) == list(first.events)


def test_uris_never_collide_across_five_organizations() -> None:
    datasets = dataset.generate_organizations(2, "small", "http://sim", ANCHOR, 5)
    for table in TABLES:
        seen: set[str] = set()
        for data in datasets:
            ids = set(getattr(data, table))
            assert not seen & ids, table
            seen |= ids
    uris = [d.organization["uri"] for d in datasets]
    assert len(set(uris)) == 5
    assert len({d.organization["name"] for d in datasets}) == 5
    slugs = [u["slug"] for d in datasets for u in d.users.values()]
    assert len(slugs) == len(set(slugs)), "booking pages must not collide"


def test_one_consultant_is_a_distinct_user_with_the_same_email_in_two_organizations(
    sims: tuple[CalendlySimulator, CalendlySimulator],
) -> None:
    _, sim = sims
    first, second, third = sim.organizations
    consultant = first.members[0]
    twin = next(u for u in second.users if u.email == consultant.email)
    assert twin.uri != consultant.uri and twin.name == consultant.name
    assert twin.role == "user"
    assert consultant.email not in {u.email for u in third.users}
    for user in (consultant, twin):
        assert sim.get(user.uri)["current_organization"] == sim.organization_of(user.uri).uri
    assert sim.organization_of(twin.uri).uuid == second.uuid
    emails = [u.email for org in sim.organizations for u in org.users]
    assert len(emails) == len(set(emails)) + 1


def test_sim_organizations_describe_each_organization(
    sims: tuple[CalendlySimulator, CalendlySimulator],
) -> None:
    _, sim = sims
    organizations = sim.organizations
    assert len(organizations) == 3
    assert all(isinstance(org, SimOrganization) for org in organizations)
    for org in organizations:
        assert org.users[0] == org.owner and org.users[1] == org.admin
        assert org.owner.role == "owner" and org.admin.role == "admin"
        assert {m.role for m in org.members} == {"user"}
        assert sim.get(org.uri)["name"] == org.name
        for user in org.users:
            assert sim.get(user.uri)["current_organization"] == org.uri
    assert sim.users == organizations[0].users


def test_fleet_size_has_ten_users_and_about_a_thousand_events_per_organization() -> None:
    datasets = dataset.generate_organizations(1, "fleet", "http://sim", ANCHOR, 3)
    for data in datasets:
        assert len(data.users) == 10
        assert sorted(data.roles.values()).count("user") == 8
        assert 950 <= len(data.events) <= 1050
        assert len(data.submissions) == 20


def test_tokens_work_for_users_of_every_organization(
    sims: tuple[CalendlySimulator, CalendlySimulator],
) -> None:
    _, sim = sims
    for org in sim.organizations:
        for user in (org.owner, org.members[-1]):
            me = Api(sim, sim.create_token(user.uri)).get("/users/me").json()["resource"]
            assert me["uri"] == user.uri
            assert me["current_organization"] == org.uri


def _events(api: Api, **params: Any) -> list[dict[str, Any]]:
    return api.all_pages("/scheduled_events", count=100, **params)
