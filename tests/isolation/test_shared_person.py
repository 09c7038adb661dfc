"""Organizations that share a person: Dana is a member of A and of B, with the same e-mail address
and two Calendly users (two URIs); one site user (``both``) connected both.

Each connection reaches its own organization's rows; ``both`` sees the two through their own
connections, the pages say which organization a row is from, and nothing merges the two Calendly
users because their addresses match.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from calendly_integration.models import CalendlyUser, ScheduledEvent
from calendly_integration.models.tenancy import viewer_for
from calendly_integration.sync import sync_connection
from tests.isolation.conftest import SHARED_EMAIL, api_client

pytestmark = pytest.mark.django_db


def hosted(orgs, org) -> set[str]:
    uri = orgs.both_connections[org.name].calendly_user_uri
    return set(
        ScheduledEvent.objects.filter(organization=org.organization, hosts__user_uri=uri)
        .live()
        .values_list("uri", flat=True)
    )


def listed_events(client, **query) -> set[str]:
    found: set[str] = set()
    url = reverse("calendly_api:scheduled-event-list")
    params = {"page_size": 100, **query}
    while url:
        body = client.get(url, params).json()
        found.update(row["uri"] for row in body["results"])
        url, params = body.get("next"), {}
    return found


def test_two_calendly_users_share_an_address_and_stay_two(orgs):
    users = CalendlyUser.objects.filter(email=SHARED_EMAIL)
    assert {(u.uri, u.organization_id) for u in users} == {
        (orgs.both_connections["a"].calendly_user_uri, orgs.a.organization.pk),
        (orgs.both_connections["b"].calendly_user_uri, orgs.b.organization.pk),
    }
    before = orgs.snapshot(orgs.b)
    assert sync_connection(orgs.both_connections["a"].pk).succeeded
    assert sync_connection(orgs.a.connections["owner"].pk).succeeded
    assert orgs.snapshot(orgs.b) == before
    assert CalendlyUser.objects.filter(email=SHARED_EMAIL).count() == 2


def test_the_person_sees_each_organizations_rows_through_its_connection(orgs):
    assert hosted(orgs, orgs.a) and hosted(orgs, orgs.b)
    client = api_client(orgs.both)
    shown = listed_events(client)
    assert shown == hosted(orgs, orgs.a) | hosted(orgs, orgs.b)
    a_uri = orgs.both_connections["a"].calendly_user_uri
    assert listed_events(client, host=a_uri) == hosted(orgs, orgs.a)
    viewer = viewer_for(orgs.both)
    assert viewer.member_organization_ids == {orgs.a.organization.pk, orgs.b.organization.pk}
    assert not viewer.admin_organization_ids


def test_the_other_members_of_each_organization_do_not_get_the_persons_other_rows(orgs):
    """A's owner sees all of A, Dana's A rows included, and none of Dana's B rows: the address
    they share is not a way in."""
    shown = listed_events(api_client(orgs.a.users["owner"]))
    assert hosted(orgs, orgs.a) <= shown
    assert not shown & hosted(orgs, orgs.b)
    by_address = api_client(orgs.a.users["owner"]).get(
        reverse("calendly_api:scheduled-event-list"), {"invitee_email": SHARED_EMAIL}
    )
    assert not {r["uri"] for r in by_address.json()["results"]} & hosted(orgs, orgs.b)


def test_pages_say_which_organization_each_row_is_from(orgs, client):
    client.force_login(orgs.both)
    dashboard = client.get(reverse("demo:dashboard")).content.decode()
    for org in (orgs.a, orgs.b):
        assert f'class="organization">{org.organization.name}<' in dashboard, org.name
    types = client.get(reverse("demo:event_types")).content.decode()
    assert orgs.a.organization.name in types and orgs.b.organization.name in types
    event = ScheduledEvent.objects.get(uri=sorted(hosted(orgs, orgs.b))[0])
    detail = client.get(reverse("demo:event_detail", args=[event.pk])).content.decode()
    assert f'class="organization">{orgs.b.organization.name}<' in detail
    client.force_login(orgs.a.users["owner"])
    assert 'class="organization"' not in client.get(reverse("demo:dashboard")).content.decode()
