"""Webhook subscriptions over the API: list, create (409 on a duplicate URL), get, delete.

Delivery itself lives in ``webhook_delivery``; this module only keeps the subscriptions and
their optional per-subscription signing keys.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from . import errors, objects
from .call import Call
from .messages import Response
from .pagination import parse_sort

USER_SCOPE_EVENTS = (
    "invitee.created",
    "invitee.canceled",
    "invitee_no_show.created",
    "invitee_no_show.deleted",
    "event_type.created",
    "event_type.updated",
    "event_type.deleted",
)
ORGANIZATION_SCOPE_EVENTS = (*USER_SCOPE_EVENTS, "routing_form_submission.created")


def list_subscriptions(call: Call) -> Response:
    call.organization_param(required=True)
    scope = call.choice("scope", ("organization", "user"))
    if scope is None:
        raise errors.invalid_argument(("scope", "is required"))
    user = call.user_param(required=scope == "user")
    if scope == "organization":
        call.require_admin("You do not have permission to access this resource.")
    elif user is not None and user != call.caller and not call.caller_is_admin:
        raise errors.permission_denied("Unauthorized")
    field, descending = parse_sort(call.request, ("created_at",), "created_at:asc")
    own = call.organization["uri"]
    rows = [
        hook
        for hook in call.store.webhooks.values()
        if hook["organization"] == own
        and hook["scope"] == scope
        and (user is None or hook["user"] == user["uri"])
    ]
    return call.page(rows, lambda h: (h[field], h["uri"]), descending=descending)


def create_subscription(call: Call) -> Response:
    body = call.body()
    store = call.store
    problems: list[tuple[str, str]] = []
    url = body.get("url")
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        problems.append(("url", "must be a valid http or https URL"))
    scope = body.get("scope")
    if scope not in ("organization", "user"):
        problems.append(("scope", "must be one of organization, user"))
    events = body.get("events")
    allowed = ORGANIZATION_SCOPE_EVENTS if scope == "organization" else USER_SCOPE_EVENTS
    if (
        not isinstance(events, list)
        or not events
        or not all(isinstance(event, str) for event in events)
        or len(set(events)) != len(events)
    ):
        problems.append(("events", "must be a non-empty list of distinct events"))
    else:
        for event in events:
            if event not in allowed:
                problems.append(("events", f"{event} is not allowed for {scope} scope"))
    organization = body.get("organization")
    if not organization:
        problems.append(("organization", "is required"))
    user = None
    if scope == "user":
        user = store.user_by_uri(body.get("user"))
        if user is None:
            problems.append(("user", "must be the URI of a user when scope is user"))
    signing_key = body.get("signing_key")
    if signing_key is not None and (not isinstance(signing_key, str) or not signing_key):
        problems.append(("signing_key", "must be a non-empty string"))
    if problems:
        raise errors.invalid_argument(*problems)
    if not store.is_org_uri(organization, call.caller_uuid):
        raise errors.permission_denied("You do not have permission to access this resource.")
    if user is not None:
        call.require_own(user["uri"], "You do not have permission")
    if scope == "organization" and not call.caller_is_admin:
        raise errors.permission_denied("You do not have permission to access this resource.")
    if user is not None and user != call.caller and not call.caller_is_admin:
        raise errors.permission_denied("You do not have permission")
    if any(
        hook["callback_url"] == url and hook["organization"] == call.organization["uri"]
        for hook in store.webhooks.values()
    ):
        raise errors.already_exists("Hook with this url already exists")
    uuid = store.new_uuid()
    hook = objects.webhook_subscription(
        store.base,
        uuid,
        callback_url=url,
        events=list(events),
        scope=scope,
        organization_uri=call.organization["uri"],
        user_uri=user["uri"] if user else None,
        creator_uri=call.caller["uri"],
        created_at=call.now(),
    )
    store.webhooks[uuid] = hook
    store.webhook_signing_keys[uuid] = signing_key
    return call.resource(hook, 201)


def _subscription(call: Call) -> dict[str, Any]:
    hook = call.store.webhooks.get(call.params["webhook_uuid"])
    if hook is None:
        raise errors.not_found()
    call.require_own_organization(hook["organization"])
    mine = call.caller["uri"] in (hook["user"], hook["creator"])
    if not mine and not call.caller_is_admin:
        raise errors.permission_denied()
    return hook


def get_subscription(call: Call) -> Response:
    return call.resource(_subscription(call))


def delete_subscription(call: Call) -> Response:
    _subscription(call)
    uuid = call.params["webhook_uuid"]
    del call.store.webhooks[uuid]
    call.store.webhook_signing_keys.pop(uuid, None)
    return Response.empty()
