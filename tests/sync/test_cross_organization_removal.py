"""A sync of one organization marks removed only what its own listings covered (issue 18).

Two simulators are two Calendly organizations, A and B, mirrored into one database. One person
is a member of both (the same email, a different Calendly user in each), and one site user holds
that person's connection in each organization. Data deleted in A's Calendly is marked removed by
A's syncs (the member's user-scoped one and the owner's organization-wide one); every row of B
stays live, whatever A's syncs did not list.
"""

from __future__ import annotations

from typing import Any

import pytest

from calendly_integration.models import (
    AvailabilitySchedule,
    CalendlyUser,
    Connection,
    EventType,
    Invitee,
    Membership,
    Organization,
    RoutingForm,
    RoutingFormSubmission,
    ScheduledEvent,
)
from calendly_integration.oauth.connect import connect_personal_access_token
from calendly_integration.sync import sync_connection
from tests.api.conftest import calendly_at
from tests.conftest import UNLIMITED

pytestmark = pytest.mark.django_db

MIRRORED = (
    CalendlyUser,
    Membership,
    EventType,
    ScheduledEvent,
    Invitee,
    RoutingForm,
    RoutingFormSubmission,
    AvailabilitySchedule,
)


@pytest.fixture
def sim_b(calendly_simulator_factory) -> Any:
    return calendly_simulator_factory(seed=2, size="small", rate_limit_per_minute=UNLIMITED)


def same_person(sim_a: Any, sim_b: Any) -> tuple[Any, Any]:
    """A's first member and B's first member become one person: B's user takes A's email."""
    member_a, member_b = sim_a.members[0], sim_b.members[0]
    with sim_b.store.lock:
        sim_b.store.users[member_b.uuid]["email"] = member_a.email
        for membership in sim_b.store.memberships.values():
            if membership["user"]["uri"] == member_b.uri:
                membership["user"]["email"] = member_a.email
    return member_a, member_b


def connect(site_user: Any, sim: Any, calendly_user: Any) -> Connection:
    return connect_personal_access_token(site_user, sim.create_token(user_uri=calendly_user.uri))


def synced(connection: Connection) -> None:
    run = sync_connection(connection.pk, full=True)
    assert run.succeeded, run.error


def live_rows(organization: Organization) -> dict[str, set[str]]:
    return {
        model.__name__: set(
            model.objects.live().filter(organization=organization).values_list("uri", flat=True)
        )
        for model in MIRRORED
    }


def removed_uris(model: type, organization: Organization) -> set[str]:
    return set(
        model.objects.removed().filter(organization=organization).values_list("uri", flat=True)
    )


@pytest.fixture
def two_organizations(sim, sim_b, settings, django_user_model) -> dict[str, Any]:
    """Both organizations mirrored: each owner's sync, and the shared person's two syncs."""
    member_a, member_b = same_person(sim, sim_b)
    dual = django_user_model.objects.create_user("dual", member_a.email, "pw")
    owner_a = django_user_model.objects.create_user("owner-a", "owner-a@example.com", "pw")
    owner_b = django_user_model.objects.create_user("owner-b", "owner-b@example.com", "pw")
    with calendly_at(settings, sim_b):
        b_owner = connect(owner_b, sim_b, sim_b.owner)
        b_member = connect(dual, sim_b, member_b)
        synced(b_owner)
        synced(b_member)
    a_owner = connect(owner_a, sim, sim.owner)
    a_member = connect(dual, sim, member_a)
    synced(a_owner)
    synced(a_member)
    org_a = Organization.objects.get(uri=sim.organization_uri)
    org_b = Organization.objects.get(uri=sim_b.organization_uri)
    return {
        "member_a": member_a,
        "member_b": member_b,
        "a_owner": a_owner,
        "a_member": a_member,
        "org_a": org_a,
        "org_b": org_b,
    }


def test_both_organizations_are_mirrored_apart(two_organizations):
    org_a, org_b = two_organizations["org_a"], two_organizations["org_b"]
    a, b = live_rows(org_a), live_rows(org_b)
    for model in MIRRORED:
        assert a[model.__name__], f"A has no {model.__name__} rows"
        assert b[model.__name__], f"B has no {model.__name__} rows"
        assert not a[model.__name__] & b[model.__name__]
    emails = CalendlyUser.objects.filter(email=two_organizations["member_a"].email)
    assert {user.organization_id for user in emails} == {org_a.pk, org_b.pk}


def test_a_members_sync_marks_only_their_own_rows_in_a(sim, two_organizations):
    """The shared person's user-scoped sync in A: their A rows go, their B rows stay."""
    org_a, org_b = two_organizations["org_a"], two_organizations["org_b"]
    member_a = two_organizations["member_a"]
    before_b = live_rows(org_b)
    with sim.store.lock:
        gone_types = [
            uuid
            for uuid, et in sim.store.event_types.items()
            if et["profile"]["owner"] == member_a.uri
        ]
        for uuid in gone_types:
            del sim.store.event_types[uuid]
        gone_events = [
            uuid
            for uuid, event in sim.store.events.items()
            if any(m["user"] == member_a.uri for m in event["event_memberships"])
        ]
        gone_event_uris = {sim.store.events[uuid]["uri"] for uuid in gone_events}
        for uuid in gone_events:
            del sim.store.events[uuid]
        gone_schedules = [
            uuid for uuid, s in sim.store.schedules.items() if s["user"] == member_a.uri
        ]
        for uuid in gone_schedules:
            del sim.store.schedules[uuid]
    assert gone_types and gone_events and gone_schedules

    synced(two_organizations["a_member"])

    assert len(removed_uris(EventType, org_a)) == len(gone_types)
    assert removed_uris(ScheduledEvent, org_a) == gone_event_uris
    assert len(removed_uris(AvailabilitySchedule, org_a)) == len(gone_schedules)
    assert live_rows(org_b) == before_b
    for model in MIRRORED:
        assert not model.objects.removed().filter(organization=org_b).exists()


def test_a_owners_sync_never_marks_b_rows(sim, two_organizations):
    """A's organization-wide sync after deletions of every kind in A: B untouched, A marked."""
    org_a, org_b = two_organizations["org_a"], two_organizations["org_b"]
    before_b = live_rows(org_b)
    with sim.store.lock:
        store = sim.store
        event_type_uuid = next(iter(store.event_types))
        removed_event_type = store.event_types.pop(event_type_uuid)["uri"]
        removed_events = {event["uri"] for event in store.events.values()}
        store.events.clear()
        form_uuid = next(iter(store.routing_forms))
        removed_form = store.routing_forms.pop(form_uuid)["uri"]
        leaving = sim.members[1]
        membership_uuid = next(
            uuid for uuid, m in store.memberships.items() if m["user"]["uri"] == leaving.uri
        )
        removed_membership = store.memberships.pop(membership_uuid)["uri"]
        kept_form = next(iter(store.routing_forms.values()))["uri"]
        submission_uuid = next(
            uuid for uuid, s in store.submissions.items() if s["routing_form"] == kept_form
        )
        removed_submission = store.submissions.pop(submission_uuid)["uri"]

    synced(two_organizations["a_owner"])

    assert removed_event_type in removed_uris(EventType, org_a)
    assert removed_uris(ScheduledEvent, org_a) == removed_events
    assert removed_uris(RoutingForm, org_a) == {removed_form}
    assert removed_uris(Membership, org_a) == {removed_membership}
    assert removed_submission in removed_uris(RoutingFormSubmission, org_a)
    assert live_rows(org_b) == before_b
    for model in MIRRORED:
        assert not model.objects.removed().filter(organization=org_b).exists()
    assert not ScheduledEvent.objects.removed().filter(organization__isnull=True).exists()


def test_rows_no_organization_owns_are_left_to_their_own_organization(sim, two_organizations):
    """A row with no organization (a webhook's, before its organization was known) is not A's:
    A's sync never marks it, even when it is hosted by A's member."""
    org_a = two_organizations["org_a"]
    orphan = ScheduledEvent.objects.filter(organization=org_a).first()
    ScheduledEvent.objects.filter(pk=orphan.pk).update(organization=None)
    with sim.store.lock:
        sim.store.events.clear()

    synced(two_organizations["a_owner"])

    orphan.refresh_from_db()
    assert orphan.removed_at is None
    assert ScheduledEvent.objects.live().filter(organization=org_a).count() == 0
