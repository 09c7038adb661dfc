"""Every demo page renders for its owner, hides other tenants' rows and wants a signed-in user."""

from __future__ import annotations

import pytest
from django.utils import timezone

from calendly_integration.models import EventType, Invitee, ScheduledEvent
from calendly_integration.sync import sync_connection
from project.dashboard.views.dashboard import EVENTS_PER_PAGE
from tests.api.conftest import future_event, hosted_by
from tests.demo.conftest import signed_in
from tests.webhooks.conftest import book

pytestmark = pytest.mark.django_db

PAGES = (
    "/dashboard/",
    "/dashboard/event-types/",
    "/dashboard/interview-links/",
    "/dashboard/activity/",
    "/dashboard/activity/feed/",
    "/dashboard/analytics/",
)


def an_invitee_of(tenant, *, started: bool | None = None) -> Invitee:
    invitees = Invitee.objects.filter(event__in=hosted_by(tenant.sim.owner.uri), status="active")
    if started is not None:
        now = timezone.now()
        invitees = invitees.filter(
            **({"event__start_time__lte": now} if started else {"event__start_time__gt": now})
        )
    return invitees.order_by("pk").first()


def an_event_type_of(tenant) -> EventType:
    return EventType.objects.filter(owner_uri=tenant.sim.owner.uri, active=True).first()


def object_urls(tenant) -> list[tuple[str, str]]:
    """(method, URL) of every page and action about one of the tenant's objects."""
    event = future_event(tenant.sim.owner.uri)
    invitee = an_invitee_of(tenant)
    event_type = an_event_type_of(tenant)
    return [
        ("get", f"/dashboard/events/{event.pk}/"),
        ("get", f"/dashboard/events/{event.pk}/cancel/"),
        ("post", f"/dashboard/events/{event.pk}/cancel/"),
        ("post", f"/dashboard/invitees/{invitee.pk}/no-show/"),
        ("post", f"/dashboard/event-types/{event_type.pk}/single-use-link/"),
        ("get", f"/dashboard/event-types/{event_type.pk}/prefilled-link/"),
        ("post", f"/dashboard/connections/{tenant.connections['owner'].pk}/sync/"),
    ]


def test_the_dashboard_shows_connections_and_upcoming_and_past_events(owner_client, tenant):
    response = owner_client.get("/dashboard/")

    assert response.status_code == 200
    page = response.content.decode()
    assert tenant.sim.owner.email in page
    assert "Active" in page
    upcoming = response.context["upcoming"].object_list
    past = response.context["past"].object_list
    now = timezone.now()
    assert upcoming and all(event.start_time >= now for event in upcoming)
    assert past and all(event.start_time < now for event in past)
    assert f"/dashboard/events/{upcoming[0].pk}/cancel/" in page


def test_the_dashboard_pages_through_events(owner_client, tenant):
    # The seeded dataset's upcoming events vary with today's date: book enough for two pages.
    for day in range(EVENTS_PER_PAGE + 1):
        book(tenant.sim, days=day + 1, hour=10, name=f"Paging Guest{day}")
    assert sync_connection(tenant.connections["owner"].pk).succeeded
    first = owner_client.get("/dashboard/")
    second = owner_client.get("/dashboard/?upcoming=2")

    assert first.context["upcoming"].paginator.num_pages > 1
    assert second.context["upcoming"].number == 2
    assert set(first.context["upcoming"].object_list).isdisjoint(
        second.context["upcoming"].object_list
    )
    assert "?upcoming=2&amp;past=1#events" in first.content.decode()
    assert owner_client.get("/dashboard/?past=999&upcoming=nonsense").status_code == 200


def test_a_connection_that_needs_reconnecting_offers_the_calendly_login(owner_client, tenant):
    connection = tenant.connections["owner"]
    connection.status = connection.Status.NEEDS_REAUTH
    connection.kind = connection.Kind.OAUTH
    connection.save()

    page = owner_client.get("/dashboard/").content.decode()

    assert "Needs reconnecting" in page
    assert "/accounts/calendly/login/?process=connect" in page


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_for_a_connected_user(owner_client, path):
    assert owner_client.get(path).status_code == 200


def test_the_event_page_lists_its_invitees_with_no_show_toggles(owner_client, tenant):
    invitee = an_invitee_of(tenant, started=True)

    page = owner_client.get(f"/dashboard/events/{invitee.event_id}/").content.decode()

    assert invitee.email in page
    assert f"/dashboard/invitees/{invitee.pk}/no-show/" in page


def test_a_meeting_that_has_not_started_offers_no_no_show(owner_client, tenant):
    invitee = an_invitee_of(tenant, started=False)

    page = owner_client.get(f"/dashboard/events/{invitee.event_id}/").content.decode()

    assert invitee.email in page
    assert f"/dashboard/invitees/{invitee.pk}/no-show/" not in page
    assert "once the meeting starts" in page


def test_the_analytics_page_draws_its_charts(owner_client):
    response = owner_client.get("/dashboard/analytics/?range=past-90")

    page = response.content.decode()
    assert page.count('<svg class="calendly-chart"') == 2
    assert page.count('<svg class="calendly-chart calendly-hbars"') == 2
    assert response.context["analytics"]["totals"]["events"] > 0
    assert owner_client.get("/dashboard/analytics/?range=next-30").status_code == 200
    assert owner_client.get("/dashboard/analytics/?range=bogus").status_code == 200


def test_a_member_sees_only_the_events_they_host(tenant):
    member = tenant.sim.members[0]
    client = signed_in(tenant.users["member"])

    upcoming = client.get("/dashboard/").context["upcoming"].paginator.object_list

    hosted = set(hosted_by(member.uri).values_list("pk", flat=True))
    assert set(upcoming.values_list("pk", flat=True)) <= hosted
    owner_only = ScheduledEvent.objects.exclude(pk__in=hosted).first()
    assert client.get(f"/dashboard/events/{owner_only.pk}/").status_code == 404


def test_another_tenant_gets_404_for_every_object(tenant, other_tenant):
    stranger = signed_in(other_tenant.users["owner"])

    for method, url in object_urls(tenant):
        response = getattr(stranger, method)(url, {"reason": "x", "action": "mark"})
        assert response.status_code == 404, (method, url)


def test_another_tenant_does_not_see_the_events_on_its_dashboard(tenant, other_tenant):
    stranger = signed_in(other_tenant.users["owner"])

    response = stranger.get("/dashboard/")

    mine = set(hosted_by(tenant.sim.owner.uri).values_list("pk", flat=True))
    shown = {e.pk for e in response.context["upcoming"].paginator.object_list}
    assert shown and shown.isdisjoint(mine)


def test_anonymous_visitors_are_sent_to_sign_in(client, tenant):
    urls = [("get", path) for path in PAGES] + object_urls(tenant)
    urls.append(("get", "/dashboard/interview-links/some-batch/csv/"))

    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith("/accounts/login/?next="), (method, url)


def test_the_home_page_and_navigation_render_for_everyone(client, owner_client):
    anonymous = client.get("/").content.decode()
    signed = owner_client.get("/").content.decode()

    assert "/accounts/login/" in anonymous and "Sign out" not in anonymous
    assert "Sign out" in signed
    for path in ("/dashboard/", "/dashboard/event-types/", "/dashboard/activity/", "/api/docs/"):
        assert path in signed
