"""Builders for Calendly-shaped resources, shared by the dataset generator and live actions.

One builder per schema of the spec (User, EventType, Event, Invitee, ...), each filling every
required property with the right type, so that seeded objects and objects created while a test
runs look exactly alike.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .timeutil import iso

TRACKING_KEYS = (
    "utm_campaign",
    "utm_source",
    "utm_medium",
    "utm_content",
    "utm_term",
    "salesforce_uuid",
)


def tracking(values: dict[str, Any] | None = None) -> dict[str, Any]:
    """Invitee/submission tracking: all six keys present, unknown keys dropped."""
    values = values or {}
    return {key: values.get(key) for key in TRACKING_KEYS}


def user(
    base: str,
    uuid: str,
    *,
    name: str,
    slug: str,
    email: str,
    timezone: str,
    avatar_url: str | None,
    created_at: datetime,
    updated_at: datetime,
    organization_uri: str,
) -> dict[str, Any]:
    return {
        "uri": f"{base}/users/{uuid}",
        "name": name,
        "slug": slug,
        "email": email,
        "scheduling_url": f"{base}/{slug}",
        "timezone": timezone,
        "avatar_url": avatar_url,
        "created_at": iso(created_at),
        "updated_at": iso(updated_at),
        "current_organization": organization_uri,
        "resource_type": "User",
        "locale": "en",
    }


def membership_user(user_resource: dict[str, Any]) -> dict[str, Any]:
    """The user object embedded in an OrganizationMembership (no current_organization)."""
    keys = (
        "uri",
        "name",
        "slug",
        "email",
        "scheduling_url",
        "timezone",
        "avatar_url",
        "created_at",
        "updated_at",
    )
    return {key: user_resource[key] for key in keys}


def membership(
    base: str,
    uuid: str,
    *,
    role: str,
    user_resource: dict[str, Any],
    organization_uri: str,
    created_at: datetime,
) -> dict[str, Any]:
    return {
        "uri": f"{base}/organization_memberships/{uuid}",
        "role": role,
        "user": membership_user(user_resource),
        "organization": organization_uri,
        "updated_at": iso(created_at),
        "created_at": iso(created_at),
    }


def custom_question(
    name: str,
    kind: str,
    position: int,
    *,
    required: bool = False,
    choices: list[str] | None = None,
    include_other: bool = False,
    enabled: bool = True,
) -> dict[str, Any]:
    return {
        "name": name,
        "type": kind,
        "position": position,
        "enabled": enabled,
        "required": required,
        "answer_choices": list(choices or []),
        "include_other": include_other,
    }


KIND_DESCRIPTIONS = {"solo": "One-on-One", "group": "Group"}


def event_type(
    base: str,
    uuid: str,
    *,
    name: str,
    slug: str,
    owner: dict[str, Any],
    duration: int,
    kind: str,
    color: str,
    active: bool,
    secret: bool,
    description: str | None,
    internal_note: str | None,
    custom_questions: list[dict[str, Any]],
    locations: list[dict[str, Any]],
    created_at: datetime,
    updated_at: datetime,
    adhoc: bool = False,
) -> dict[str, Any]:
    return {
        "uri": f"{base}/event_types/{uuid}",
        "name": name,
        "active": active,
        "booking_method": "instant",
        "slug": slug,
        "scheduling_url": f"{owner['scheduling_url']}/{slug}",
        "duration": duration,
        "duration_options": None,
        "kind": kind,
        "pooling_type": None,
        "type": "AdhocEventType" if adhoc else "StandardEventType",
        "color": color,
        "created_at": iso(created_at),
        "updated_at": iso(updated_at),
        "internal_note": internal_note,
        "description_plain": description,
        "description_html": f"<p>{description}</p>" if description else None,
        "profile": {"type": "User", "name": owner["name"], "owner": owner["uri"]},
        "secret": secret,
        "deleted_at": None,
        "admin_managed": False,
        "custom_questions": custom_questions,
        "kind_description": KIND_DESCRIPTIONS[kind],
        "locations": locations,
        "position": 0,
    }


def event_location(config: dict[str, Any] | None, *, token: str, phone: str) -> dict[str, Any]:
    """The Location object of a scheduled event, from its event type's location config."""
    kind = (config or {}).get("kind", "physical")
    if kind == "google_conference":
        return {
            "type": "google_conference",
            "status": "pushed",
            "join_url": f"https://meet.google.com/{token[:3]}-{token[3:7]}-{token[7:10]}",
        }
    if kind == "zoom_conference":
        meeting_id = str(int(token[:10], 16) % 10**11).rjust(11, "8")
        return {
            "type": "zoom_conference",
            "status": "pushed",
            "join_url": f"https://us02web.zoom.us/j/{meeting_id}",
            "data": {
                "id": meeting_id,
                "settings": {
                    "global_dial_in_numbers": [
                        {"number": "+1 6465588656", "country": "US", "type": "toll"}
                    ]
                },
                "extra": {"intl_numbers_url": "https://us02web.zoom.us/u/kd0Kd2Lx1"},
                "password": token[-6:],
            },
        }
    if kind == "outbound_call":
        return {"type": "outbound_call", "location": phone}
    if kind == "ask_invitee":
        return {"type": "ask_invitee", "location": (config or {}).get("location") or phone}
    if kind == "custom":
        return {"type": "custom", "location": (config or {}).get("location")}
    return {"type": "physical", "location": (config or {}).get("location") or "Main office"}


def cancellation(
    canceled_by: str, reason: str | None, canceler_type: str, created_at: datetime
) -> dict[str, Any]:
    return {
        "canceled_by": canceled_by,
        "reason": reason,
        "canceler_type": canceler_type,
        "created_at": iso(created_at),
    }


def scheduled_event(
    base: str,
    uuid: str,
    *,
    event_type_resource: dict[str, Any],
    host: dict[str, Any],
    start: datetime,
    end: datetime,
    location: dict[str, Any],
    limit: int,
    created_at: datetime,
    calendar_event: dict[str, Any] | None,
    guests: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "uri": f"{base}/scheduled_events/{uuid}",
        "name": event_type_resource["name"],
        "meeting_notes_plain": None,
        "meeting_notes_html": None,
        "status": "active",
        "start_time": iso(start),
        "end_time": iso(end),
        "event_type": event_type_resource["uri"],
        "location": location,
        "invitees_counter": {"total": 0, "active": 0, "limit": limit},
        "created_at": iso(created_at),
        "updated_at": iso(created_at),
        "event_memberships": [
            {"user": host["uri"], "user_email": host["email"], "user_name": host["name"]}
        ],
        "event_guests": guests or [],
        "calendar_event": calendar_event,
    }


def invitee(
    base: str,
    event_uri: str,
    uuid: str,
    *,
    name: str,
    email: str,
    timezone: str,
    created_at: datetime,
    first_name: str | None = None,
    last_name: str | None = None,
    questions_and_answers: list[dict[str, Any]] | None = None,
    tracking_values: dict[str, Any] | None = None,
    text_reminder_number: str | None = None,
    payment: dict[str, Any] | None = None,
    routing_form_submission: str | None = None,
    old_invitee: str | None = None,
) -> dict[str, Any]:
    return {
        "uri": f"{event_uri}/invitees/{uuid}",
        "email": email,
        "first_name": first_name,
        "last_name": last_name,
        "name": name,
        "status": "active",
        "questions_and_answers": questions_and_answers or [],
        "timezone": timezone,
        "event": event_uri,
        "created_at": iso(created_at),
        "updated_at": iso(created_at),
        "tracking": tracking(tracking_values),
        "text_reminder_number": text_reminder_number,
        "rescheduled": False,
        "old_invitee": old_invitee,
        "new_invitee": None,
        "cancel_url": f"{base}/cancellations/{uuid}",
        "reschedule_url": f"{base}/reschedulings/{uuid}",
        "routing_form_submission": routing_form_submission,
        "payment": payment,
        "no_show": None,
        "reconfirmation": None,
        "canceled": False,
    }


def no_show(base: str, uuid: str, invitee_uri: str, created_at: datetime) -> dict[str, Any]:
    return {
        "uri": f"{base}/invitee_no_shows/{uuid}",
        "invitee": invitee_uri,
        "created_at": iso(created_at),
    }


def webhook_subscription(
    base: str,
    uuid: str,
    *,
    callback_url: str,
    events: list[str],
    scope: str,
    organization_uri: str,
    user_uri: str | None,
    creator_uri: str | None,
    created_at: datetime,
) -> dict[str, Any]:
    return {
        "uri": f"{base}/webhook_subscriptions/{uuid}",
        "callback_url": callback_url,
        "created_at": iso(created_at),
        "updated_at": iso(created_at),
        "retry_started_at": None,
        "state": "active",
        "events": events,
        "scope": scope,
        "organization": organization_uri,
        "user": user_uri,
        "creator": creator_uri,
    }


def invitation(
    base: str,
    organization_uuid: str,
    uuid: str,
    *,
    email: str,
    status: str,
    created_at: datetime,
    user_uri: str | None = None,
) -> dict[str, Any]:
    data = {
        "uri": f"{base}/organizations/{organization_uuid}/invitations/{uuid}",
        "organization": f"{base}/organizations/{organization_uuid}",
        "email": email,
        "status": status,
        "created_at": iso(created_at),
        "updated_at": iso(created_at),
        "last_sent_at": iso(created_at),
    }
    if user_uri:
        data["user"] = user_uri
    return data


def activity_entry(
    base: str,
    uuid: str,
    *,
    organization_uri: str,
    occurred_at: datetime,
    namespace: str,
    action: str,
    actor: dict[str, Any],
    role: str,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "uri": f"{base}/activity_log_entries/{uuid}",
        "occurred_at": iso(occurred_at),
        "namespace": namespace,
        "action": action,
        "fully_qualified_name": f"{namespace}.{action}",
        "actor": {
            "uri": actor["uri"],
            "type": "User",
            "organization": {"uri": organization_uri, "role": role.capitalize()},
            "display_name": actor["name"],
            "alternative_identifier": actor["email"],
        },
        "details": details or {},
        "organization": organization_uri,
    }
