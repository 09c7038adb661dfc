"""Spec validation with openapi-core: every API request and response checked against Calendly's spec.

The document is Calendly's April 2023 export (verbatim) merged with ``openapi-newer.yaml`` and a
few amendments for facts API-NOTES.md records but the 2023 export predates: the newer webhook
events, the insufficient-scope 403 of granular scopes, 429 answers, and 400 (a malformed
request, e.g. a NUL in a query parameter) and 401 where an operation forgot them. Everything else stays as Calendly published it. The merged document is parsed once per
process (openapi-core's parsing is slow) and shared by every simulator.

A response that breaks the spec is always a violation (the simulator lied). A request that breaks
it is a violation only when the simulator accepted it with a 2xx: rejecting bad input with a 400
is correct behaviour, accepting it would let a client bug through.
"""

from __future__ import annotations

import copy
import functools
import threading
import warnings
from pathlib import Path
from typing import Any

import yaml
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_schema_validator import OAS30Validator
from werkzeug.datastructures import Headers, ImmutableMultiDict

from .messages import Request, Response

SPEC_DIR = Path(__file__).resolve().parent.parent / "specs"
SPEC_SERVER = "https://api.calendly.com"
NEWER_WEBHOOK_EVENTS = (
    "invitee_no_show.created",
    "invitee_no_show.deleted",
    "event_type.created",
    "event_type.updated",
    "event_type.deleted",
)
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
UNAUTHENTICATED_MESSAGES = ["The access token is invalid", "The access token expired"]


def _load(name: str) -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with (SPEC_DIR / name).open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)


def _merge(base: dict[str, Any], newer: dict[str, Any]) -> None:
    for path, item in newer.get("paths", {}).items():
        target = base["paths"].setdefault(path, {})
        for key, value in item.items():
            if key == "parameters" and "parameters" in target:
                continue
            target[key] = value
    for section, entries in newer.get("components", {}).items():
        base["components"].setdefault(section, {}).update(entries)


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        parts = node["$ref"].lstrip("#/").split("/")
        node = functools.reduce(lambda acc, key: acc[key], parts, spec)
    return node


def _amend(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    hook_events = schemas["WebhookSubscription"]["properties"]["events"]["items"]["enum"]
    hook_events.extend(NEWER_WEBHOOK_EVENTS)
    payload = schemas["WebhookPayload"]["properties"]
    payload["event"]["enum"].extend(NEWER_WEBHOOK_EVENTS)
    payload["payload"]["oneOf"].append({"$ref": "#/components/schemas/EventType"})
    body = spec["paths"]["/webhook_subscriptions"]["post"]["requestBody"]
    body["content"]["application/json"]["schema"]["properties"]["events"]["items"]["enum"].extend(
        NEWER_WEBHOOK_EVENTS
    )
    unauthenticated = spec["components"]["responses"]["UNAUTHENTICATED"]
    parts = unauthenticated["content"]["application/json"]["schema"]["allOf"]
    parts[1]["properties"]["message"]["enum"] = UNAUTHENTICATED_MESSAGES
    scope_error = {"$ref": "#/components/schemas/InsufficientScopeError"}
    for item in spec["paths"].values():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            responses = operation["responses"]
            responses.setdefault("400", {"$ref": "#/components/responses/INVALID_ARGUMENT"})
            responses.setdefault("401", {"$ref": "#/components/responses/UNAUTHENTICATED"})
            responses.setdefault("429", {"$ref": "#/components/responses/RATE_LIMITED"})
            denied = _resolve(spec, responses.get("403", {}))
            original = (
                denied.get("content", {}).get("application/json", {}).get("schema")
                if denied
                else None
            )
            schema = {"anyOf": [original, scope_error]} if original else scope_error
            responses["403"] = {
                "description": denied.get("description", "Permission Denied"),
                "content": {"application/json": {"schema": schema}},
            }


@functools.lru_cache(maxsize=1)
def spec_document() -> dict[str, Any]:
    """The merged and amended document as plain data (read once per process)."""
    spec = _load("openapi-2023-04.yaml")
    _merge(spec, _load("openapi-newer.yaml"))
    _amend(spec)
    return spec


@functools.lru_cache(maxsize=1)
def load_spec() -> OpenAPI:
    """The document as an openapi-core ``OpenAPI`` (parsed once per process)."""
    return OpenAPI.from_dict(copy.deepcopy(spec_document()), config=Config(spec_validator_cls=None))


@functools.lru_cache(maxsize=1)
def webhook_validator() -> OAS30Validator:
    """A schema validator for webhook envelopes (the spec's ``WebhookPayload``)."""
    schema = {
        "$ref": "#/components/schemas/WebhookPayload",
        "components": copy.deepcopy(spec_document()["components"]),
    }
    return OAS30Validator(schema, format_checker=OAS30Validator.FORMAT_CHECKER)


class _SpecRequest:
    """openapi-core's request protocol, with the spec's server as the base URL."""

    def __init__(self, request: Request) -> None:
        self.host_url = SPEC_SERVER
        self.path = request.path.rstrip("/") or "/"
        self.method = request.method.lower()
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(
                [(key, value) for key, values in request.query.items() for value in values]
            ),
            header=Headers(list(request.headers.items())),
            cookie=ImmutableMultiDict(),
        )
        self.content_type = (request.header("Content-Type") or "").lower()
        self.body = request.body or None


class _SpecResponse:
    def __init__(self, response: Response) -> None:
        self.status_code = response.status
        self.content_type = (response.content_type or "").lower()
        self.headers = Headers(list(response.headers.items()))
        self.data = response.body or None


def _describe(error: BaseException) -> str:
    text = str(error)
    cause = error.__cause__ or error.__context__
    schema_errors = getattr(error, "schema_errors", None) or getattr(cause, "schema_errors", None)
    if schema_errors:
        details = "; ".join(
            f"{'/'.join(str(p) for p in e.absolute_path) or '<root>'}: {e.message}"
            for e in list(schema_errors)[:5]
        )
        return f"{text} ({details})"
    if cause is not None and str(cause) and str(cause) not in text:
        return f"{text} ({cause})"
    return text


class SpecValidator:
    """Checks request/response pairs and keeps the violations it found."""

    _lock = threading.Lock()

    def __init__(self) -> None:
        self.spec = load_spec()
        self.webhooks = webhook_validator()
        self.violations: list[str] = []

    def check_webhook(self, envelope: dict[str, Any]) -> None:
        """Check a webhook envelope the simulator is about to deliver."""
        with self._lock:
            found = [
                f"webhook {envelope.get('event')}: "
                f"{'/'.join(str(p) for p in error.absolute_path) or '<root>'}: {error.message}"
                for error in self.webhooks.iter_errors(envelope)
            ]
        self.violations.extend(found)

    def check(self, request: Request, response: Response, template: str | None) -> None:
        if template is None or response.injected:
            return
        spec_request = _SpecRequest(request)
        spec_response = _SpecResponse(response)
        label = f"{request.method} {template} -> {response.status}"
        found: list[str] = []
        with self._lock, warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Unsupported scheme type")
            if 200 <= response.status < 300:
                found += [
                    f"{label}: request: {_describe(e)}"
                    for e in self.spec.iter_request_errors(spec_request)
                ]
            found += [
                f"{label}: response: {_describe(e)}"
                for e in self.spec.iter_response_errors(spec_request, spec_response)
            ]
        if found:
            self.violations.extend(found)
