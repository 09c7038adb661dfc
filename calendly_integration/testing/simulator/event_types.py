"""Event types: list, get, update (newer), one-off event types (newer), available times."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from . import availability, errors, objects
from .call import Call
from .messages import Response
from .pagination import parse_sort
from .state import uuid_from_uri
from .timeutil import iso

COLOR = re.compile(r"^#[a-f\d]{6}$")
LOCATION_KINDS = (
    "physical",
    "ask_invitee",
    "custom",
    "outbound_call",
    "inbound_call",
    "google_conference",
    "gotomeeting_conference",
    "microsoft_teams_conference",
    "webex_conference",
    "zoom_conference",
)


def list_event_types(call: Call) -> Response:
    has_org = call.organization_param()
    user = call.user_param()
    if not has_org and user is None:
        raise errors.invalid_argument(
            ("organization", "one of organization or user is required"),
            ("user", "one of organization or user is required"),
        )
    if has_org and not call.caller_is_admin:
        raise errors.permission_denied("You do not have permission")
    if user is not None and not call.in_organization(user) and user != call.caller:
        raise errors.permission_denied("This user is not in your organization")
    active = call.boolean("active")
    admin_managed = call.boolean("admin_managed")
    field, descending = parse_sort(call.request, ("name", "created_at", "updated_at"), "name:asc")
    rows = [
        event_type
        for event_type in call.store.event_types.values()
        if (
            event_type["profile"]["owner"] == user["uri"]
            if user is not None
            else call.owns_user_uri(event_type["profile"]["owner"])
        )
        and (active is None or event_type["active"] is active)
        and (admin_managed is None or event_type["admin_managed"] is admin_managed)
        and event_type["type"] == "StandardEventType"
    ]

    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        value = row[field] or ""
        return (value.lower() if field == "name" else value, row["uri"])

    return call.page(rows, key, descending=descending)


def _event_type(call: Call) -> dict[str, Any]:
    event_type = call.store.event_types.get(call.params["uuid"])
    if event_type is None:
        raise errors.not_found()
    owner = call.store.user_by_uri(event_type["profile"]["owner"])
    if owner is not None and owner != call.caller and not call.in_organization(owner):
        raise errors.permission_denied()
    return event_type


def get_event_type(call: Call) -> Response:
    return call.resource(_event_type(call))


UPDATABLE = {
    "name",
    "duration",
    "description",
    "description_plain",
    "internal_note",
    "active",
    "secret",
    "color",
    "slug",
    "locations",
}


def update_event_type(call: Call) -> Response:
    """PATCH /event_types/{uuid}: change the listed fields, 400 for anything else."""
    event_type = _event_type(call)
    if event_type["profile"]["owner"] != call.caller["uri"] and not call.caller_is_admin:
        raise errors.permission_denied("You do not have permission")
    body = call.body()
    unknown = sorted(set(body) - UPDATABLE)
    if unknown:
        raise errors.invalid_argument(*[(name, "is not a permitted parameter") for name in unknown])
    problems = _check_fields(body)
    if problems:
        raise errors.invalid_argument(*problems)
    if "name" in body:
        event_type["name"] = body["name"]
    if "duration" in body:
        event_type["duration"] = body["duration"]
    description = body.get("description", body.get("description_plain", ...))
    if description is not ...:
        event_type["description_plain"] = description
        event_type["description_html"] = f"<p>{description}</p>" if description else None
    for key in ("internal_note", "active", "secret", "color", "slug", "locations"):
        if key in body:
            event_type[key] = body[key]
    if "slug" in body:
        owner = call.store.user_by_uri(event_type["profile"]["owner"]) or call.caller
        event_type["scheduling_url"] = f"{owner['scheduling_url']}/{body['slug']}"
    event_type["updated_at"] = iso(call.now())
    call.sim.webhooks.emit(
        "event_type.updated", event_type, user_uri=event_type["profile"]["owner"]
    )
    return call.resource(event_type)


def _check_fields(body: dict[str, Any]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if "name" in body and (not isinstance(body["name"], str) or not 0 < len(body["name"]) <= 55):
        problems.append(("name", "must be a string of 1 to 55 characters"))
    duration = body.get("duration", 30)
    if isinstance(duration, bool) or not isinstance(duration, int) or not 1 <= duration <= 720:
        problems.append(("duration", "must be an integer between 1 and 720"))
    for key in ("active", "secret"):
        if key in body and not isinstance(body[key], bool):
            problems.append((key, "must be a boolean"))
    if "color" in body and (not isinstance(body["color"], str) or not COLOR.match(body["color"])):
        problems.append(("color", "must be a lowercase hex color like #1a2b3c"))
    for key in ("description", "description_plain", "internal_note"):
        if key in body and body[key] is not None and not isinstance(body[key], str):
            problems.append((key, "must be a string"))
    if "slug" in body and (not isinstance(body["slug"], str) or not body["slug"]):
        problems.append(("slug", "must be a non-empty string"))
    if "locations" in body:
        locations = body["locations"]
        if not isinstance(locations, list) or not all(
            isinstance(item, dict) and item.get("kind") in LOCATION_KINDS for item in locations
        ):
            problems.append(("locations", "must be a list of locations with a known kind"))
    return problems


def create_one_off(call: Call) -> Response:
    """POST /one_off_event_types: an ad hoc meeting type hosted by a member."""
    body = call.body()
    store = call.store
    problems: list[tuple[str, str]] = []
    name = body.get("name")
    if not isinstance(name, str) or not 0 < len(name) <= 55:
        problems.append(("name", "must be a string of 1 to 55 characters"))
    host = store.user_by_uri(body.get("host"))
    if host is None:
        problems.append(("host", "must be the URI of a user in your organization"))
    duration = body.get("duration", 30)
    if isinstance(duration, bool) or not isinstance(duration, int) or not 1 <= duration <= 720:
        problems.append(("duration", "must be an integer between 1 and 720"))
    date_setting = body.get("date_setting")
    if not isinstance(date_setting, dict) or date_setting.get("type") not in (
        "date_range",
        "spots",
    ):
        problems.append(("date_setting", "must be an object with type date_range"))
    location = body.get("location")
    if location is not None and (
        not isinstance(location, dict) or location.get("kind") not in LOCATION_KINDS
    ):
        problems.append(("location", "must be an object with a known kind"))
    co_hosts = body.get("co_hosts") or []
    if not isinstance(co_hosts, list) or any(store.user_by_uri(u) is None for u in co_hosts):
        problems.append(("co_hosts", "must be a list of user URIs in your organization"))
    if problems:
        raise errors.invalid_argument(*problems)
    assert host is not None
    call.require_own(host["uri"], "You do not have permission")
    for co_host in co_hosts:
        call.require_own(co_host, "You do not have permission")
    if host != call.caller and not call.caller_is_admin:
        raise errors.permission_denied("You do not have permission")
    uuid = store.new_legacy_id()
    now = call.now()
    slug = store.new_hex(8)
    resource = objects.event_type(
        store.base,
        uuid,
        name=name,
        slug=slug,
        owner=host,
        duration=duration,
        kind="solo",
        color="#8247f5",
        active=True,
        secret=True,
        description=None,
        internal_note=None,
        custom_questions=[],
        locations=[location] if location else [],
        created_at=now,
        updated_at=now,
        adhoc=True,
    )
    resource["scheduling_url"] = f"{store.base}/d/{slug}/{name.lower().replace(' ', '-')}"
    resource["date_setting"] = date_setting
    resource["timezone"] = body.get("timezone") or host["timezone"]
    resource["co_hosts"] = co_hosts
    store.event_types[uuid] = resource
    store.event_type_meta[uuid] = {"weight": 0, "first_last": False, "payment": None}
    call.sim.webhooks.emit("event_type.created", resource, user_uri=host["uri"])
    return call.resource(resource, 201)


def available_times(call: Call) -> Response:
    uri = call.require("event_type")
    start = call.time("start_time", required=True)
    end = call.time("end_time", required=True)
    assert start is not None and end is not None
    uuid = uuid_from_uri(uri, "event_types")
    if uuid is None:
        raise errors.invalid_argument(("event_type", "must be an event type URI"))
    event_type = call.store.event_types.get(uuid)
    if event_type is None:
        raise errors.not_found()
    if start < call.now():
        raise errors.invalid_argument(("start_time", "must be in the future"))
    if end <= start:
        raise errors.invalid_argument(("end_time", "must be after start_time"))
    if end - start > timedelta(days=7):
        raise errors.invalid_argument(
            ("end_time", "The date range can be no greater than 1 week (7 days)")
        )
    slots = availability.open_slots(call.store, event_type, start, end)
    return Response.json(200, {"collection": slots})
