"""Hostile input against every API route: never a 5xx, always a JSON error in the API's shape.

Routes come from the URL resolver (every pattern of ``calendly_integration.api.urls``) and their
parameters from the OpenAPI schema, so a new route or parameter is attacked without editing this
file. Each class of input is sent anonymously, as a member and as staff, on whichever database the
run uses (SQLite by default, PostgreSQL with ``DATABASE_URL``): NUL and lone surrogates in path
segments, query parameters, headers and JSON bodies; tampered cursors; nested and non-finite JSON;
bodies over the upload limit; non-ASCII digits for ids and page sizes; times at the ends of the
calendar. Where the same request without the hostile part succeeds, the exact refusal is checked.
"""

from __future__ import annotations

import json
import re
from base64 import b64encode
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import URLPattern, reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from calendly_integration.api import urls as api_urls
from calendly_integration.models import Connection, Invitee, ScheduledEvent

pytestmark = pytest.mark.django_db

ARABIC_INDIC = str.maketrans("0123456789", "".join(chr(0x660 + n) for n in range(10)))
FULLWIDTH = str.maketrans("0123456789", "".join(chr(0xFF10 + n) for n in range(10)))
NUL, SURROGATE = "\x00", "\ud800"


def arabic(text: str) -> str:
    return text.translate(ARABIC_INDIC)


def fullwidth(text: str) -> str:
    return text.translate(FULLWIDTH)


BODY_METHODS = {"post", "put", "patch", "delete"}
ROLES = ("anonymous", "member", "staff")

#: Sent raw in a URL: NUL, a percent-encoded lone surrogate (Django replaces it), Unicode digits.
HOSTILE_SEGMENTS = ("%00", "1%00", "%ED%A0%80", "1.5", "-1", "0", "9" * 30, "0x10", "%C0%AF")
HOSTILE_QUERY_VALUES = (NUL, f"a{NUL}b", arabic("3"), fullwidth("10"), "%ED%A0%80")
HOSTILE_TIMES = (
    "9999-12-31T00:00:00Z",
    "9999-12-31T23:59:59-01:00",
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+01:00",
    "2026-01-01T00:00:00+99:00",
    arabic("2026-01-01T00:00:00Z"),
    "2026-02-30T00:00:00Z",
    "99999-01-01T00:00:00Z",
)
HOSTILE_DATES = (
    "9999-12-31",
    "0001-01-01",
    arabic("2026-01-01"),
    fullwidth("2026") + "-01-01",
    "2026-02-30",
    "1-1-1",
)
HOSTILE_HEADERS = (
    ("HTTP_ACCEPT", f"application/json{NUL}"),
    ("HTTP_ACCEPT", f"application/json{SURROGATE}"),
    ("HTTP_AUTHORIZATION", f"Token {NUL}{'a' * 39}"),
    ("HTTP_AUTHORIZATION", f"Token {SURROGATE}"),
    ("HTTP_X_REQUESTED_WITH", NUL),
    ("HTTP_X_FORWARDED_FOR", f"127.0.0.1{NUL}"),
    ("HTTP_COOKIE", f"sessionid={NUL}abcdefgh"),
    ("CONTENT_TYPE", f"application/json{NUL}"),
)


def cursor(querystring: str) -> str:
    return b64encode(querystring.encode("latin-1")).decode("ascii")


HOSTILE_CURSORS = (
    "!!!",
    "abc",
    NUL,
    f"{cursor('p=1')}{NUL}",
    "A" * 100_000,
    cursor("p=abc"),
    cursor("p=2026-13-45 00:00:00"),
    cursor("p=9999-12-31 23:59:59-01:00"),
    cursor("p=0001-01-01 00:00:00+01:00"),
    cursor("p=%00"),
    cursor("p=1%00"),
    cursor("p=%D9%A3"),
    cursor("p=1&p=2"),
    cursor("o=abc"),
    cursor("o=-1"),
    cursor("r=2"),
    cursor("x=1"),
    cursor("p=" + "9" * 40),
    b64encode(f"p={arabic('3')}".encode()).decode("ascii"),
)


def deep(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


HOSTILE_BODIES = (
    deep(5_000),
    deep(100_000),
    b'{"a":' * 5_000 + b"1" + b"}" * 5_000,
    b'{"full": NaN}',
    b'{"full": Infinity}',
    b'{"full": -Infinity}',
    b'{"reason": 1e999}',
    b'{"reason": "\xff\xfe"}',
    b'{"reason": "\\ud800"}',
    b'{"\\u0000": 1}',
    b"[1, 2",
    b"\x00",
)


@dataclass
class Operation:
    path: str
    method: str
    parameters: list[dict[str, Any]] = field(default_factory=list)
    body: dict[str, Any] | None = None

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    def query_parameters(self) -> list[dict[str, Any]]:
        return [p for p in self.parameters if p.get("in") == "query"]

    def time_parameters(self) -> list[tuple[str, str]]:
        """(name, "date-time" or "date") of the parameters that take times."""
        return [
            (p["name"], p["schema"]["format"])
            for p in self.query_parameters()
            if p.get("schema", {}).get("format") in ("date-time", "date")
        ]

    def body_fields(self) -> list[str]:
        if not self.body:
            return []
        schema = self.body.get("content", {}).get("application/json", {}).get("schema", {})
        return list(SCHEMA_COMPONENTS.get(schema.get("$ref", "").split("/")[-1], {}))


SCHEMA_COMPONENTS: dict[str, dict[str, Any]] = {}


def resolver_routes() -> set[tuple[str, str]]:
    """(path template, method) of every route the API's URLconf serves (format suffixes aside)."""
    prefix = reverse("calendly_api:api-root")
    routes = set()
    for pattern in api_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        regex = pattern.pattern.regex
        if "format" in regex.groupindex:
            continue
        template = re.sub(r"\(\?P<\w+>[^)]*\)", "{id}", re.sub(r"^\^|(\$|\\Z)$", "", regex.pattern))
        actions = getattr(pattern.callback, "actions", None) or {"get": "root"}
        for method in set(actions) - {"head", "options"}:
            routes.add((prefix + template, method))
    return routes


def operations() -> list[Operation]:
    """Every route, with its parameters and body from the schema (the root has neither)."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    SCHEMA_COMPONENTS.clear()
    for name, component in schema["components"]["schemas"].items():
        SCHEMA_COMPONENTS[name] = component.get("properties", {})
    documented = {
        (path, method): Operation(path, method, spec.get("parameters", []), spec.get("requestBody"))
        for path, methods in schema["paths"].items()
        for method, spec in methods.items()
    }
    found = []
    for path, method in sorted(resolver_routes()):
        if path != reverse("calendly_api:api-root"):
            assert (path, method) in documented, f"{method} {path} is missing from the schema"
        found.append(documented.get((path, method), Operation(path, method)))
    return found


@dataclass
class Caller:
    """One role's client, the ids it may see, and what its hostile requests answered."""

    role: str
    client: APIClient
    ids: dict[str, int] = field(default_factory=dict)
    sent: int = 0
    failures: list[str] = field(default_factory=list)

    def url(self, operation: Operation, segment: str | None = None) -> str:
        if "{id}" not in operation.path:
            return operation.path
        if segment is None:
            segment = str(self.id_for(operation.path))
        return operation.path.replace("{id}", segment)

    def id_for(self, path: str) -> int:
        return self.ids.get(path.split("{id}")[0], 1)

    def send(self, operation: Operation, url: str, **kwargs: Any) -> Any:
        # The client's own credentials would replace a hostile Authorization header.
        client = APIClient() if "HTTP_AUTHORIZATION" in kwargs else self.client
        return getattr(client, operation.method)(url, **kwargs)

    def hostile(
        self,
        operation: Operation,
        what: Any,
        url: str,
        expect: Any = None,
        *,
        may_succeed: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Send one hostile request; record a failure unless it is a 4xx JSON error (or, when
        ``may_succeed``, any answer below 500 in JSON)."""
        self.sent += 1
        response = self.send(operation, url, **kwargs)
        where = f"{self.role} {operation.label} [{what!r}]"[:300]
        if may_succeed and response.status_code < 400:
            if not response.get("Content-Type", "").startswith("application/json"):
                self.failures.append(f"{where}: {response.status_code} is not JSON")
            return response
        problem = error_shape_problem(response)
        if problem:
            self.failures.append(f"{where}: {problem}")
        elif expect is not None:
            body = response.json()
            mismatch = expect(response.status_code, body)
            if mismatch:
                self.failures.append(f"{where}: {mismatch} (got {response.status_code} {body})")
        return response

    def baseline(self, operation: Operation, url: str, **kwargs: Any) -> int:
        """The status without hostile input (only for reads: nothing is changed or called)."""
        if operation.method != "get" or operation.path.endswith("/status/"):
            return 0
        return self.send(operation, url, **kwargs).status_code


def error_shape_problem(response: Any) -> str:
    if response.status_code >= 500:
        return f"answered {response.status_code}"
    if not 400 <= response.status_code < 500:
        return f"answered {response.status_code}, not a 4xx"
    if not response.get("Content-Type", "").startswith("application/json"):
        return f"{response.status_code} is {response.get('Content-Type')}, not JSON"
    body = json.loads(response.content)
    if not isinstance(body, dict) or not {"code", "detail"} <= set(body):
        return f"{response.status_code} is not in the error shape: {body!r}"
    if not isinstance(body["code"], str) or not isinstance(body["detail"], str):
        return f"code and detail must be text: {body!r}"
    return ""


def status_is(*statuses: int) -> Any:
    def check(status: int, body: dict[str, Any]) -> str:
        return "" if status in statuses else f"expected {statuses}"

    return check


def code_is(status: int, code: str) -> Any:
    def check(got: int, body: dict[str, Any]) -> str:
        return "" if (got, body["code"]) == (status, code) else f"expected {status} {code}"

    return check


def names_field(name: str) -> Any:
    def check(status: int, body: dict[str, Any]) -> str:
        if status == 400 and name in body.get("errors", {}):
            return ""
        return f"expected 400 naming {name!r}"

    return check


@pytest.fixture
def routes() -> list[Operation]:
    found = operations()
    assert len(found) >= 34
    return found


def visible_ids(client: APIClient, routes: list[Operation]) -> dict[str, int]:
    """The first id each list shows this client, keyed by the list's path."""
    ids = {}
    for operation in routes:
        if (
            operation.method == "get"
            and operation.path.endswith("/")
            and "{id}" not in operation.path
        ):
            response = client.get(operation.path, {"page_size": 1})
            results = response.json().get("results") if response.status_code == 200 else None
            if results and isinstance(results, list) and "id" in results[0]:
                ids[operation.path] = results[0]["id"]
    return ids


@pytest.fixture(params=ROLES)
def caller(request, tenants, routes) -> Iterator[Caller]:
    client = APIClient()
    if request.param != "anonymous":
        user = (
            tenants.world.site["maya"]
            if request.param == "member"
            else get_user_model().objects.create_user("hostile-staff", is_staff=True)
        )
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    found = Caller(request.param, client)
    found.ids = visible_ids(client, routes)
    yield found
    print(f"{request.node.name}: {found.sent} hostile requests")


def signed_in(caller: Caller) -> bool:
    return caller.role != "anonymous"


def test_path_segments_that_are_not_ascii_ids_are_404(caller, routes):
    for operation in routes:
        if "{id}" not in operation.path:
            continue
        real = str(caller.id_for(operation.path))
        expect = status_is(401, 404) if not signed_in(caller) else status_is(403, 404)
        for segment in (
            *HOSTILE_SEGMENTS,
            real.translate(ARABIC_INDIC),
            real.translate(FULLWIDTH),
            f"{real}%00",
        ):
            caller.hostile(operation, segment, caller.url(operation, segment), expect)
    assert caller.failures == [], "\n".join(caller.failures)
    assert caller.sent > 100


def with_query(url: str, query: dict[str, str]) -> str:
    return f"{url}?{urlencode(query)}"


def test_nul_in_any_query_parameter_is_400_naming_it(caller, routes):
    """NUL anywhere in the query is refused; other odd text may be a valid search (but never
    on an action, which must not reach Calendly with it)."""
    for operation in routes:
        url = caller.url(operation)
        names = {p["name"] for p in operation.query_parameters()} | {"search", "ordering", "x"}
        for name in sorted(names - {"cursor"}):
            for value in HOSTILE_QUERY_VALUES:
                if NUL in value:
                    target = with_query(url, {name: value})
                    caller.hostile(operation, (name, value), target, names_field(name))
                elif operation.method == "get" and not operation.path.endswith("/status/"):
                    query = f"{name}={value}" if value.startswith("%") else urlencode({name: value})
                    caller.hostile(operation, query, f"{url}?{query}", may_succeed=True)
        target = with_query(url, {f"a{NUL}b": "1"})
        caller.hostile(operation, "NUL key", target, names_field("ab"))
    assert caller.failures == [], "\n".join(caller.failures)
    assert caller.sent > 300


def test_hostile_headers_are_4xx(caller, routes):
    for operation in routes:
        url = caller.url(operation)
        for name, value in HOSTILE_HEADERS:
            # The test client sets CONTENT_TYPE itself from ``content_type``.
            header = {"content_type": value} if name == "CONTENT_TYPE" else {name: value}
            caller.hostile(operation, (name, value), url, status_is(400), **header)
    assert caller.failures == [], "\n".join(caller.failures)


def test_tampered_cursors_are_400_invalid_cursor(caller, routes):
    lists = [o for o in routes if any(p["name"] == "cursor" for p in o.query_parameters())]
    assert len(lists) >= 4
    for operation in lists:
        url = caller.url(operation)
        permitted = caller.baseline(operation, url) == 200
        for value in HOSTILE_CURSORS:
            expect = code_is(400, "invalid_cursor") if permitted or NUL in value else None
            caller.hostile(operation, value[:40], with_query(url, {"cursor": value}), expect)
    assert caller.failures == [], "\n".join(caller.failures)


def test_non_ascii_digits_are_not_numbers(caller, routes):
    for operation in routes:
        if operation.method != "get":
            continue
        url = caller.url(operation)
        permitted = caller.baseline(operation, url) == 200
        names = {p["name"] for p in operation.query_parameters()}
        integers = [
            p["name"]
            for p in operation.query_parameters()
            if p.get("schema", {}).get("type") == "integer"
        ]
        for name in integers:
            for value in (arabic("10"), fullwidth("10"), arabic("3"), "1" + arabic("3")):
                if name == "page":
                    expect = status_is(404) if permitted else None
                else:
                    expect = names_field(name) if permitted else None
                caller.hostile(operation, (name, value), with_query(url, {name: value}), expect)
        if "page_size" in names:
            assert "page_size" in integers
    assert caller.failures == [], "\n".join(caller.failures)


def test_times_outside_the_calendar_window_are_400_naming_the_field(caller, routes, tenants):
    timed = [o for o in routes if o.time_parameters()]
    assert {o.path.split("/")[-2] for o in timed} >= {
        "busy-times",
        "available-times",
        "analytics",
        "scheduled-events",
        "invitees",
        "webhook-deliveries",
    }
    for operation in timed:
        url = caller.url(operation)
        required = [p["name"] for p in operation.query_parameters() if p.get("required")]
        permitted = bool(required) or caller.baseline(operation, url) == 200
        if "{id}" in operation.path and operation.path.split("{id}")[0] not in caller.ids:
            permitted = False
        if not signed_in(caller) or (caller.role == "member" and "deliveries" in url):
            permitted = False
        for name, kind in operation.time_parameters():
            valid = {"date-time": "2026-01-01T00:00:00Z", "date": "2026-01-01"}[kind]
            others = {other: valid for other in required if other != name}
            for value in HOSTILE_TIMES if kind == "date-time" else HOSTILE_DATES:
                expect = names_field(name) if permitted else None
                target = with_query(url, {**others, name: value})
                caller.hostile(operation, (name, value), target, expect)
    assert caller.failures == [], "\n".join(caller.failures)


def body_operations(routes: list[Operation]) -> list[Operation]:
    return [o for o in routes if o.method in BODY_METHODS]


def test_hostile_json_bodies_are_400(caller, routes):
    operations_ = body_operations(routes)
    assert len(operations_) >= 10
    for operation in operations_:
        url = caller.url(operation)
        reads = caller.role == "staff" or (
            caller.role == "member" and "deliveries" not in operation.path
        )
        if "{id}" in operation.path and operation.path.split("{id}")[0] not in caller.ids:
            reads = False  # a detail action reads the body once it finds its object
        expect = status_is(400) if reads else None
        for body in HOSTILE_BODIES:
            caller.hostile(
                operation, body[:30], url, expect, data=body, content_type="application/json"
            )
        for name in operation.body_fields() or ["reason"]:
            for text in (NUL, f"x{NUL}", SURROGATE, f"x{SURROGATE}y"):
                payload = json.dumps({name: text}).encode()
                caller.hostile(
                    operation,
                    (name, text),
                    url,
                    names_field(name) if reads else None,
                    data=payload,
                    content_type="application/json",
                )
    assert caller.failures == [], "\n".join(caller.failures)


def test_bodies_over_the_upload_limit_are_413_in_json(caller, routes):
    too_big = b'{"reason": "' + b"x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + b'"}'
    for operation in body_operations(routes):
        url = caller.url(operation)
        for content_type in ("application/json", "text/plain"):
            caller.hostile(
                operation,
                f"{len(too_big)} bytes of {content_type}",
                url,
                code_is(413, "request_too_large"),
                data=too_big,
                content_type=content_type,
            )
    assert caller.failures == [], "\n".join(caller.failures)


def test_django_refusing_a_request_still_answers_json(tenants, routes, settings):
    """Too many query fields and a body Django itself measures as too big."""
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    caller = Caller("member", APIClient())
    caller.client.force_authenticate(tenants.world.site["maya"])
    many = "&".join(f"f{n}=1" for n in range(50))
    for operation in routes:
        caller.hostile(operation, "50 fields", f"{caller.url(operation)}?{many}", status_is(400))
    assert caller.failures == [], "\n".join(caller.failures)


CALENDLY_ACTIONS = (
    ("get", "/api/event-types/{id}/available-times/", "event-types", None),
    ("post", "/api/event-types/{id}/single-use-links/", "event-types", {}),
    ("post", "/api/scheduled-events/{id}/cancel/", "scheduled-events", {"reason": "x"}),
    ("post", "/api/invitees/{id}/no-show/", "invitees", None),
    ("delete", "/api/invitees/{id}/no-show/", "invitees", None),
    ("post", "/api/connections/{id}/sync/", "connections", {}),
    ("get", "/api/busy-times/", None, None),
    ("post", "/api/webhook-subscriptions/", None, "connection"),
    ("post", "/api/interview-links/", None, "event_type"),
)


def test_connections_to_renew_answer_connection_needs_reauth_everywhere(tenants):
    """Every endpoint that acts at Calendly or reads from it live says the same thing."""
    owner = tenants.world.site["olivia"]
    Connection.objects.filter(owner=owner).update(status=Connection.Status.NEEDS_REAUTH)
    client = APIClient()
    client.force_authenticate(owner)
    ids = visible_ids(
        client,
        [
            Operation(f"/api/{r}/", "get")
            for r in ("event-types", "scheduled-events", "invitees", "connections")
        ],
    )
    ids = {path.split("/")[2]: pk for path, pk in ids.items()}
    time_range = {"start_time": "2030-01-01T00:00:00Z", "end_time": "2030-01-02T00:00:00Z"}
    answers = {}
    own = Connection.objects.filter(owner=owner).first().pk
    bodies = {
        "connection": {"connection": own, "scope": "user"},
        "event_type": {
            "event_type": ids.get("event-types", 0),
            "candidates": [{"name": "Ann", "email": "ann@example.com"}],
        },
    }
    for method, path, resource, body in CALENDLY_ACTIONS:
        url = path.replace("{id}", str(ids.get(resource, 0)))
        body = bodies[body] if isinstance(body, str) else body
        if method == "delete":  # unmarking acts only on a no-show
            Invitee.objects.filter(pk=ids["invitees"]).update(
                is_no_show=True, no_show_uri=f"{tenants.acme.uri}/no_shows/1"
            )
        if method == "get":
            response = client.get(url, time_range)
        else:
            response = getattr(client, method)(url, body, format="json")
        answers[f"{method} {path}"] = (response.status_code, response.json().get("code"))
    maya = tenants.world.users["olivia"].uri
    response = client.get("/api/busy-times/", {**time_range, "user": maya})
    answers["busy-times of a user"] = (response.status_code, response.json().get("code"))
    assert set(answers.values()) == {(403, "connection_needs_reauth")}, "\n".join(
        f"{k}: {v}" for k, v in answers.items()
    )
    # The status page answers (it reports, it does not act) and names the same code.
    status = client.get(f"/api/connections/{own}/status/").json()
    assert (status["calendly_reachable"], status["calendly_error_code"]) == (
        False,
        "connection_needs_reauth",
    )


def test_another_tenants_object_is_404_whatever_the_body(tenants):
    """A detail action finds its object before reading the body: a hostile body on another
    tenant's id must not answer differently from a clean one."""
    theirs = ScheduledEvent.objects.filter(organization=tenants.globex).first()
    client = APIClient()
    client.force_authenticate(tenants.world.site["maya"])
    url = f"/api/scheduled-events/{theirs.pk}/cancel/"
    answers = {
        client.post(url, body, content_type="application/json").status_code
        for body in (b'{"reason": "x"}', *HOSTILE_BODIES)
    }
    assert answers == {404}


@pytest.mark.parametrize(
    "path",
    ["/api/nonexistent/", "/api/scheduled-events/1/explode/", "/api/%E2%80%8B/", "/api/x?y=%00"],
)
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_an_address_under_the_api_that_names_no_endpoint_is_a_json_404(client, path, method):
    response = getattr(client, method)(path)

    assert response.status_code in (400, 404)
    assert response["Content-Type"] == "application/json"
    assert {"code", "detail"} <= set(response.json())
