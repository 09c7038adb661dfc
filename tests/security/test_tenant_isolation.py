"""A second tenant tries every URL of the API, the admin and the demo pages with the first
tenant's ids: every answer is a 403, 404 or 405 without the first tenant's data, and nothing
changes.

The URLs are found by walking the router, the admin registry and the ``demo`` URL namespace, so a
new endpoint, admin or page is covered the day it is added.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from calendly_integration.api.urls import router
from calendly_integration.models import Connection, EventType

pytestmark = pytest.mark.django_db

REFUSED = {403, 404, 405}
APP = "calendly_integration"


def app_models() -> list[Any]:
    return list(apps.get_app_config(APP).get_models())


def snapshot(tenants) -> dict[str, list[dict[str, Any]]]:
    """Every row of the first tenant, field by field, to show that nothing changed."""
    return {
        model.__name__: list(tenants.first_tenants(model).order_by("pk").values())
        for model in app_models()
        if model._meta.model_name not in ("syncstate", "eventhost")
    }


def first_tenant_uris(tenants) -> set[str]:
    uris: set[str] = set()
    for model in app_models():
        if any(f.name == "uri" for f in model._meta.get_fields()):
            rows = tenants.first_tenants(model).exclude(uri=None).values_list("uri", flat=True)
            uris.update(uri for uri in rows if uri)
    return uris


def assert_refused(response: Any, uris: set[str], what: str) -> None:
    assert response.status_code in REFUSED, (what, response.status_code)
    body = response.content.decode(errors="replace")
    leaked = [uri for uri in uris if uri in body]
    assert not leaked, (what, leaked)


def api_client(user: Any) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


# The REST API.


def detail_routes() -> Iterator[tuple[str, list[str], Any]]:
    """(URL name, HTTP methods, model) of every route of the router that takes an id."""
    for pattern in router.urls:
        groups = pattern.pattern.regex.groupindex
        if "pk" not in groups or "format" in groups:
            continue
        viewset = pattern.callback.cls
        yield pattern.name, list(pattern.callback.actions), viewset.serializer_class.Meta.model


def test_the_router_walk_finds_the_detail_routes_and_actions():
    names = {name for name, _methods, _model in detail_routes()}
    assert {"scheduled-event-detail", "scheduled-event-cancel", "invitee-no-show"} <= names


def test_every_api_route_with_an_id_refuses_another_tenant(tenants):
    client = api_client(tenants.second)
    before, uris = snapshot(tenants), first_tenant_uris(tenants)
    tried = 0
    for name, methods, model in detail_routes():
        for obj in tenants.first_tenants(model):
            url = reverse(f"calendly_api:{name}", kwargs={"pk": obj.pk})
            for method in methods:
                response = getattr(client, method)(url, {}, format="json")
                assert_refused(response, uris, f"{method.upper()} {url}")
                tried += 1
    assert tried > 50
    assert snapshot(tenants) == before


def test_api_lists_and_id_parameters_never_show_another_tenant(tenants):
    client = api_client(tenants.second)
    uris = first_tenant_uris(tenants)
    for pattern in router.urls:
        if pattern.name.endswith("-list") and "format" not in pattern.pattern.regex.groupindex:
            body = client.get(reverse(f"calendly_api:{pattern.name}")).content.decode()
            assert not [uri for uri in uris if uri in body], pattern.name
    their_user = tenants.world.users["olivia"].uri
    response = client.get(
        reverse("calendly_api:busy-times-list"),
        {
            "user": their_user,
            "start_time": "2030-01-01T00:00:00Z",
            "end_time": "2030-01-02T00:00:00Z",
        },
    )
    assert_refused(response, uris, "busy times of another tenant's user")
    their_type = EventType.objects.filter(organization=tenants.acme).first()
    response = client.post(
        reverse("calendly_api:interview-links-list"),
        {"event_type": their_type.pk, "candidates": [{"name": "Eve", "email": "eve@example.com"}]},
        format="json",
    )
    assert_refused(response, uris, "interview links on another tenant's event type")


# The admin.


@pytest.fixture
def limited_staff(tenants, settings, client):
    """The second tenant's owner as staff with every permission of the app, limited to their
    own organization."""
    settings.CALENDLY = {**(settings.CALENDLY or {}), "LIMIT_STAFF_TO_ORGANIZATIONS": True}
    user = tenants.second
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label=APP))
    client.force_login(user)
    return user


def app_admins() -> list[tuple[Any, Any]]:
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label == APP
    ]


def test_limited_staff_cannot_open_another_organizations_objects(tenants, limited_staff, client):
    uris = first_tenant_uris(tenants)
    index = reverse("admin:index")
    tried = 0
    for model, _model_admin in app_admins():
        info = f"admin:{APP}_{model._meta.model_name}"
        for obj in tenants.first_tenants(model):
            for page in ("change", "history", "delete"):
                url = reverse(f"{info}_{page}", args=[obj.pk])
                response = client.get(url)
                tried += 1
                if response.status_code == 302:  # Django's "does not exist, perhaps deleted"
                    assert response["Location"] == index, url
                    continue
                assert_refused(response, uris, url)
        body = client.get(reverse(f"{info}_changelist")).content.decode()
        assert not [uri for uri in uris if uri in body], model.__name__
    assert tried > 50


def test_limited_staff_cannot_run_actions_on_another_organizations_rows(
    tenants, limited_staff, client
):
    before, uris = snapshot(tenants), first_tenant_uris(tenants)
    request = RequestFactory().get("/")
    request.user = limited_staff
    ran = 0
    for model, model_admin in app_admins():
        ids = list(tenants.first_tenants(model).values_list("pk", flat=True))
        if not ids:
            continue
        changelist = reverse(f"admin:{APP}_{model._meta.model_name}_changelist")
        for action in model_admin.get_actions(request):
            response = client.post(
                changelist,
                {"action": action, "_selected_action": ids, "index": 0, "post": "yes"},
                follow=True,
            )
            body = response.content.decode()
            assert not [uri for uri in uris if uri in body], (model.__name__, action)
            ran += 1
    assert ran > 10
    assert snapshot(tenants) == before


# The site's pages: the demo's (``demo`` namespace, picked up as they are added) and the app's
# connection pages.


#: The site's own pages: the demo (helper views of the demo site) and the app's connection pages.
PAGE_NAMESPACES = ("demo", "calendly_integration")


def page_patterns() -> list[tuple[str, URLPattern]]:
    """(namespace, pattern) of every named page in PAGE_NAMESPACES that exists right now."""
    namespaces = get_resolver().namespace_dict
    found: list[tuple[str, URLPattern]] = []
    for namespace in PAGE_NAMESPACES:
        if namespace not in namespaces:
            continue
        pending: list[URLResolver | URLPattern] = list(namespaces[namespace][1].url_patterns)
        while pending:
            entry = pending.pop()
            if isinstance(entry, URLResolver):
                pending.extend(entry.url_patterns)
            elif entry.name:
                found.append((namespace, entry))
    return found


def is_id(name: str) -> bool:
    return name in ("pk", "id", "uuid") or name.endswith(("_id", "_pk", "_uuid"))


def id_kwargs(pattern: URLPattern) -> dict[str, Any]:
    converters = getattr(pattern.pattern, "converters", {})
    names = [name for name in pattern.pattern.regex.groupindex if is_id(name)]
    return {name: converters.get(name) for name in names}


def candidate_values(tenants, first_client) -> dict[str, set[Any]]:
    """The first tenant's ids (that are none of the second tenant's own) and string ids."""
    theirs: set[int] = set()
    mine: set[int] = set()
    strings: set[str] = set()
    for model in app_models():
        rows = tenants.first_tenants(model)
        theirs.update(rows.values_list("pk", flat=True))
        strings.update(getattr(row, "uuid", "") for row in rows if getattr(row, "uuid", ""))
        manager = model._default_manager
        if hasattr(manager.none(), "visible_to"):
            mine.update(manager.visible_to(tenants.second).values_list("pk", flat=True))
    mine.update(Connection.objects.for_user(tenants.second).values_list("pk", flat=True))
    strings.update(str(pk) for pk in theirs)
    strings.update(_session_batches(tenants, first_client))
    return {"int": theirs - mine, "str": strings}


def _session_batches(tenants, first_client) -> set[str]:
    """Ids of things the demo keeps in the first tenant's session (interview-link batches)."""
    try:
        from project.dashboard.batches import SESSION_KEY
    except ImportError:
        return set()
    session = first_client.session
    session[SESSION_KEY] = [{"id": "acme-batch", "event_type": "Secret", "rows": []}]
    session.save()
    return {"acme-batch"}


def test_site_pages_with_an_id_refuse_another_tenant(tenants, client, django_user_model):
    from django.test import Client

    first_client = Client()
    first_client.force_login(tenants.first)
    client.force_login(tenants.second)
    values = candidate_values(tenants, first_client)
    before, uris = snapshot(tenants), first_tenant_uris(tenants)
    tried = 0
    for namespace, pattern in page_patterns():
        kwargs = id_kwargs(pattern)
        if not kwargs:
            continue
        name = next(iter(kwargs))
        kind = "int" if type(kwargs[name]).__name__ == "IntConverter" else "str"
        for value in sorted(values[kind], key=str):
            url = reverse(f"{namespace}:{pattern.name}", kwargs={name: value})
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                assert_refused(response, uris, f"{method.upper()} {url}")
                assert b"acme-batch" not in response.content and b"Secret" not in response.content
                tried += 1
    assert tried
    assert snapshot(tenants) == before
