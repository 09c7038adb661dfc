"""Invitees: list, filters, detail, and the no-show mark (POST marks, DELETE unmarks)."""

from __future__ import annotations

from calendly_integration.models import Invitee
from tests.api.conftest import API, hosted_by, past_invitee


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_a_member_lists_the_invitees_of_events_they_host(tenant):
    member = tenant.sim.members[0].uri
    expected = set(Invitee.objects.filter(event__in=hosted_by(member)).values_list("pk", flat=True))
    assert expected
    assert ids(tenant.client("member").get(f"{API}/invitees/", {"page_size": 100})) == expected


def test_filters(tenant):
    client = tenant.client("owner")
    invitee = Invitee.objects.filter(status="canceled").first()
    assert ids(client.get(f"{API}/invitees/", {"status": "canceled", "page_size": 100})) == set(
        Invitee.objects.filter(status="canceled").values_list("pk", flat=True)
    )
    assert invitee.pk in ids(client.get(f"{API}/invitees/", {"email": invitee.email.upper()}))
    assert ids(
        client.get(f"{API}/invitees/", {"event": invitee.event_id, "page_size": 100})
    ) == set(invitee.event.invitees.values_list("pk", flat=True))
    assert ids(client.get(f"{API}/invitees/", {"no_show": "true"})) == set(
        Invitee.objects.filter(is_no_show=True).values_list("pk", flat=True)
    )
    assert client.get(f"{API}/invitees/", {"no_show": "sometimes"}).status_code == 400


def test_detail(tenant):
    invitee = past_invitee(tenant.sim.members[0].uri)
    response = tenant.client("member").get(f"{API}/invitees/{invitee.pk}/")
    assert response.status_code == 200
    assert response.json()["email"] == invitee.email


def test_post_marks_a_no_show_and_delete_unmarks_it(tenant):
    invitee = past_invitee(tenant.sim.members[0].uri)
    client = tenant.client("member")
    url = f"{API}/invitees/{invitee.pk}/no-show/"

    marked = client.post(url)
    assert marked.status_code == 200, marked.content
    assert marked.json()["is_no_show"] is True
    assert tenant.sim.get(invitee.uri)["no_show"] is not None
    invitee.refresh_from_db()
    assert invitee.is_no_show and invitee.no_show_uri

    unmarked = client.delete(url)
    assert unmarked.status_code == 200, unmarked.content
    assert unmarked.json()["is_no_show"] is False
    assert tenant.sim.get(invitee.uri)["no_show"] is None
    invitee.refresh_from_db()
    assert not invitee.is_no_show


def test_marking_twice_is_harmless(tenant):
    invitee = past_invitee(tenant.sim.members[0].uri)
    client = tenant.client("member")
    url = f"{API}/invitees/{invitee.pk}/no-show/"
    assert client.post(url).status_code == 200
    tenant.sim.clear_requests()
    again = client.post(url)
    assert again.status_code == 200 and again.json()["is_no_show"] is True
    assert not tenant.sim.requests


def test_a_mark_made_at_calendly_meanwhile_is_adopted(tenant):
    invitee = past_invitee(tenant.sim.members[0].uri)
    tenant.sim.mark_no_show(invitee.uri)
    response = tenant.client("member").post(f"{API}/invitees/{invitee.pk}/no-show/")
    assert response.status_code == 200
    assert response.json()["is_no_show"] is True


def test_unmarking_an_invitee_not_marked_changes_nothing(tenant):
    invitee = past_invitee(tenant.sim.members[0].uri)
    tenant.sim.clear_requests()
    response = tenant.client("member").delete(f"{API}/invitees/{invitee.pk}/no-show/")
    assert response.status_code == 200 and response.json()["is_no_show"] is False
    assert not tenant.sim.requests
