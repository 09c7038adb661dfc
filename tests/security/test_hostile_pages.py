"""Hostile input on the app's pages, the demo's pages and the app's admin: never a 5xx.

NUL characters and lone surrogates (as the bytes a client can send) go into URL path segments,
query strings (the admin's search, list filters and date hierarchy, the demo's filters, ``next``)
form fields and headers; ids are written in Unicode digits (``int()`` reads ``"٣"`` as 3, which
must not open object 3); dates are absurd (year 9999, 99999, zero). Every page is found by walking
the URL resolver (the ``demo`` and ``calendly_integration`` namespaces and the app's admin
registry), so a page is covered the day it is added. Each request is sent as an organization
member, as staff limited to their organization and as a superuser, on whichever database the run
uses (SQLite by default, PostgreSQL with ``DATABASE_URL``).

The views are tested without ``RejectUnsafeInputMiddleware`` (the app's views must be safe on a
site that does not use it); the middleware has its own test at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from calendly_integration.models import Connection, EventType, Invitee, ScheduledEvent

pytestmark = pytest.mark.django_db

APP = "calendly_integration"
MIDDLEWARE = "calendly_integration.middleware.RejectUnsafeInputMiddleware"
#: A value no id has, replaced in a reversed URL by the hostile segment.
MARK = "7777777"
#: ASCII digits to Arabic-Indic ones (U+0660...) and to fullwidth ones (U+FF10...).
ARABIC = {ord("0") + d: 0x0660 + d for d in range(10)}
FULLWIDTH = {ord("0") + d: 0xFF10 + d for d in range(10)}

#: Percent-encoded as a client sends them: NUL, lone high and low surrogates (as the UTF-8-like
#: bytes ED A0 80 / ED B0 80), superscript two (``isdigit()`` but not ``int()``), a number no
#: column holds, and the admin's own escape for NUL (``_00``, which its ``unquote`` decodes).
PATH_SEGMENTS = ("%00", "1%00", "%ED%A0%80", "%ED%B0%80", "%C2%B2", "9" * 25, "_00")
QUERY_VALUES = ("a%00b", "%ED%A0%80", quote("٣"), "9" * 25, "99999-01-01")
#: Keys the demo's pages, the connection pages and Django's admin read from the query string.
QUERY_KEYS = (
    "q",
    "next",
    "page",
    "upcoming",
    "past",
    "link",
    "range",
    "days",
    "after",
    "pending",
    "ids",
    "name",
    "email",
    "a1",
)
ADMIN_QUERY_KEYS = ("q", "p", "o", "_changelist_filters", "_to_field")
#: Headers with NUL and lone surrogates (a WSGI server hands headers over as str).
HEADERS = (
    "HTTP_REFERER",
    "HTTP_USER_AGENT",
    "HTTP_ACCEPT_LANGUAGE",
    "HTTP_ACCEPT",
    "HTTP_X_FORWARDED_FOR",
)
HEADER_VALUES = ("a\x00b", "x\udcffy")
#: Form fields of the pages (NUL only where a valid value would act at Calendly).
FORM_FIELDS = ("token", "reason", "action", "next", "ids", "count", "email")
FORM_VALUES = (b"a%00b", b"%ED%A0%80", quote("٣").encode())
#: Pages of other work (the interview-link pages) and the webhook receiver (not a page).
SKIPPED = {("demo", "interview_links"), ("demo", "interview_links_batch")}
SKIPPED |= {("demo", "interview_links_csv"), (APP, "webhook")}
#: Views that act at Calendly whatever the form says: posted only with ids the user cannot see.
ACTING = {("demo", "sync_connection"), ("demo", "single_use_link"), (APP, "disconnect")}
#: Which model a page's id names, to give the page a row the user may see.
PAGE_MODELS = {
    "event_detail": ScheduledEvent,
    "event_cancel": ScheduledEvent,
    "invitee_no_show": Invitee,
    "single_use_link": EventType,
    "prefilled_link": EventType,
    "sync_connection": Connection,
    "disconnect": Connection,
}


@dataclass(frozen=True)
class Page:
    namespace: str
    name: str
    pattern: URLPattern
    model: Any = None  # the admin's model, for its pages

    @property
    def kwargs(self) -> list[str]:
        return list(self.pattern.pattern.regex.groupindex)

    @property
    def key(self) -> tuple[str, str]:
        return (self.namespace, self.name)

    @property
    def reads_input(self) -> bool:
        """A page whose view reads the query string, a form or headers: every page of the app
        and the demo; in the admin the lists, object pages, action pages and the dashboard (the
        history and delete pages of read-only rows read nothing but the id)."""
        return self.namespace != "admin" or self.name.endswith(
            ("_changelist", "_change", "_confirm_action", "dashboard", "index", "app_list")
        )

    def url(self, values: dict[str, Any] | None = None) -> str:
        values = values or {}
        kwargs = {name: values.get(name, MARK) for name in self.kwargs}
        if "app_label" in kwargs:
            kwargs["app_label"] = APP
        return reverse(f"{self.namespace}:{self.name}", kwargs=kwargs)


def _walk(entries: list, namespace: str) -> Iterator[tuple[str, URLPattern]]:
    for entry in entries:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, entry.namespace or namespace)
        elif entry.name:
            yield namespace, entry


def site_pages() -> list[Page]:
    """The app's and the demo's pages and the app's admin pages, from the URL resolver."""
    models = {
        f"{APP}_{model._meta.model_name}_": model
        for model in admin.site._registry
        if model._meta.app_label == APP
    }
    pages = []
    for namespace, pattern in _walk(get_resolver().url_patterns, ""):
        if (namespace, pattern.name) in SKIPPED:
            continue
        if namespace in ("demo", APP):
            pages.append(Page(namespace, pattern.name, pattern))
        elif namespace == "admin" and pattern.name.startswith(f"{APP}_"):
            model = next(
                (m for prefix, m in models.items() if pattern.name.startswith(prefix)), None
            )
            pages.append(Page(namespace, pattern.name, pattern, model))
        elif namespace == "admin" and pattern.name in ("index", "app_list"):
            pages.append(Page(namespace, pattern.name, pattern))
    return pages


def test_the_walk_finds_every_kind_of_page():
    names = {page.key for page in site_pages()}
    assert {
        ("demo", "dashboard"),
        ("demo", "event_detail"),
        ("demo", "analytics"),
        (APP, "connections"),
        (APP, "connect_token"),
        ("admin", f"{APP}_scheduledevent_changelist"),
        ("admin", f"{APP}_scheduledevent_change"),
        ("admin", f"{APP}_scheduledevent_confirm_action"),
        ("admin", f"{APP}_dashboard"),
    } <= names
    assert len(names) > 60


# Who sends them.


@pytest.fixture(autouse=True)
def without_the_middleware(settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != MIDDLEWARE]


@pytest.fixture
def limited(settings):
    settings.CALENDLY = {**(settings.CALENDLY or {}), "LIMIT_STAFF_TO_ORGANIZATIONS": True}


@pytest.fixture(params=["member", "limited staff", "superuser"])
def visitor(request, tenants, limited, django_user_model) -> Any:
    if request.param == "member":
        return tenants.world.site["maya"]
    if request.param == "limited staff":
        user = tenants.second
        user.is_staff = True
        user.save()
        user.user_permissions.add(*Permission.objects.filter(content_type__app_label=APP))
        return user
    return django_user_model.objects.create_superuser("root", "root@example.com", "pw")


@pytest.fixture
def browser(visitor) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(visitor)
    return client


class Sent:
    """Counts what a test sends, and checks each answer."""

    def __init__(self) -> None:
        self.count = 0

    def check(self, response: Any, what: str) -> Any:
        self.count += 1
        assert response.status_code < 500, (what, response.status_code)
        return response


def real_values(page: Page, user: Any) -> dict[str, Any]:
    """Ids of rows ``user`` may see for the page's URL, so the view reads the rest."""
    values: dict[str, Any] = {}
    model = page.model or PAGE_MODELS.get(page.name)
    for name in page.kwargs:
        if name == "action" and page.model is not None:
            actions = admin.site._registry[page.model].confirmed_actions
            values[name] = actions[0].name if actions else MARK
        elif name in ("object_id", "pk") and model is not None:
            rows = (
                model.objects.visible_to(user)
                if hasattr(model.objects, "visible_to")
                else model.objects.all()
            )
            pk = rows.order_by("pk").values_list("pk", flat=True).first()
            values[name] = pk if pk is not None else MARK
    return values


# Path segments.


def test_hostile_path_segments(browser, visitor):
    sent = Sent()
    for page in site_pages():
        for name in page.kwargs:
            if name == "app_label":
                continue
            base = page.url({name: MARK})
            for segment in PATH_SEGMENTS:
                url = base.replace(MARK, segment, 1)
                for method in ("get", "post"):
                    if method == "post" and page.key in ACTING:
                        continue
                    response = sent.check(getattr(browser, method)(url), f"{method} {url}")
                    if page.namespace == "admin" and response.status_code == 200:
                        assert page.name.endswith(("_changelist", "_dashboard")), url
    print(f"\nhostile path segments sent: {sent.count}")
    assert sent.count > 300


def test_ids_in_unicode_digits_open_nothing(browser, visitor):
    """Arabic-Indic and fullwidth digits name no object, in the admin (Django's "does not exist") and on pages."""
    sent = Sent()
    index = reverse("admin:index")
    for page in site_pages():
        values = real_values(page, visitor)
        for name in ("object_id", "pk"):
            if name not in values or values[name] == MARK:
                continue
            real = str(values[name])
            for digits in (real.translate(ARABIC), real.translate(FULLWIDTH)):
                url = page.url({**values, name: MARK}).replace(MARK, quote(digits))
                response = sent.check(browser.get(url), url)
                assert response.status_code in (302, 400, 403, 404, 405), url
                if response.status_code == 302 and page.namespace == "admin":
                    assert response["Location"] in (index,) or "login" in response["Location"]
    print(f"\nids in Unicode digits sent: {sent.count}")
    assert sent.count > 20


# Query strings.


def changelist_keys(page: Page, visitor: Any) -> list[str]:
    """The list filters' and date hierarchy's own parameters of an admin changelist."""
    from django.test import RequestFactory

    model_admin = admin.site._registry[page.model]
    request = RequestFactory().get("/")
    request.user = visitor
    keys: list[str] = []
    if visitor.is_staff:
        changelist = model_admin.get_changelist_instance(request)
        for spec in changelist.filter_specs:
            keys.extend(spec.expected_parameters())
    if model_admin.date_hierarchy:
        keys.extend(f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day"))
    return keys


def test_hostile_query_strings(browser, visitor):
    sent = Sent()
    for page in site_pages():
        if not page.reads_input:
            continue
        base = page.url(real_values(page, visitor))
        if page.namespace == "admin" and page.name.endswith("_changelist"):
            keys = [*ADMIN_QUERY_KEYS, *changelist_keys(page, visitor)]
        elif page.namespace == "admin":
            keys = ["next", "ids", "_changelist_filters", "days", "_to_field"]
        else:
            keys = list(QUERY_KEYS)
        for value in QUERY_VALUES:
            sent.check(browser.get(f"{base}?{value}={value}"), f"{base}?{value}={value}")
            for key in keys:
                sent.check(browser.get(f"{base}?{key}={value}"), f"{base}?{key}={value}")
    print(f"\nhostile query strings sent: {sent.count}")
    assert sent.count > 1000


@pytest.mark.parametrize(
    "dates",
    [
        {"year": "9999", "month": "12", "day": "31"},
        {"year": "9999", "month": "12"},
        {"year": "99999"},
        {"year": "0"},
        {"year": "2030", "month": "13"},
        {"year": "2030", "month": "2", "day": "30"},
        {"year": quote("٢٠٣٠")},
    ],
)
def test_absurd_dates_in_the_admins_date_hierarchy(browser, visitor, dates):
    sent = Sent()
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label != APP or not model_admin.date_hierarchy:
            continue
        field = model_admin.date_hierarchy
        query = "&".join(f"{field}__{part}={value}" for part, value in dates.items())
        url = f"{reverse(f'admin:{APP}_{model._meta.model_name}_changelist')}?{query}"
        sent.check(browser.get(url), url)
        date_filters = f"{field}__gte=99999-01-01&{field}__lt=9999-12-31%2023:59:59"
        sent.check(browser.get(f"{url}&{date_filters}"), date_filters)
    assert sent.count > 10


# Form fields.


def form_body(field: str, value: bytes) -> bytes:
    return b"&".join([field.encode() + b"=" + value, b"csrfmiddlewaretoken=x"])


def test_hostile_form_fields(browser, visitor):
    sent = Sent()
    for page in site_pages():
        if page.key in ACTING or not page.reads_input:
            continue
        url = page.url(real_values(page, visitor))
        for field in FORM_FIELDS:
            for value in FORM_VALUES:
                if page.name == "event_cancel" and b"%00" not in value:
                    continue  # a valid reason cancels at Calendly
                body = form_body(field, value)
                response = browser.post(url, body, content_type="application/x-www-form-urlencoded")
                sent.check(response, f"POST {url} {body!r}")
    print(f"\nhostile form fields sent: {sent.count}")
    assert sent.count > 300


def test_hostile_admin_action_selections(browser, visitor):
    """The changelist's action form with hostile selected ids selects nothing."""
    sent = Sent()
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label != APP:
            continue
        url = reverse(f"admin:{APP}_{model._meta.model_name}_changelist")
        for action in [a.name for a in model_admin.confirmed_actions] + ["%00"]:
            for value in ("%00", "%ED%A0%80", quote("٣"), "%C2%B2", "9" * 25, "_00"):
                body = f"action={action}&index=0&_selected_action={value}".encode()
                response = browser.post(url, body, content_type="application/x-www-form-urlencoded")
                sent.check(response, f"{url} {body!r}")
                if response.status_code == 302:
                    assert "/actions/" not in response["Location"], (url, body)
    print(f"\nhostile action selections sent: {sent.count}")
    assert sent.count > 50


# Headers.


def test_hostile_headers(browser, visitor):
    sent = Sent()
    for page in site_pages():
        if not page.reads_input:
            continue
        url = page.url(real_values(page, visitor))
        for header in HEADERS:
            for value in HEADER_VALUES:
                sent.check(browser.get(url, **{header: value}), f"{url} {header}={value!r}")
    print(f"\nhostile headers sent: {sent.count}")
    assert sent.count > 300


# The middleware recommended to host sites.


@pytest.mark.parametrize(
    ("path", "extra"),
    [
        ("/dashboard/%00/", {}),
        ("/dashboard/?q=%00", {}),
        ("/dashboard/?%00=1", {}),
        ("/calendly/connections/", {"HTTP_USER_AGENT": "a\x00b"}),
        ("/calendly/connections/", {"HTTP_REFERER": "\ud800"}),
        ("/api/scheduled-events/", {"HTTP_COOKIE": "sessionid=a\x00b"}),
        ("/admin/?next=%00", {}),
    ],
)
def test_the_middleware_answers_400_to_unsafe_characters(settings, tenants, path, extra):
    settings.MIDDLEWARE = [MIDDLEWARE, *settings.MIDDLEWARE]
    client = Client()
    client.force_login(tenants.first)
    response = client.get(path, **extra)
    assert response.status_code == 400
    assert response.json()["code"] == "unsafe_characters"


@pytest.mark.parametrize(
    ("path", "extra"),
    [
        ("/api/scheduled-events/?status=%00", {}),
        ("/api/scheduled-events/", {"HTTP_X_TRACE": "a\x00b"}),
    ],
)
def test_the_middleware_leaves_views_that_check_their_own_input_to_answer(
    settings, tenants, path, extra
):
    """The API names the offending field in its own error shape, past the middleware."""
    settings.MIDDLEWARE = [MIDDLEWARE, *settings.MIDDLEWARE]
    client = Client()
    client.force_login(tenants.first)
    response = client.get(path, **extra)
    assert response.status_code == 400
    assert response.json()["code"] != "unsafe_characters"


def test_the_middleware_lets_ordinary_unicode_through(settings, tenants):
    settings.MIDDLEWARE = [MIDDLEWARE, *settings.MIDDLEWARE]
    client = Client()
    client.force_login(tenants.first)
    response = client.get(f"/dashboard/?q={quote('naïve ٣ 日本')}", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200


def test_the_demo_site_uses_the_middleware_first():
    from project import settings as demo_settings

    assert demo_settings.MIDDLEWARE[0] == MIDDLEWARE
