"""The API surface: every operation's method, path, handler and required scopes, in one table.

Reading this table is the quickest way to see what the simulator implements; the dispatcher
matches a request against it and the validator reuses the path templates.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from . import (
    availability,
    event_types,
    misc,
    organizations,
    routing_forms,
    scheduled_events,
    users,
    webhooks,
)
from .call import Call
from .messages import Response

Handler = Callable[[Call], Response]


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: Handler
    scopes: tuple[str, ...]
    pattern: re.Pattern[str]


def _route(method: str, template: str, handler: Handler, *scopes: str) -> Route:
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
    return Route(method, template, handler, scopes, re.compile(f"^{regex}/?$"))


ROUTES: tuple[Route, ...] = (
    _route("GET", "/users/me", users.me, "users:read"),
    _route("GET", "/users/{uuid}", users.get_user, "users:read"),
    _route("GET", "/organizations/{uuid}", organizations.get_organization, "organizations:read"),
    _route(
        "GET", "/organization_memberships", organizations.list_memberships, "organizations:read"
    ),
    _route(
        "GET", "/organization_memberships/{uuid}", organizations.get_membership,
        "organizations:read",
    ),
    _route(
        "DELETE", "/organization_memberships/{uuid}", organizations.delete_membership,
        "organizations:write",
    ),
    _route(
        "GET", "/organizations/{uuid}/invitations", organizations.list_invitations,
        "organizations:read",
    ),
    _route("POST", "/organizations/{uuid}/invitations", organizations.invite, "organizations:write"),
    _route(
        "GET", "/organizations/{org_uuid}/invitations/{uuid}", organizations.get_invitation,
        "organizations:read",
    ),
    _route(
        "DELETE", "/organizations/{org_uuid}/invitations/{uuid}",
        organizations.revoke_invitation, "organizations:write",
    ),
    _route("GET", "/user_availability_schedules", availability.list_schedules, "availability:read"),
    _route(
        "GET", "/user_availability_schedules/{uuid}", availability.get_schedule,
        "availability:read",
    ),
    _route("GET", "/user_busy_times", availability.busy_times, "availability:read"),
    _route("GET", "/event_types", event_types.list_event_types, "event_types:read"),
    _route("GET", "/event_types/{uuid}", event_types.get_event_type, "event_types:read"),
    _route("PATCH", "/event_types/{uuid}", event_types.update_event_type, "event_types:write"),
    _route("POST", "/one_off_event_types", event_types.create_one_off, "event_types:write"),
    _route(
        "GET", "/event_type_available_times", event_types.available_times, "event_types:read"
    ),
    _route("GET", "/scheduled_events", scheduled_events.list_events, "scheduled_events:read"),
    _route("GET", "/scheduled_events/{uuid}", scheduled_events.get_event, "scheduled_events:read"),
    _route(
        "GET", "/scheduled_events/{uuid}/invitees", scheduled_events.list_invitees,
        "scheduled_events:read",
    ),
    _route(
        "GET", "/scheduled_events/{event_uuid}/invitees/{invitee_uuid}",
        scheduled_events.get_invitee, "scheduled_events:read",
    ),
    _route(
        "POST", "/scheduled_events/{uuid}/cancellation", scheduled_events.cancel,
        "scheduled_events:write",
    ),
    _route(
        "POST", "/invitee_no_shows", scheduled_events.create_no_show, "scheduled_events:write"
    ),
    _route(
        "GET", "/invitee_no_shows/{uuid}", scheduled_events.get_no_show, "scheduled_events:read"
    ),
    _route(
        "DELETE", "/invitee_no_shows/{uuid}", scheduled_events.delete_no_show,
        "scheduled_events:write",
    ),
    _route("POST", "/invitees", scheduled_events.create_invitee, "invitees:write"),
    _route("POST", "/scheduling_links", misc.create_scheduling_link, "scheduling_links:write"),
    _route("POST", "/shares", misc.create_share, "shares:write"),
    _route("GET", "/webhook_subscriptions", webhooks.list_subscriptions, "webhooks:read"),
    _route("POST", "/webhook_subscriptions", webhooks.create_subscription, "webhooks:write"),
    _route(
        "GET", "/webhook_subscriptions/{webhook_uuid}", webhooks.get_subscription,
        "webhooks:read",
    ),
    _route(
        "DELETE", "/webhook_subscriptions/{webhook_uuid}", webhooks.delete_subscription,
        "webhooks:write",
    ),
    _route("GET", "/routing_forms", routing_forms.list_forms, "routing_forms:read"),
    _route("GET", "/routing_forms/{uuid}", routing_forms.get_form, "routing_forms:read"),
    _route(
        "GET", "/routing_form_submissions", routing_forms.list_submissions, "routing_forms:read"
    ),
    _route(
        "GET", "/routing_form_submissions/{uuid}", routing_forms.get_submission,
        "routing_forms:read",
    ),
    _route("GET", "/activity_log_entries", misc.activity_log, "activity_log:read"),
    _route(
        "POST", "/data_compliance/deletion/invitees", misc.delete_invitee_data,
        "data_compliance:write",
    ),
    _route(
        "POST", "/data_compliance/deletion/events", misc.delete_event_data,
        "data_compliance:write",
    ),
)  # fmt: skip


def match(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The route for ``method path``; literal segments win over ``{uuid}`` (``/users/me``)."""
    for route in ROUTES:
        if route.method != method:
            continue
        found = route.pattern.match(path)
        if found:
            return route, found.groupdict()
    return None
