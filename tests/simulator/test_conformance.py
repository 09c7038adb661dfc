"""Every operation, success and error, answers what Calendly's OpenAPI spec says it answers.

The ``calendly_simulator`` fixture validates every request and response with openapi-core; these
tests drive each operation of API-NOTES.md at least once both ways and then require that nothing
was flagged and that no operation was left out.
"""

from __future__ import annotations

from datetime import timedelta

import requests

from calendly_integration.testing.simulator import CalendlySimulator, routing
from calendly_integration.testing.simulator.messages import Request, Response
from calendly_integration.testing.simulator.timeutil import iso
from calendly_integration.testing.simulator.validation import SpecValidator

from .conftest import Api, path_of


def _statuses_by_route(sim: CalendlySimulator) -> dict[str, set[int]]:
    """Which statuses each route template answered, from the recorded traffic."""
    seen: dict[str, set[int]] = {}
    for recorded in sim.requests:
        found = routing.match(recorded.method, recorded.path)
        if found and recorded.status:
            seen.setdefault(f"{recorded.method} {found[0].template}", set()).add(recorded.status)
    return seen


def expect(response: requests.Response, status: int) -> dict:
    assert response.status_code == status, (
        f"{response.request.method} {response.url}: {response.text}"
    )
    if response.content:
        body = response.json()
        if status >= 400:
            assert set(body) <= {"title", "message", "details"}
            assert body["title"] and body["message"]
        return body
    return {}


def test_every_operation_conforms_to_the_spec(
    sim: CalendlySimulator, api: Api, member_api: Api
) -> None:
    sim.clear_requests()
    org_uuid = sim.organization_uri.rsplit("/", 1)[1]
    anonymous = requests.get(f"{sim.url}/users/me", timeout=5)

    # users and organizations
    assert anonymous.status_code == 401
    expect(api.get("/users/me"), 200)
    expect(api.get(f"/users/{sim.admin.uuid}"), 200)
    expect(api.get("/users/NOSUCHUSER000000"), 404)
    expect(api.get(f"/organizations/{org_uuid}"), 200)
    expect(api.get("/organizations/NOSUCHORG0000000"), 404)
    memberships = expect(
        api.get("/organization_memberships", organization=sim.organization_uri), 200
    )
    expect(api.get("/organization_memberships"), 400)
    membership = next(
        m for m in memberships["collection"] if m["user"]["uri"] == sim.members[-1].uri
    )
    owner_membership = next(m for m in memberships["collection"] if m["role"] == "owner")
    expect(api.get(path_of(membership["uri"], sim)), 200)
    expect(api.get("/organization_memberships/NOSUCHMEMBERSHIP"), 404)
    expect(api.delete(path_of(owner_membership["uri"], sim)), 403)
    expect(api.delete(path_of(membership["uri"], sim)), 204)
    invitations = f"/organizations/{org_uuid}/invitations"
    expect(api.get(invitations, status="pending"), 200)
    expect(member_api.get(invitations), 403)
    invitation = expect(api.post(invitations, {"email": "new.hire@example.com"}), 201)["resource"]
    expect(api.post(invitations, {"email": "new.hire@example.com"}), 400)
    expect(api.get(path_of(invitation["uri"], sim)), 200)
    expect(api.get(f"{invitations}/00000000-0000-4000-8000-000000000000"), 404)
    expect(api.delete(path_of(invitation["uri"], sim)), 204)
    expect(api.delete(path_of(invitation["uri"], sim)), 404)

    # availability
    schedules = expect(api.get("/user_availability_schedules", user=sim.owner.uri), 200)
    expect(api.get("/user_availability_schedules"), 400)
    expect(api.get(path_of(schedules["collection"][0]["uri"], sim)), 200)
    expect(api.get("/user_availability_schedules/00000000-0000-4000-8000-000000000000"), 404)
    now = sim.now()
    week = {"start_time": iso(now + timedelta(hours=1)), "end_time": iso(now + timedelta(days=7))}
    expect(api.get("/user_busy_times", user=sim.owner.uri, **week), 200)
    too_long = {"start_time": iso(now), "end_time": iso(now + timedelta(days=8))}
    expect(api.get("/user_busy_times", user=sim.owner.uri, **too_long), 400)

    # event types
    event_types = expect(api.get("/event_types", user=sim.owner.uri, active="true"), 200)[
        "collection"
    ]
    expect(api.get("/event_types"), 400)
    event_type = next(et for et in event_types if et["kind"] == "solo")
    expect(api.get(path_of(event_type["uri"], sim)), 200)
    expect(api.get("/event_types/NOSUCHEVENTTYPE0"), 404)
    expect(api.patch(path_of(event_type["uri"], sim), {"name": "Intro call", "duration": 30}), 200)
    expect(api.patch(path_of(event_type["uri"], sim), {"duration": 0}), 400)
    one_off = {
        "name": "Quarterly check-in",
        "host": sim.owner.uri,
        "duration": 30,
        "timezone": "America/New_York",
        "date_setting": {
            "type": "date_range",
            "start_date": "2030-01-01",
            "end_date": "2030-01-10",
        },
        "location": {"kind": "physical", "location": "Main office"},
    }
    expect(api.post("/one_off_event_types", one_off), 201)
    expect(api.post("/one_off_event_types", {"name": "x"}), 400)
    times = expect(
        api.get("/event_type_available_times", event_type=event_type["uri"], **week), 200
    )
    expect(api.get("/event_type_available_times", event_type=event_type["uri"], **too_long), 400)

    # scheduled events and invitees
    events = expect(
        api.get("/scheduled_events", user=sim.owner.uri, status="active", count=100), 200
    )
    expect(api.get("/scheduled_events"), 400)
    future = next(
        e
        for e in sim.events_of(sim.owner.uri)
        if e["status"] == "active" and e["start_time"] > iso(now)
    )
    past = next(
        e
        for e in sim.events_of(sim.owner.uri)
        if e["status"] == "active" and e["end_time"] < iso(now)
    )
    assert events["collection"]
    expect(api.get(path_of(future["uri"], sim)), 200)
    expect(api.get("/scheduled_events/NOSUCHEVENT00000"), 404)
    invitees = expect(api.get(path_of(past["uri"], sim) + "/invitees"), 200)["collection"]
    expect(api.get(path_of(past["uri"], sim) + "/invitees", count=500), 400)
    invitee = invitees[0]
    expect(api.get(path_of(invitee["uri"], sim)), 200)
    expect(
        api.get(path_of(past["uri"], sim) + "/invitees/00000000-0000-4000-8000-000000000000"), 404
    )
    expect(
        api.post(path_of(future["uri"], sim) + "/cancellation", {"reason": "Double booked"}), 201
    )
    expect(api.post(path_of(future["uri"], sim) + "/cancellation", {"reason": "again"}), 403)
    if invitee["no_show"]:
        expect(api.delete(path_of(invitee["no_show"]["uri"], sim)), 204)
    no_show = expect(api.post("/invitee_no_shows", {"invitee": invitee["uri"]}), 201)["resource"]
    expect(api.post("/invitee_no_shows", {"invitee": "not a uri"}), 400)
    expect(api.get(path_of(no_show["uri"], sim)), 200)
    expect(api.delete(path_of(no_show["uri"], sim)), 204)
    expect(api.get(path_of(no_show["uri"], sim)), 404)
    expect(api.delete(path_of(no_show["uri"], sim)), 404)
    slot = times["collection"][0]
    booking = {
        "event_type": event_type["uri"],
        "start_time": slot["start_time"],
        "invitee": {
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "timezone": "Europe/London",
        },
        "questions_and_answers": [{"question": "Anything else?", "answer": "No", "position": 0}],
    }
    expect(api.post("/invitees", booking), 201)
    expect(api.post("/invitees", {"event_type": event_type["uri"]}), 400)

    # scheduling links and shares
    link = {"max_event_count": 1, "owner": event_type["uri"], "owner_type": "EventType"}
    expect(api.post("/scheduling_links", link), 201)
    expect(api.post("/scheduling_links", {"max_event_count": 2}), 400)
    expect(api.post("/shares", {"event_type": event_type["uri"], "duration": 45}), 201)
    expect(api.post("/shares", {"event_type": event_type["uri"], "period_type": "fixed"}), 400)

    # webhooks
    hooks = "/webhook_subscriptions"
    expect(api.get(hooks, organization=sim.organization_uri, scope="organization"), 200)
    expect(api.get(hooks, organization=sim.organization_uri), 400)
    subscription = {
        "url": "http://127.0.0.1:9/never-called",
        "events": ["invitee.created", "invitee.canceled", "invitee_no_show.created"],
        "organization": sim.organization_uri,
        "user": sim.owner.uri,
        "scope": "user",
    }
    hook = expect(api.post(hooks, subscription), 201)["resource"]
    expect(api.post(hooks, subscription), 409)
    expect(api.get(path_of(hook["uri"], sim)), 200)
    expect(api.get(f"{hooks}/00000000-0000-4000-8000-000000000000"), 404)
    expect(api.delete(path_of(hook["uri"], sim)), 204)
    expect(api.delete(path_of(hook["uri"], sim)), 404)

    # routing forms
    forms = expect(api.get("/routing_forms", organization=sim.organization_uri), 200)["collection"]
    expect(member_api.get("/routing_forms", organization=sim.organization_uri), 403)
    expect(api.get(path_of(forms[0]["uri"], sim)), 200)
    expect(api.get("/routing_forms/NOSUCHFORM000000"), 404)
    submissions = expect(api.get("/routing_form_submissions", form=forms[0]["uri"]), 200)[
        "collection"
    ]
    expect(api.get("/routing_form_submissions"), 400)
    expect(api.get(path_of(submissions[0]["uri"], sim)), 200)
    expect(api.get("/routing_form_submissions/NOSUCHSUBMISSION"), 404)

    # activity log and data compliance
    expect(api.get("/activity_log_entries", organization=sim.organization_uri, count=5), 200)
    expect(member_api.get("/activity_log_entries", organization=sim.organization_uri), 403)
    expect(api.post("/data_compliance/deletion/invitees", {"emails": [invitee["email"]]}), 202)
    expect(api.post("/data_compliance/deletion/invitees", {"emails": []}), 400)
    old = {"start_time": iso(now - timedelta(days=400)), "end_time": iso(now - timedelta(days=170))}
    expect(api.post("/data_compliance/deletion/events", old), 202)
    expect(
        api.post(
            "/data_compliance/deletion/events",
            {"start_time": iso(now), "end_time": iso(now + timedelta(days=1))},
        ),
        400,
    )

    seen = _statuses_by_route(sim)
    every_route = {f"{route.method} {route.template}" for route in routing.ROUTES}
    assert set(seen) == every_route, every_route - set(seen)
    for route, statuses in seen.items():
        assert any(s < 300 for s in statuses), f"{route} never succeeded"
        assert any(s >= 400 for s in statuses), f"{route} never failed"
    assert sim.spec_violations == []


def test_scope_rate_limit_and_auth_errors_conform(sim: CalendlySimulator, api: Api) -> None:
    narrow = Api(sim, sim.create_token(scopes="users:read"))
    assert narrow.get("/scheduled_events", user=sim.owner.uri).status_code == 403
    assert narrow.post("/webhook_subscriptions", {}).status_code == 403
    sim.rate_limit_per_minute = 2
    fresh = Api(sim, sim.create_token(sim.members[1].uri))
    statuses = [fresh.get("/users/me").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    expired = sim.create_token()
    sim.revoke_token(expired)
    assert Api(sim, expired).get("/event_types", user=sim.owner.uri).status_code == 401
    assert sim.spec_violations == []


def test_the_validator_flags_a_response_that_breaks_the_spec() -> None:
    validator = SpecValidator()
    request = Request("GET", "/users/me", {}, {"Authorization": "Bearer x"})
    response = Response.json(200, {"resource": {"uri": "https://api.calendly.com/users/X"}})
    validator.check(request, response, "/users/me")
    assert len(validator.violations) == 1
    assert "GET /users/me -> 200: response" in validator.violations[0]


def test_the_validator_accepts_rejected_bad_requests_but_flags_accepted_ones() -> None:
    validator = SpecValidator()
    request = Request("GET", "/event_types", {"count": ["500"], "user": ["https://x/users/A"]}, {})
    rejected = Response.json(
        400,
        {
            "title": "Invalid Argument",
            "message": "The supplied parameters are invalid.",
            "details": [{"parameter": "count", "message": "must be between 1 and 100"}],
        },
    )
    validator.check(request, rejected, "/event_types")
    assert validator.violations == []
    accepted = Response.json(200, {"collection": [], "pagination": {
        "count": 0, "next_page": None, "previous_page": None,
        "next_page_token": None, "previous_page_token": None,
    }})  # fmt: skip
    validator.check(request, accepted, "/event_types")
    assert any("request" in v for v in validator.violations)


def test_the_validator_checks_webhook_envelopes_too() -> None:
    validator = SpecValidator()
    validator.check_webhook(
        {"event": "invitee.created", "created_at": "yesterday", "created_by": "x", "payload": {}}
    )
    assert validator.violations
    assert all(v.startswith("webhook invitee.created") for v in validator.violations)
