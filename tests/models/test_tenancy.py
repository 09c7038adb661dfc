"""``visible_to(user)``: members see what they host, owners and admins their organization's,
staff everything, and nobody else anything."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

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
    SchedulingLink,
    SyncRun,
)
from tests.tenants import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


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
