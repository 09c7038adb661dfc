"""The admin as staff limited to A (``LIMIT_STAFF_TO_ORGANIZATIONS`` on, every permission of the
app): every changelist, change, history and delete page, every action (Django's and the confirmed
ones) and the dashboard. B's rows never show, B's pks answer 404 (or Django's "perhaps it was
deleted" redirect to the index), actions on them change nothing, and the dashboard's figures are
A's alone. B's rows are sampled (``SAMPLE`` per model); actions are sent with all of B's pks.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from calendly_integration.admin.actions import confirmation_url_name
from calendly_integration.admin.dashboard import build_dashboard
from calendly_integration.models import Connection, ScheduledEvent
from tests.isolation.conftest import APP

pytestmark = pytest.mark.django_db

SAMPLE = 3
MISSING = 2_000_000_000


def app_admins() -> list[tuple[Any, Any]]:
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label == APP
    ]


def leaked(body: bytes, uris: set[str]) -> list[str]:
    text = body.decode(errors="replace")
    return [uri for uri in uris if uri in text]


def sample(rows) -> list[Any]:
    rows = list(rows.order_by("pk"))
    picked = {0, len(rows) // 2, len(rows) - 1} if rows else set()
    return [rows[i] for i in sorted(picked)][:SAMPLE]


@pytest.fixture
def staff_client(orgs, client):
    client.force_login(orgs.staff)
    return client


def test_changelists_and_object_pages_show_nothing_of_b(orgs, webhooks, staff_client):
    b_uris, a_uris = orgs.markers_of(orgs.b), orgs.uris_of(orgs.a)
    index = reverse("admin:index")
    tried, shown_a = 0, set()
    for model, _model_admin in app_admins():
        info = f"admin:{APP}_{model._meta.model_name}"
        response = staff_client.get(reverse(f"{info}_changelist"))
        assert response.status_code == 200, model.__name__
        assert not leaked(response.content, b_uris), model.__name__
        shown_a.update(leaked(response.content, a_uris))
        for page in ("change", "history", "delete"):
            # B's pks must answer what a pk nobody has answers (Django's "does not exist, perhaps
            # deleted" redirect to the index, a 404, or a 403 when the page is shut for any row).
            missing = staff_client.get(reverse(f"{info}_{page}", args=[MISSING]))
            assert missing.status_code in (302, 403, 404), (model.__name__, page)
            for obj in sample(orgs.rows_of(model, orgs.b)):
                url = reverse(f"{info}_{page}", args=[obj.pk])
                response = staff_client.get(url)
                tried += 1
                assert response.status_code == missing.status_code, (url, response.status_code)
                if response.status_code == 302:
                    assert response["Location"] == index, url
                assert not leaked(response.content, b_uris), url
    assert shown_a
    assert tried > 40


def test_actions_on_b_rows_change_nothing(orgs, webhooks, staff_client):
    before = orgs.snapshot(orgs.b)
    b_uris = orgs.uris_of(orgs.b)
    request = RequestFactory().get("/")
    request.user = orgs.staff
    ran = 0
    for model, model_admin in app_admins():
        ids = list(orgs.rows_of(model, orgs.b).values_list("pk", flat=True))
        if not ids:
            continue
        changelist = reverse(f"admin:{APP}_{model._meta.model_name}_changelist")
        for action in model_admin.get_actions(request):
            response = staff_client.post(
                changelist,
                {"action": action, "_selected_action": ids, "index": 0, "post": "yes"},
                follow=True,
            )
            assert not leaked(response.content, b_uris), (model.__name__, action)
            ran += 1
        for action in getattr(model_admin, "confirmed_actions", ()):
            url = reverse(f"admin:{confirmation_url_name(model)}", kwargs={"action": action.name})
            query = f"?ids={','.join(str(pk) for pk in ids[:20])}"
            for send in (staff_client.get, staff_client.post):
                response = send(url + query, follow=True)
                assert response.status_code in (200, 403), (url, response.status_code)
                assert not leaked(response.content, b_uris), (model.__name__, action.name)
                ran += 1
    assert ran > 10
    assert orgs.snapshot(orgs.b) == before
    assert orgs.writes_at_calendly() == []


def test_the_dashboard_counts_a_only(orgs, webhooks, staff_client):
    response = staff_client.get(reverse("admin:calendly_integration_dashboard"), {"days": 30})
    assert response.status_code == 200
    assert not leaked(response.content, orgs.markers_of(orgs.b))
    shown = response.context
    expected = build_dashboard(
        ScheduledEvent.objects.filter(organization=orgs.a.organization),
        Connection.objects.filter(organization_uri=orgs.a.uri),
        shown["period"].days,
        timezone.now(),
        timezone.get_current_timezone(),
    )
    assert shown["analytics"] == expected["analytics"]
    assert shown["by_event_type"] == expected["by_event_type"]
    assert shown["by_host"] == expected["by_host"]
    assert shown["upcoming"] == expected["upcoming"]
    assert shown["health_summary"] == expected["health_summary"]
    assert {row.connection.pk for row in shown["health"]} == {
        c.pk for c in Connection.objects.filter(organization_uri=orgs.a.uri)
    }


def test_autocompletes_searches_and_filters_find_nothing_of_b(orgs, webhooks, staff_client):
    """Every autocomplete field (the choices of the related model), each changelist searched for
    B's e-mail addresses and filtered by B's organization."""
    markers = orgs.markers_of(orgs.b)
    emails = sorted(m for m in markers if "@" in m and not m.startswith("http"))[:3]
    tried = 0
    for model, model_admin in app_admins():
        for field_name in model_admin.autocomplete_fields:
            target = model._meta.get_field(field_name).remote_field.model
            theirs = {str(pk) for pk in orgs.rows_of(target, orgs.b).values_list("pk", flat=True)}
            for term in ("", *emails[:1]):
                response = staff_client.get(
                    reverse("admin:autocomplete"),
                    {
                        "app_label": APP,
                        "model_name": model._meta.model_name,
                        "field_name": field_name,
                        "term": term,
                    },
                )
                tried += 1
                assert response.status_code == 200, (model.__name__, field_name)
                shown = {row["id"] for row in response.json()["results"]}
                assert not shown & theirs, (model.__name__, field_name, term)
                assert not leaked(response.content, markers - {term}), (model.__name__, field_name)
        changelist = reverse(f"admin:{APP}_{model._meta.model_name}_changelist")
        queries = [{"q": email} for email in emails]
        if "organization" in {f.name for f in model._meta.get_fields()}:
            queries.append({"organization__id__exact": orgs.b.organization.pk})
        for query in queries:
            response = staff_client.get(changelist, query)
            tried += 1
            if response.status_code == 302:  # a filter Django refuses sends back with ?e=1
                continue
            assert response.status_code == 200, (model.__name__, query)
            # The search box echoes the term searched for.
            assert not leaked(response.content, markers - {query.get("q")}), (model.__name__, query)
            if "q" not in query or model_admin.search_fields:
                assert response.context["cl"].result_count == 0, (model.__name__, query)
    assert tried > 20
