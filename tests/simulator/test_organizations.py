"""Several seeded organizations: the first unchanged, each scoped as Calendly scopes it."""

from __future__ import annotations

import html
import json
import re
import signal
import subprocess
import sys
from argparse import Namespace
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.conf import settings
from django.core.management import CommandError

from calendly_integration.management.commands import calendly_simulator
from calendly_integration.testing.simulator import CalendlySimulator, SimOrganization, dataset
from calendly_integration.testing.simulator.timeutil import iso
from project import demo

from .conftest import Api, Receiver
from .test_management_command import ROOT, default_sigint, free_port

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


@pytest.fixture
def orgs(calendly_simulator_factory: Factory) -> Iterator[CalendlySimulator]:
    """Three organizations on today's clock, every answer checked against the spec."""
    sim = calendly_simulator_factory(organizations=3, validate=True)
    yield sim
    assert sim.spec_violations == []


def _owner_api(sim: CalendlySimulator, org: SimOrganization) -> Api:
    return Api(sim, sim.create_token(org.owner.uri))


def test_organization_lists_hold_only_the_callers_organization(orgs: CalendlySimulator) -> None:
    first, second, _ = orgs.organizations
    for org in (first, second):
        api = _owner_api(orgs, org)
        hosts = {u.uri for u in org.users}
        events = _events(api, organization=org.uri)
        assert len(events) == sum(len(orgs.events_of(uri)) for uri in hosts)
        assert {e["event_memberships"][0]["user"] for e in events} <= hosts
        types = api.all_pages("/event_types", organization=org.uri)
        assert {t["profile"]["owner"] for t in types} <= hosts and types
        memberships = api.all_pages("/organization_memberships", organization=org.uri)
        assert sorted(m["user"]["uri"] for m in memberships) == sorted(hosts)
        forms = api.all_pages("/routing_forms", organization=org.uri)
        assert forms and {f["organization"] for f in forms} == {org.uri}
        activity = api.get("/activity_log_entries", organization=org.uri).json()["collection"]
        assert activity and {entry["organization"] for entry in activity} == {org.uri}
        invitations = api.all_pages(f"/organizations/{org.uuid}/invitations")
        assert invitations and {i["organization"] for i in invitations} == {org.uri}
        assert api.get(f"/organizations/{org.uuid}").json()["resource"]["name"] == org.name


def test_another_organization_is_refused_as_a_non_member_is(orgs: CalendlySimulator) -> None:
    first, second, _ = orgs.organizations
    api = _owner_api(orgs, first)
    stranger = second.members[-1]
    for path, params in (
        ("/scheduled_events", {"organization": second.uri}),
        ("/event_types", {"organization": second.uri}),
        ("/organization_memberships", {"organization": second.uri}),
        ("/routing_forms", {"organization": second.uri}),
        ("/activity_log_entries", {"organization": second.uri}),
        ("/webhook_subscriptions", {"organization": second.uri, "scope": "organization"}),
        ("/scheduled_events", {"organization": first.uri, "user": stranger.uri}),
        ("/event_types", {"user": stranger.uri}),
        ("/organization_memberships", {"user": stranger.uri}),
        ("/user_availability_schedules", {"user": stranger.uri}),
        (f"/users/{stranger.uuid}", {}),
    ):
        response = api.get(path, **params)
        assert response.status_code == 403, (path, params, response.text)
        assert response.json()["title"] == "Permission Denied"
    event = orgs.events_of(stranger.uri)[0]
    invitee = orgs.invitees_of(event["uri"])[0]
    event_type = orgs.event_types_of(stranger.uri)[0]
    membership = api_for(orgs, second).all_pages(
        "/organization_memberships", organization=second.uri
    )[0]
    form = api_for(orgs, second).all_pages("/routing_forms", organization=second.uri)[0]
    hook = subscribe_org(api_for(orgs, second), second, "http://127.0.0.1:9/b")
    for uri in (
        event["uri"],
        invitee["uri"],
        f"{event['uri']}/invitees",
        event_type["uri"],
        membership["uri"],
        form["uri"],
        hook["uri"],
    ):
        response = api.get(uri)
        assert response.status_code == 403, (uri, response.text)
    assert api.get(f"/organizations/{second.uuid}").status_code == 404
    assert api.get(f"/organizations/{second.uuid}/invitations").status_code == 404
    refused = api.post("/scheduled_events/" + event["uri"].rsplit("/", 1)[1] + "/cancellation")
    assert refused.status_code == 403
    assert orgs.get(event["uri"])["status"] == event["status"]


def api_for(sim: CalendlySimulator, org: SimOrganization) -> Api:
    return _owner_api(sim, org)


def subscribe_org(api: Api, org: SimOrganization, url: str) -> dict[str, Any]:
    response = api.post(
        "/webhook_subscriptions",
        {
            "url": url,
            "events": ["invitee.created", "routing_form_submission.created"],
            "organization": org.uri,
            "scope": "organization",
        },
    )
    assert response.status_code == 201, response.text
    return response.json()["resource"]


def _open_start(api: Api, event_type: dict[str, Any]) -> str:
    now = api.sim.now()
    response = api.get(
        "/event_type_available_times",
        event_type=event_type["uri"],
        start_time=iso(now + timedelta(days=1)),
        end_time=iso(now + timedelta(days=7)),
    )
    return response.json()["collection"][0]["start_time"]


def test_webhooks_go_only_to_the_organization_the_event_happened_in(
    orgs: CalendlySimulator, receiver: Receiver
) -> None:
    first, second, third = orgs.organizations
    for org, path in ((first, "a"), (second, "b")):
        subscribe_org(_owner_api(orgs, org), org, f"{receiver.url}/{path}")
    # The same callback URL may be subscribed once per organization.
    subscribe_org(_owner_api(orgs, third), third, f"{receiver.url}/a")
    api = _owner_api(orgs, second)
    event_type = next(
        et for et in orgs.event_types_of(second.owner.uri) if et["active"] and et["kind"] == "solo"
    )
    invitee = orgs.book(event_type["uri"], _open_start(api, event_type), "Ada", "ada@example.com")
    form = next(
        f
        for f in _owner_api(orgs, first).all_pages("/routing_forms", organization=first.uri)
        if f["status"] == "published"
    )
    orgs.submit_routing_form(form["uri"], {"Email": "grace@example.com"})
    assert orgs.wait_for_deliveries(10)
    got = sorted((r["path"].rsplit("/", 1)[1], json.loads(r["body"])) for r in receiver.received)
    assert [(path, body["event"]) for path, body in got] == [
        ("a", "routing_form_submission.created"),
        ("b", "invitee.created"),
    ]
    assert got[1][1]["payload"]["uri"] == invitee
    refused = _owner_api(orgs, first).post(
        "/webhook_subscriptions",
        {
            "url": f"{receiver.url}/c",
            "events": ["invitee.created"],
            "organization": second.uri,
            "scope": "organization",
        },
    )
    assert refused.status_code == 403


def test_rate_limits_count_per_user_whatever_the_organization(
    calendly_simulator_factory: Factory,
) -> None:
    sim = calendly_simulator_factory(organizations=2, rate_limit_per_minute=3)
    first, second = sim.organizations
    for org in (first, second):
        api = _owner_api(sim, org)
        assert [api.get("/users/me").status_code for _ in range(4)] == [200, 200, 200, 429]
    twin = next(u for u in second.users if u.email == first.members[0].email)
    assert Api(sim, sim.create_token(twin.uri)).get("/users/me").status_code == 200


def test_the_console_shows_one_organization_picked_with_a_select(orgs: CalendlySimulator) -> None:
    first, second, _ = orgs.organizations
    page = requests.get(f"{orgs.url}/console/", timeout=10).text
    assert page.count("<option ") == 3
    assert f'<option value="{first.uuid}" selected>' in page
    assert first.owner.name in page and second.owner.name not in page
    other = requests.get(f"{orgs.url}/console/", params={"organization": second.uuid}, timeout=10)
    assert f'<option value="{second.uuid}" selected>' in other.text
    assert second.owner.name in other.text and first.owner.name not in other.text
    missing = requests.get(f"{orgs.url}/console/", params={"organization": "NOPE"}, timeout=10)
    assert missing.status_code == 404


def test_one_organization_keeps_the_console_and_consent_page_as_they_were(
    calendly_simulator: CalendlySimulator,
) -> None:
    sim = calendly_simulator
    assert 'name="organization"' not in requests.get(f"{sim.url}/console/", timeout=10).text
    page = requests.get(f"{sim.url}/oauth/authorize", params=_authorize_params(), timeout=10)
    assert "<optgroup" not in page.text and page.text.count("<option ") == len(sim.users)


def _authorize_params() -> dict[str, str]:
    return {
        "client_id": "demo-client",
        "response_type": "code",
        "redirect_uri": "http://127.0.0.1/callback",
    }


def test_the_consent_page_groups_users_by_organization(orgs: CalendlySimulator) -> None:
    page = requests.get(f"{orgs.url}/oauth/authorize", params=_authorize_params(), timeout=10)
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', page.text)
    assert [name for name, _ in groups] == [html.escape(o.name) for o in orgs.organizations]
    for (_, options), org in zip(groups, orgs.organizations, strict=True):
        assert re.findall(r'<option value="([^"]+)"', options) == [u.uuid for u in org.users]
    second = orgs.organizations[1]
    chosen = second.members[0]
    decision = requests.post(
        f"{orgs.url}/oauth/authorize",
        data={**_authorize_params(), "user": chosen.uuid, "decision": "approve"},
        allow_redirects=False,
        timeout=10,
    )
    code = parse_qs(urlsplit(decision.headers["Location"]).query)["code"][0]
    grant = requests.post(
        f"{orgs.url}/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://127.0.0.1/callback",
        },
        auth=("demo-client", "demo-secret"),
        timeout=10,
    ).json()
    assert (grant["owner"], grant["organization"]) == (chosen.uri, second.uri)


def test_the_command_and_the_demo_take_the_number_of_organizations() -> None:
    parser = calendly_simulator.Command().create_parser("manage.py", "calendly_simulator")
    options = parser.parse_args(["--organizations", "4", "--size", "fleet"])
    assert (options.organizations, options.size) == (4, "fleet")
    assert parser.parse_args([]).organizations == 1
    with pytest.raises(CommandError):
        parser.parse_args(["--organizations", "0"])
    assert demo.parse_args(["--organizations", "3"]).organizations == 3
    line = calendly_simulator.EXTRA_TOKEN_LINE.format(index=2, name="Helix Partners", token="t0k")
    assert demo.EXTRA_PAT.search(f"[simulator]   {line}").groups() == ("2", "Helix Partners", "t0k")


def test_the_command_prints_an_owner_token_per_organization(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CALENDLY_SIMULATOR_ORGANIZATIONS", "2")
    assert demo.parse_args([]).organizations == 2
    port = free_port()
    process = subprocess.Popen(
        [
            *(sys.executable, "manage.py", "calendly_simulator", "--port", str(port)),
            *("--size", "small", "--organizations", "2"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=default_sigint,
    )
    try:
        lines: list[str] = []
        for line in process.stdout:
            lines.append(line)
            if "Press Ctrl-C" in line:
                break
        output = "".join(lines)
        first = re.search(r"Personal access token \(owner\): (\S+)", output).group(1)
        second = demo.EXTRA_PAT.search(output).group(3)
        organizations = set()
        for token in (first, second):
            me = requests.get(
                f"http://127.0.0.1:{port}/users/me",
                headers={"Authorization": f"Bearer {token}"},
                timeout=5,
            ).json()["resource"]
            organizations.add(me["current_organization"])
        assert len(organizations) == 2
        sim = SimpleNamespace(name="simulator", lines=lines)
        shown = demo.banner(Namespace(port=8000, username="a", password="b"), settings, sim, [])
        assert shown.count("  Token  ") == 2 and second in shown
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=15)
