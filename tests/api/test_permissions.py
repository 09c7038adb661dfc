"""Who may do what: anonymous, the host, another tenant, an organization admin, staff.

Reading goes by ``visible_to(user)``: what you may not see answers 404, never 403, so nobody
learns that another tenant's object exists. Writing to Calendly acts through the host's own
connection or an organization owner's or admin's, with the needed scope (403 naming it).
"""

from __future__ import annotations

import pytest

from calendly_integration.models import EventType, RoutingForm, ScheduledEvent
from tests.api.calendly_oauth import scoped_connection
from tests.api.conftest import API, api_client, future_event, hosted_by, past_invitee

ROLES = ("anonymous", "host", "other_tenant", "org_admin", "staff")


def client_for(role: str, tenant, other_tenant, staff):
    return {
        "anonymous": lambda: api_client(),
        "host": lambda: tenant.client("member"),
        "other_tenant": lambda: other_tenant.client("owner"),
        "org_admin": lambda: tenant.client("admin"),
        "staff": lambda: api_client(staff),
    }[role]()


READ_EXPECTED = {"anonymous": 401, "host": 200, "other_tenant": 404, "org_admin": 200, "staff": 200}


def test_reading_a_members_objects(tenant, other_tenant, staff):
    member = tenant.sim.members[0].uri
    event = future_event(member)
    invitee = past_invitee(member)
    event_type = EventType.objects.filter(owner_uri=member).first()
    urls = [
        f"{API}/scheduled-events/{event.pk}/",
        f"{API}/invitees/{invitee.pk}/",
        f"{API}/event-types/{event_type.pk}/",
    ]
    for role in ROLES:
        client = client_for(role, tenant, other_tenant, staff)
        for url in urls:
            response = client.get(url)
            assert response.status_code == READ_EXPECTED[role], (role, url, response.content)
            if response.status_code >= 400:
                assert response.json()["code"]


def test_lists_never_show_another_tenants_rows(tenant, other_tenant):
    for role, mine, theirs in (("owner", tenant, other_tenant), ("owner", other_tenant, tenant)):
        client = mine.client(role)
        for resource in (
            "scheduled-events",
            "invitees",
            "event-types",
            "routing-forms",
            "availability-schedules",
        ):
            rows = client.get(f"{API}/{resource}/", {"page_size": 100}).json()["results"]
            assert rows, resource
            assert all(row["uri"].startswith(mine.sim.url) for row in rows), resource
            assert not any(row["uri"].startswith(theirs.sim.url) for row in rows)


def test_anonymous_gets_401_with_a_token_challenge_everywhere(tenant):
    client = api_client()
    for url in (
        "connections/",
        "scheduled-events/",
        "analytics/",
        "busy-times/",
        "webhook-deliveries/",
    ):
        response = client.get(f"{API}/{url}")
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"] == "Token"
        assert response.json()["code"] == "not_authenticated"
    response = client.post(f"{API}/interview-links/", {}, format="json")
    assert response.status_code == 401


def test_a_bad_token_is_refused(tenant):
    client = api_client()
    client.credentials(HTTP_AUTHORIZATION="Token nope")
    assert client.get(f"{API}/scheduled-events/").status_code == 401


def test_session_authentication_works_too(tenant):
    from django.test import Client

    client = Client()
    client.force_login(tenant.users["member"])
    assert client.get(f"{API}/scheduled-events/").status_code == 200


CANCEL_EXPECTED = {
    "anonymous": 401,
    "host": 200,
    "other_tenant": 404,
    "org_admin": 200,
    "staff": 200,
}


@pytest.mark.parametrize("role", ROLES)
def test_cancelling_a_members_event(role, tenant, other_tenant, staff):
    event = future_event(tenant.sim.members[0].uri)
    response = client_for(role, tenant, other_tenant, staff).post(
        f"{API}/scheduled-events/{event.pk}/cancel/", {"reason": role}, format="json"
    )
    assert response.status_code == CANCEL_EXPECTED[role], response.content
    canceled_at_calendly = tenant.sim.get(event.uri)["status"] == "canceled"
    assert canceled_at_calendly == (response.status_code == 200)


@pytest.mark.parametrize("role", ("host", "org_admin", "other_tenant"))
def test_marking_a_no_show(role, tenant, other_tenant, staff):
    invitee = past_invitee(tenant.sim.members[0].uri)
    response = client_for(role, tenant, other_tenant, staff).post(
        f"{API}/invitees/{invitee.pk}/no-show/"
    )
    assert response.status_code == {"host": 200, "org_admin": 200, "other_tenant": 404}[role]


def test_a_member_may_not_act_on_a_colleagues_event(tenant):
    colleague_event = ScheduledEvent.objects.exclude(
        pk__in=hosted_by(tenant.sim.members[0].uri)
    ).first()
    response = tenant.client("member").post(f"{API}/scheduled-events/{colleague_event.pk}/cancel/")
    assert response.status_code == 404


def test_staff_without_any_connection_that_may_act_gets_403(tenant, staff):
    from calendly_integration.models import Connection

    event = future_event(tenant.sim.members[0].uri)
    Connection.objects.exclude(calendly_user_uri=tenant.sim.members[1].uri).update(status="revoked")
    response = api_client(staff).post(f"{API}/scheduled-events/{event.pk}/cancel/")
    assert response.status_code == 403
    assert response.json()["code"] == "not_permitted"


def test_a_missing_scope_answers_403_naming_it_before_calendly_is_called(tenant, make_user):
    user = make_user("scoped")
    scoped_connection(
        tenant.sim, user, tenant.sim.members[0], "users:read scheduled_events:read event_types:read"
    )
    event = future_event(tenant.sim.members[0].uri)
    tenant.sim.clear_requests()
    response = api_client(user).post(f"{API}/scheduled-events/{event.pk}/cancel/")
    assert response.status_code == 403
    assert response.json()["code"] == "missing_scope"
    assert response.json()["missing_scopes"] == ["scheduled_events:write"]
    assert "scheduled_events:write" in response.json()["detail"]
    assert not [r for r in tenant.sim.requests if r.method == "POST"]
    links = api_client(user).post(
        f"{API}/event-types/{EventType.objects.filter(owner_uri=tenant.sim.members[0].uri).first().pk}/single-use-links/"
    )
    assert links.status_code == 403
    assert links.json()["missing_scopes"] == ["scheduling_links:write"]


def test_calendlys_own_scope_refusal_answers_403_naming_the_scope(tenant, make_user):
    from calendly_integration.oauth.connect import connect_personal_access_token

    user = make_user("narrow-pat")
    token = tenant.sim.create_token(
        user_uri=tenant.sim.members[0].uri, scopes="users:read scheduled_events:read"
    )
    connect_personal_access_token(user, token)
    event = future_event(tenant.sim.members[0].uri)
    response = api_client(user).post(f"{API}/scheduled-events/{event.pk}/cancel/")
    assert response.status_code == 403
    assert response.json()["missing_scopes"] == ["scheduled_events:write"]


def test_routing_forms_of_another_organization_answer_404(tenant, other_tenant):
    theirs = RoutingForm.objects.filter(uri__startswith=other_tenant.sim.url).first()
    assert tenant.client("owner").get(f"{API}/routing-forms/{theirs.pk}/").status_code == 404
