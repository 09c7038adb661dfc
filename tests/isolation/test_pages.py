"""The demo pages (``demo`` namespace) and the app's connection pages, as A's owner and A's member:
nothing of B shows, B's ids answer 404 and change nothing, and the analytics page's figures are
the ones computed from A's rows alone.

Pages without an id are found by walking the URL namespaces; pages with an id are tried with a
sample of B's rows of the model the id names (``SAMPLE`` each), GET and POST.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from calendly_integration.models import (
    Connection,
    EventType,
    Invitee,
    ScheduledEvent,
    WebhookDelivery,
)
from project.dashboard.views.analytics import charts_for

pytestmark = pytest.mark.django_db

NAMESPACES = ("demo", "calendly_integration")
SAMPLE = 3
MISSING = 2_000_000_000
ROLES = ("owner", "member")
#: The model whose pk each page with an id takes (``batch_id`` pages hold session data instead).
ID_MODELS = {
    "sync_connection": Connection,
    "disconnect": Connection,
    "event_detail": ScheduledEvent,
    "event_cancel": ScheduledEvent,
    "invitee_no_show": Invitee,
    "single_use_link": EventType,
    "prefilled_link": EventType,
}
#: Pages that are not for a person's browser (Calendly's webhook receiver).
NOT_PAGES = {"webhook"}


def patterns() -> list[tuple[str, URLPattern]]:
    namespaces = get_resolver().namespace_dict
    found: list[tuple[str, URLPattern]] = []
    for namespace in NAMESPACES:
        pending: list[Any] = list(namespaces[namespace][1].url_patterns)
        while pending:
            entry = pending.pop()
            if isinstance(entry, URLResolver):
                pending.extend(entry.url_patterns)
            elif entry.name and entry.name not in NOT_PAGES:
                found.append((namespace, entry))
    return found


def leaked(body: bytes, markers: set[str]) -> list[str]:
    text = body.decode(errors="replace")
    return [marker for marker in markers if marker in text]


def sample(rows) -> list[Any]:
    rows = list(rows.order_by("pk"))
    picked = {0, len(rows) // 2, len(rows) - 1} if rows else set()
    return [rows[i] for i in sorted(picked)][:SAMPLE]


def test_pages_show_nothing_of_b(orgs, webhooks, client):
    for role in ROLES:
        client.force_login(orgs.a.users[role])
        _pages(orgs, client, role)


def _pages(orgs, client, role: str) -> None:
    markers = orgs.markers_of(orgs.b)
    shown = 0
    for namespace, pattern in patterns():
        if pattern.pattern.regex.groupindex:
            continue
        response = client.get(reverse(f"{namespace}:{pattern.name}"))
        assert response.status_code in (200, 405), (pattern.name, response.status_code)
        assert not leaked(response.content, markers), (role, pattern.name)
        shown += 1
    assert shown >= 8


def test_pages_with_b_ids_answer_404_and_change_nothing(orgs, webhooks, client):
    for role in ROLES:
        client.force_login(orgs.a.users[role])
        _pages_with_b_ids(orgs, client, role)


def _pages_with_b_ids(orgs, client, role: str) -> None:
    markers = orgs.markers_of(orgs.b)
    before = orgs.snapshot(orgs.b)
    tried = 0
    for namespace, pattern in patterns():
        if pattern.name not in ID_MODELS:
            continue
        model = ID_MODELS[pattern.name]
        for method in ("get", "post"):
            send = getattr(client, method)
            missing = send(reverse(f"{namespace}:{pattern.name}", args=[MISSING])).status_code
            assert missing in (404, 405), (pattern.name, method, missing)
            for row in sample(orgs.rows_of(model, orgs.b)):
                url = reverse(f"{namespace}:{pattern.name}", args=[row.pk])
                response = send(url, {"name": "Eve", "email": "eve@example.com"})
                tried += 1
                assert response.status_code == missing, (role, method, url, response.status_code)
                assert not leaked(response.content, markers), (role, method, url)
    assert tried >= 30
    assert orgs.snapshot(orgs.b) == before
    assert orgs.writes_at_calendly() == []


def test_the_prefilled_link_builder_refuses_b_event_types(orgs, client):
    client.force_login(orgs.a.users["owner"])
    theirs = orgs.rows_of(EventType, orgs.b).filter(active=True).first()
    url = reverse("demo:prefilled_link", args=[theirs.pk])
    response = client.get(url, {"name": "Eve", "email": "eve@example.com"})
    assert response.status_code == 404
    assert theirs.scheduling_url.encode() not in response.content
    mine = orgs.rows_of(EventType, orgs.a).filter(active=True).first()
    response = client.get(reverse("demo:prefilled_link", args=[mine.pk]))
    assert response.status_code == 200


def a_events(orgs, role: str):
    """A's live events as ``role`` may see them, computed from the rows themselves."""
    events = ScheduledEvent.objects.filter(organization=orgs.a.organization).live()
    if role == "member":
        events = events.filter(hosts__user_uri=orgs.a.connections["member"].calendly_user_uri)
    return ScheduledEvent.objects.filter(pk__in=events.values("pk"))


def test_analytics_figures_are_a_alone(orgs, client):
    for role in ROLES:
        client.force_login(orgs.a.users[role])
        for query in ({}, {"range": "next-30"}, {"range": "past-90"}):
            _analytics(orgs, client, role, query)


def _analytics(orgs, client, role: str, query: dict) -> None:
    response = client.get(reverse("demo:analytics"), query)
    assert response.status_code == 200
    assert not leaked(response.content, orgs.markers_of(orgs.b))
    period = response.context["period"]
    tz = timezone.get_current_timezone()
    expected = charts_for(a_events(orgs, role), period, tz)
    assert response.context["analytics"] == expected["analytics"]
    assert response.context["by_event_type"] == expected["by_event_type"]
    assert expected["analytics"]["totals"]["events"] > 0


def test_the_activity_feed_never_returns_b_deliveries(orgs, webhooks, client):
    """Asked for B's delivery ids (``pending``) and from before B's (``after=0``), the feed keeps
    to A's; the owner's feed shows A's booking."""
    for role in ROLES:
        client.force_login(orgs.a.users[role])
        _feed(orgs, client, role)


def _feed(orgs, client, role: str) -> None:
    theirs = list(orgs.rows_of(WebhookDelivery, orgs.b).values_list("pk", flat=True))
    assert theirs
    markers = orgs.markers_of(orgs.b)
    highest = WebhookDelivery.objects.order_by("-pk").values_list("pk", flat=True)[0]
    for query in (
        {"after": 0},
        {"after": highest, "pending": ",".join(map(str, theirs))},
        {"after": min(theirs) - 1},
    ):
        response = client.get(reverse("demo:activity_feed"), query)
        assert response.status_code == 200
        body = response.json()
        assert not set(body["updated"]) & {str(pk) for pk in theirs}, query
        assert not leaked(response.content, markers), query
        assert "Guest B" not in response.content.decode()
    page = client.get(reverse("demo:activity")).content.decode()
    assert "Guest B" not in page
    assert ("Guest A" in page) == (role == "owner")
