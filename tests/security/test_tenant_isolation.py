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
from calendly_integration.models import Connection, EventType, Invitee, ScheduledEvent
from calendly_integration.services.acting import (
    connection_for_event,
    connection_for_event_type,
    connection_for_user,
)
from calendly_integration.services.errors import NotPermitted
from tests.tenants import calendly_user, connection, membership

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


# Staff limited to their organizations (``LIMIT_STAFF_TO_ORGANIZATIONS``): one rule for the admin,
# the API, the pages and the actions, since it is applied in ``visible_to`` itself.

MIRRORED_LISTS = (
    "event-type-list",
    "scheduled-event-list",
    "invitee-list",
    "routing-form-list",
    "routing-form-submission-list",
    "availability-schedule-list",
    "webhook-subscription-list",
    "webhook-delivery-list",
)


def uris_of(tenants, organization) -> set[str]:
    uris: set[str] = set()
    for model in app_models():
        if any(f.name == "uri" for f in model._meta.get_fields()):
            rows = tenants.rows_of(model, organization).exclude(uri=None)
            uris.update(uri for uri in rows.values_list("uri", flat=True) if uri)
    return uris


def listed_uris(client: APIClient, tenants) -> set[str]:
    """The URIs of both organizations that the API's lists show to ``client``."""
    both = uris_of(tenants, tenants.acme) | uris_of(tenants, tenants.globex)
    shown: set[str] = set()
    for name in MIRRORED_LISTS:
        response = client.get(reverse(f"calendly_api:{name}"))
        assert response.status_code == 200, (name, response.status_code)
        body = response.content.decode()
        shown.update(uri for uri in both if uri in body)
    return shown


@pytest.fixture
def limit(settings):
    settings.CALENDLY = {**(settings.CALENDLY or {}), "LIMIT_STAFF_TO_ORGANIZATIONS": True}


@pytest.fixture
def unconnected_staff(django_user_model):
    """Staff with every permission of the app and no Calendly connection."""
    user = django_user_model.objects.create_user("staff-without-connection", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label=APP))
    return user


def test_limited_staff_without_a_connection_get_empty_lists_and_404s_from_the_api(
    tenants, limit, unconnected_staff
):
    client = api_client(unconnected_staff)
    before = snapshot(tenants)
    both = uris_of(tenants, tenants.acme) | uris_of(tenants, tenants.globex)
    for pattern in router.urls:
        if pattern.name.endswith("-list") and "format" not in pattern.pattern.regex.groupindex:
            response = client.get(reverse(f"calendly_api:{pattern.name}"))
            assert response.status_code in (200, 400, 405), pattern.name
            if response.status_code == 200 and "results" in response.json():
                assert response.json()["results"] == [], pattern.name
            assert not [uri for uri in both if uri in response.content.decode()], pattern.name
    tried = 0
    for name, methods, model in detail_routes():
        for organization in (tenants.acme, tenants.globex):
            for obj in tenants.rows_of(model, organization):
                url = reverse(f"calendly_api:{name}", kwargs={"pk": obj.pk})
                for method in methods:
                    response = getattr(client, method)(url, {}, format="json")
                    assert response.status_code in (404, 405), (method, url)
                    tried += 1
    assert tried > 100
    kind = EventType.objects.filter(organization=tenants.globex).first()
    response = client.post(
        reverse("calendly_api:interview-links-list"),
        {"event_type": kind.pk, "candidates": [{"name": "Eve", "email": "eve@example.com"}]},
        format="json",
    )
    assert response.status_code in REFUSED
    theirs = Connection.objects.get(owner=tenants.second)
    response = client.post(
        reverse("calendly_api:webhook-subscription-list"),
        {"connection": theirs.pk, "scope": "user"},
        format="json",
    )
    assert response.status_code == 404
    assert snapshot(tenants) == before


def test_limited_staff_see_their_organization_in_the_api_and_not_the_other(
    tenants, limit, limited_staff
):
    shown = listed_uris(api_client(limited_staff), tenants)
    assert shown
    assert shown <= uris_of(tenants, tenants.globex)
    assert not shown & uris_of(tenants, tenants.acme)


def test_superusers_are_never_limited(tenants, limit, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    shown = listed_uris(api_client(root), tenants)
    assert shown & uris_of(tenants, tenants.acme)
    assert shown & uris_of(tenants, tenants.globex)


def test_without_the_limit_staff_see_every_organization(tenants, unconnected_staff):
    shown = listed_uris(api_client(unconnected_staff), tenants)
    assert shown & uris_of(tenants, tenants.acme)
    assert shown & uris_of(tenants, tenants.globex)


def test_the_deprecated_admin_setting_still_limits_everywhere(tenants, settings, limited_staff):
    settings.CALENDLY = {
        **{k: v for k, v in settings.CALENDLY.items() if k != "LIMIT_STAFF_TO_ORGANIZATIONS"},
        "ADMIN_LIMIT_STAFF_TO_ORGANIZATIONS": True,
    }
    shown = listed_uris(api_client(limited_staff), tenants)
    assert shown and not shown & uris_of(tenants, tenants.acme)
    settings.CALENDLY = {**settings.CALENDLY, "LIMIT_STAFF_TO_ORGANIZATIONS": False}
    assert listed_uris(api_client(limited_staff), tenants) & uris_of(tenants, tenants.acme)


def test_limited_staff_without_a_connection_see_no_page_of_either_organization(
    tenants, limit, unconnected_staff, client
):
    client.force_login(unconnected_staff)
    both = uris_of(tenants, tenants.acme) | uris_of(tenants, tenants.globex)
    emails = set(Invitee.objects.values_list("email", flat=True))
    before = snapshot(tenants)
    tried = 0
    for namespace, pattern in page_patterns():
        kwargs = id_kwargs(pattern)
        if pattern.name == "webhook" or (pattern.pattern.regex.groupindex and not kwargs):
            continue
        name = next(iter(kwargs), None)
        kind = "int" if name and type(kwargs[name]).__name__ == "IntConverter" else "str"
        if name is None:
            urls = [reverse(f"{namespace}:{pattern.name}")]
        elif kind == "int":
            pks = set()
            for model in app_models():
                pks.update(model._default_manager.values_list("pk", flat=True))
            urls = [reverse(f"{namespace}:{pattern.name}", kwargs={name: pk}) for pk in pks]
        else:
            continue
        for url in urls:
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                body = response.content.decode(errors="replace")
                if kwargs:
                    assert response.status_code in REFUSED, (method, url, response.status_code)
                assert response.status_code < 500, (method, url)
                assert not [uri for uri in both if uri in body], (method, url)
                assert not [e for e in emails if e in body], (method, url)
                tried += 1
    assert tried > 20
    assert snapshot(tenants) == before


def test_limited_staff_without_a_connection_see_an_empty_admin(
    tenants, limit, unconnected_staff, client
):
    client.force_login(unconnected_staff)
    for model, _model_admin in app_admins():
        response = client.get(reverse(f"admin:{APP}_{model._meta.model_name}_changelist"))
        assert response.status_code == 200, model.__name__
        assert response.context["cl"].result_count == 0, model.__name__


def acme_targets(tenants) -> dict[str, Any]:
    event = ScheduledEvent.objects.hosted_by(tenants.world.users["olivia"].uri).first()
    return {
        "event": event,
        "event_type": EventType.objects.filter(organization=tenants.acme).first(),
        "user": tenants.world.users["olivia"],
    }


def test_limited_staff_cannot_act_through_another_organizations_connections(
    tenants, limit, limited_staff, unconnected_staff
):
    targets = acme_targets(tenants)
    for actor in (limited_staff, unconnected_staff):
        with pytest.raises(NotPermitted):
            connection_for_event(targets["event"], actor)
        with pytest.raises(NotPermitted):
            connection_for_event_type(targets["event_type"], actor)
        with pytest.raises(NotPermitted):
            connection_for_user(targets["user"].uri, tenants.acme.pk, actor)


def test_limited_staff_act_in_their_organization_through_its_connections(
    tenants, limit, django_user_model
):
    """A staff user whose Calendly user is a plain member of Globex acts on Globex's events
    through the host's connection, as the admin's bulk actions always let staff do."""
    member = calendly_user(tenants.globex)
    membership(tenants.globex, member, "user")
    staff = django_user_model.objects.create_user("globex-staff", is_staff=True)
    connection(tenants.globex, owner=staff, calendly_user=member)
    event = ScheduledEvent.objects.filter(organization=tenants.globex).first()

    acting = connection_for_event(event, staff)

    assert acting.owner == tenants.second
    with pytest.raises(NotPermitted):
        connection_for_event(acme_targets(tenants)["event"], staff)


def test_unlimited_staff_act_anywhere(tenants, unconnected_staff):
    acting = connection_for_event(acme_targets(tenants)["event"], unconnected_staff)
    assert acting.owner == tenants.first
