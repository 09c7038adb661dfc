"""``visible_to(user)``: members see what they host, owners and admins their organization's,
staff everything, and nobody else anything."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from calendly_integration.models import (
    AvailabilitySchedule,
    CalendlyUser,
    Connection,
    EventHost,
    EventType,
    Invitee,
    Membership,
    Organization,
    RoutingForm,
    RoutingFormSubmission,
    ScheduledEvent,
    SchedulingLink,
    SyncRun,
)

pytestmark = pytest.mark.django_db

BASE = "https://api.calendly.com"


class World:
    """Two organizations: Acme (owner Olivia, admin Adrian, members Maya and Jonas) and Globex
    (owner Grace). Each member hosts events with invitees."""

    def __init__(self, django_user_model):
        self.users = {}
        self.site = {}
        self.acme = Organization.objects.create(uri=f"{BASE}/organizations/ACME", name="Acme")
        self.globex = Organization.objects.create(uri=f"{BASE}/organizations/GLOBEX", name="Globex")
        for name, org, role in (
            ("olivia", self.acme, "owner"),
            ("adrian", self.acme, "admin"),
            ("maya", self.acme, "user"),
            ("jonas", self.acme, "user"),
            ("grace", self.globex, "owner"),
        ):
            user = CalendlyUser.objects.create(
                uri=f"{BASE}/users/{name.upper()}", name=name.title(), organization=org
            )
            Membership.objects.create(
                uri=f"{BASE}/organization_memberships/{name.upper()}",
                user=user,
                role=role,
                organization=org,
            )
            self.users[name] = user
            site_user = django_user_model.objects.create_user(name)
            Connection.objects.create(owner=site_user, calendly_user_uri=user.uri)
            self.site[name] = site_user
            event_type = EventType.objects.create(
                uri=f"{BASE}/event_types/{name.upper()}", owner_uri=user.uri, organization=org
            )
            AvailabilitySchedule.objects.create(
                uri=f"{BASE}/user_availability_schedules/{name.upper()}",
                user_uri=user.uri,
                organization=org,
            )
            SchedulingLink.objects.create(
                uri=f"https://calendly.com/d/{name}",
                booking_url=f"https://calendly.com/d/{name}",
                owner=event_type,
                organization=org,
            )
            for n in range(2):
                event = ScheduledEvent.objects.create(
                    uri=f"{BASE}/scheduled_events/{name.upper()}{n}",
                    organization=org,
                    start_time=timezone.now(),
                    event_type=event_type,
                )
                EventHost.objects.create(event=event, user_uri=user.uri, user=user)
                Invitee.objects.create(
                    uri=f"{event.uri}/invitees/I{n}", event=event, organization=org
                )
        form = RoutingForm.objects.create(uri=f"{BASE}/routing_forms/F", organization=self.acme)
        RoutingFormSubmission.objects.create(
            uri=f"{BASE}/routing_form_submissions/S", form=form, organization=self.acme
        )
        # A collective event hosted by Maya and Jonas together.
        shared = ScheduledEvent.objects.create(
            uri=f"{BASE}/scheduled_events/SHARED", organization=self.acme
        )
        EventHost.objects.create(event=shared, user_uri=self.users["maya"].uri, position=0)
        EventHost.objects.create(event=shared, user_uri=self.users["jonas"].uri, position=1)
        Invitee.objects.create(uri=f"{shared.uri}/invitees/X", event=shared, organization=self.acme)


@pytest.fixture
def world(django_user_model):
    return World(django_user_model)


def uuids(queryset):
    return sorted(row.uuid for row in queryset)


def test_a_member_sees_the_events_they_host_and_their_invitees(world):
    maya = world.site["maya"]
    assert uuids(ScheduledEvent.objects.visible_to(maya)) == ["MAYA0", "MAYA1", "SHARED"]
    assert sorted(i.uri.split("/")[-3] for i in Invitee.objects.visible_to(maya)) == [
        "MAYA0",
        "MAYA1",
        "SHARED",
    ]
    assert uuids(EventType.objects.visible_to(maya)) == ["MAYA"]
    assert uuids(CalendlyUser.objects.visible_to(maya)) == ["MAYA"]
    assert uuids(Membership.objects.visible_to(maya)) == ["MAYA"]
    assert uuids(Organization.objects.visible_to(maya)) == ["ACME"]
    assert uuids(AvailabilitySchedule.objects.visible_to(maya)) == ["MAYA"]
    assert [link.booking_url for link in SchedulingLink.objects.visible_to(maya)] == [
        "https://calendly.com/d/maya"
    ]
    assert not RoutingForm.objects.visible_to(maya).exists()
    assert not RoutingFormSubmission.objects.visible_to(maya).exists()


@pytest.mark.parametrize("name", ["olivia", "adrian"])
def test_an_owner_or_admin_sees_their_organization(world, name):
    user = world.site[name]
    acme_events = ScheduledEvent.objects.filter(organization=world.acme)
    assert uuids(ScheduledEvent.objects.visible_to(user)) == uuids(acme_events)
    assert Invitee.objects.visible_to(user).count() == 9
    assert EventType.objects.visible_to(user).count() == 4
    assert Membership.objects.visible_to(user).count() == 4
    assert RoutingForm.objects.visible_to(user).count() == 1
    assert RoutingFormSubmission.objects.visible_to(user).count() == 1
    assert SchedulingLink.objects.visible_to(user).count() == 4
    assert not ScheduledEvent.objects.visible_to(user).filter(organization=world.globex).exists()


def test_staff_see_everything(world, django_user_model):
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    assert ScheduledEvent.objects.visible_to(staff).count() == ScheduledEvent.objects.count()
    assert Invitee.objects.visible_to(staff).count() == Invitee.objects.count()
    assert Organization.objects.visible_to(staff).count() == 2


def test_strangers_see_nothing(world, django_user_model):
    stranger = django_user_model.objects.create_user("stranger")
    for viewer in (stranger, AnonymousUser(), None):
        assert not ScheduledEvent.objects.visible_to(viewer).exists()
        assert not Invitee.objects.visible_to(viewer).exists()
        assert not Organization.objects.visible_to(viewer).exists()


def test_a_disconnected_user_sees_nothing_and_a_demoted_admin_sees_their_own(world):
    olivia, adrian = world.site["olivia"], world.site["adrian"]
    Connection.objects.filter(owner=olivia).update(status=Connection.Status.REVOKED)
    assert not ScheduledEvent.objects.visible_to(olivia).exists()

    Membership.objects.filter(user=world.users["adrian"]).update(removed_at=timezone.now())
    assert uuids(ScheduledEvent.objects.visible_to(adrian)) == ["ADRIAN0", "ADRIAN1"]


def test_visible_to_combines_with_other_filters_without_duplicates(world):
    jonas = world.site["jonas"]
    shared = ScheduledEvent.objects.visible_to(jonas).filter(uri__endswith="SHARED")
    assert shared.count() == 1
    assert Invitee.objects.visible_to(jonas).filter(event__uri__endswith="SHARED").count() == 1


def test_sync_runs_are_visible_to_their_connections_owner(world, django_user_model):
    maya_connection = Connection.objects.get(owner=world.site["maya"])
    SyncRun.objects.create(connection=maya_connection)
    assert SyncRun.objects.visible_to(world.site["maya"]).count() == 1
    assert SyncRun.objects.visible_to(world.site["olivia"]).count() == 0
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    assert SyncRun.objects.visible_to(staff).count() == 1
    assert not SyncRun.objects.visible_to(AnonymousUser()).exists()
