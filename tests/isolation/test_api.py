"""Every route of the REST API, as A's member, A's owner and staff limited to A: B's rows never show,
B's ids answer 404, filters by B's ids find nothing, and nothing of B changes here or at Calendly.

Routes come from the API's URLconf and their query parameters from the OpenAPI schema (as in
``tests/security/test_hostile_api.py``), so a new route or filter is swept the day it is added.
Detail routes are tried with up to ``SAMPLE`` of B's rows per model (the first, last and middle
by pk), every method the route serves.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import URLPattern, reverse
from drf_spectacular.generators import SchemaGenerator

from calendly_integration.api import urls as api_urls
from calendly_integration.api.serializers.analytics import (
    AnalyticsQuerySerializer,
    AnalyticsSerializer,
)
from calendly_integration.models import (
    AvailabilitySchedule,
    CalendlyUser,
    Connection,
    EventType,
    Invitee,
    RoutingForm,
    RoutingFormSubmission,
    ScheduledEvent,
    WebhookDelivery,
    WebhookSubscription,
)
from calendly_integration.services.analytics import event_analytics
from tests.isolation.conftest import api_client

pytestmark = pytest.mark.django_db

ROLES = ("member", "owner", "staff")
SAMPLE = 3
MISSING = 2_000_000_000

#: The model behind each path prefix of the API (the rows whose ids fill ``{id}``).
MODELS = {
    "availability-schedules": AvailabilitySchedule,
    "connections": Connection,
    "event-types": EventType,
    "invitees": Invitee,
    "routing-form-submissions": RoutingFormSubmission,
    "routing-forms": RoutingForm,
    "scheduled-events": ScheduledEvent,
    "webhook-deliveries": WebhookDelivery,
    "webhook-subscriptions": WebhookSubscription,
}


def routes() -> list[tuple[str, str, list[str]]]:
    """(path template, method, query parameter names) of every route the API's URLconf serves."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    prefix = reverse("calendly_api:api-root")
    found = []
    for pattern in api_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        regex = pattern.pattern.regex
        if "format" in regex.groupindex:
            continue
        template = re.sub(r"\(\?P<\w+>[^)]*\)", "{id}", re.sub(r"^\^|(\$|\\Z)$", "", regex.pattern))
        path = prefix + template
        actions = getattr(pattern.callback, "actions", None) or {"get": "root"}
        for method in sorted(set(actions) - {"head", "options"}):
            spec = schema["paths"].get(path, {}).get(method, {})
            names = [p["name"] for p in spec.get("parameters", []) if p.get("in") == "query"]
            found.append((path, method, names))
    return found


def model_of(path: str) -> Any:
    return MODELS[path.split("/")[2]]


def caller(orgs, role: str) -> Any:
    return orgs.staff if role == "staff" else orgs.a.users[role]


def sample(rows) -> list[Any]:
    rows = list(rows.order_by("pk"))
    picked = {0, len(rows) // 2, len(rows) - 1} if rows else set()
    return [rows[i] for i in sorted(picked)][:SAMPLE]


def leaked(body: bytes, uris: set[str]) -> list[str]:
    text = body.decode(errors="replace")
    return [uri for uri in uris if uri in text]


def b_values(orgs) -> dict[str, list[Any]]:
    """Values naming B's rows, for each filter the API has (pk and URI where both may be sent)."""
    b = orgs.b
    user = CalendlyUser.objects.filter(organization=b.organization).exclude(email="").first()
    event = orgs.rows_of(ScheduledEvent, b).first()
    kind = orgs.rows_of(EventType, b).first()
    form = orgs.rows_of(RoutingForm, b).first()
    subscription = orgs.rows_of(WebhookSubscription, b).first()
    invitee = orgs.rows_of(Invitee, b).first()
    values = {
        "user": [user.uri, user.pk],
        "owner": [user.uri, user.pk],
        "host": [user.uri, user.pk],
        "event": [event.pk, event.uri],
        "event_type": [kind.pk, kind.uri],
        "email": [invitee.email],
        "invitee_email": [invitee.email],
        "form": [form.pk, form.uri] if form else [b.uri],
        "subscription": [subscription.pk] if subscription else [],
        "connection": [b.connections["owner"].pk],
        "organization": [b.organization.pk, b.uri],
    }
    return values


def test_lists_and_filters_show_nothing_of_b(orgs, webhooks):
    for role in ROLES:
        _lists(orgs, api_client(caller(orgs, role)), role)


def _lists(orgs, client, role: str) -> None:
    b_uris, a_uris = orgs.uris_of(orgs.b), orgs.uris_of(orgs.a)
    values = b_values(orgs)
    shown_a, sent = set(), 0
    for path, method, params in routes():
        if method != "get" or "{id}" in path:
            continue
        response = client.get(path)
        sent += 1
        if response.status_code == 403:  # the route is not for this role at all
            continue
        assert response.status_code in (200, 400), (path, response.status_code)
        assert not leaked(response.content, b_uris), (role, path)
        shown_a.update(uri for uri in leaked(response.content, a_uris))
        for name in [*params, "organization"]:
            for value in values.get(name, []):
                response = client.get(path, {name: value})
                sent += 1
                assert response.status_code in (200, 400, 404), (path, name, response.status_code)
                assert not leaked(response.content, b_uris), (role, path, name, value)
                if response.status_code == 200 and name != "organization":
                    results = response.json().get("results")
                    if isinstance(results, list) and name not in ("email", "invitee_email"):
                        assert results == [], (role, path, name, value)
    assert shown_a, "A's own rows should show"
    assert sent > 40


def test_every_route_with_an_id_of_b_answers_404_and_changes_nothing(orgs, webhooks):
    for role in ROLES:
        _routes_with_b_ids(orgs, api_client(caller(orgs, role)), role)


def _routes_with_b_ids(orgs, client, role: str) -> None:
    b_uris = orgs.uris_of(orgs.b)
    before = orgs.snapshot(orgs.b)
    sent = 0
    for path, method, _params in routes():
        if "{id}" not in path:
            continue
        send = getattr(client, method)
        # What an id nobody has answers: B's ids must get exactly that (a 404, or a 403 when
        # the route is not for this role whatever the id), so nothing tells B's rows exist.
        missing = send(path.replace("{id}", str(MISSING)), {}, format="json").status_code
        assert missing in (403, 404), (role, method, path, missing)
        for row in sample(orgs.rows_of(model_of(path), orgs.b)):
            url = path.replace("{id}", str(row.pk))
            response = send(url, {}, format="json")
            sent += 1
            assert response.status_code == missing, (role, method, url, response.status_code)
            assert not leaked(response.content, b_uris), (role, method, url)
    assert sent >= 40
    assert orgs.snapshot(orgs.b) == before
    assert orgs.writes_at_calendly() == []


def test_creating_with_b_ids_is_refused(orgs, webhooks):
    for role in ROLES:
        _creating(orgs, api_client(caller(orgs, role)), role)


def _creating(orgs, client, role: str) -> None:
    b_uris = orgs.uris_of(orgs.b)
    before = orgs.snapshot(orgs.b)
    kind = orgs.rows_of(EventType, orgs.b).filter(active=True).first()
    user = orgs.b.connections["owner"].calendly_user_uri
    attempts = [
        (
            "calendly_api:interview-links-list",
            {"event_type": kind.pk, "candidates": [{"name": "Eve", "email": "eve@example.com"}]},
        ),
        ("calendly_api:webhook-subscription-list", {"connection": orgs.b.connections["owner"].pk}),
        (
            "calendly_api:webhook-subscription-list",
            {"connection": orgs.b.connections["owner"].pk, "scope": "organization"},
        ),
    ]
    for name, body in attempts:
        response = client.post(reverse(name), body, format="json")
        assert response.status_code in (400, 404), (role, name, response.status_code)
        assert not leaked(response.content, b_uris), (role, name)
    response = client.get(
        reverse("calendly_api:busy-times-list"),
        {"user": user, "start_time": "2030-01-01T00:00:00Z", "end_time": "2030-01-02T00:00:00Z"},
    )
    assert response.status_code in (400, 404), (role, response.status_code)
    assert orgs.snapshot(orgs.b) == before
    assert orgs.writes_at_calendly() == []


def a_events(orgs, role: str):
    """A's events as ``role`` may see them, computed from the rows themselves."""
    events = ScheduledEvent.objects.filter(organization=orgs.a.organization)
    if role == "member":
        host = orgs.a.connections["member"].calendly_user_uri
        events = ScheduledEvent.objects.filter(pk__in=events.filter(hosts__user_uri=host))
    return events


def test_analytics_figures_are_a_alone(orgs):
    query = {"start": "2020-01-01", "end": "2199-01-01", "timezone": "UTC"}
    parsed = AnalyticsQuerySerializer(data=query)
    assert parsed.is_valid(), parsed.errors
    for role in ROLES:
        response = api_client(caller(orgs, role)).get(reverse("calendly_api:analytics-list"), query)
        assert response.status_code == 200, (role, response.status_code)
        expected = event_analytics(
            a_events(orgs, role),
            parsed.validated_data["start"],
            parsed.validated_data["end"],
            parsed.validated_data["timezone"],
        )
        figures = json.loads(json.dumps(AnalyticsSerializer(expected).data, cls=DjangoJSONEncoder))
        assert response.json() == figures, role
        assert figures["totals"]["events"] > 0, role
