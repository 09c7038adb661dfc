"""Calendly JSON to model fields: the one place that knows how each resource maps to columns.

Sync uses these for every page and the webhook handlers for every payload, so a row looks the same
whichever way it arrived. Each function is pure: it takes Calendly's object and returns the
columns it fills, URIs included, never database ids (the caller resolves foreign keys, since only
it knows which rows exist). Values are made to fit their columns (text cut to length, bad times
read as empty) because one odd object must not fail a page of a hundred good ones.

The same goes for characters no database column holds: a NUL (PostgreSQL refuses it in text and
in ``jsonb``) or a lone surrogate (no UTF-8 for it) in any string, URIs and raw JSON included, is
replaced by U+FFFD (``untrusted.safe_text`` / ``untrusted.scrub``). A webhook delivery keeps its
body exactly as sent; the mirrored row holds the readable rest.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from calendly_integration.client import parse_time
from calendly_integration.client.tracking import TRACKING_KEYS
from calendly_integration.untrusted import safe_text, scrub

Fields = dict[str, Any]


def text(value: Any, max_length: int | None = 255) -> str:
    """A string for a text column: ``None`` becomes empty, others are cut to ``max_length``,
    with NUL and lone surrogates replaced."""
    if value is None:
        return ""
    value = value if isinstance(value, str) else str(value)
    return safe_text(value[:max_length] if max_length else value)


def uri_of(value: Any) -> str:
    """A URI from a field that holds either a URI or an object with one."""
    if isinstance(value, dict):
        value = value.get("uri")
    return text(value) if isinstance(value, str) else ""


def time_or_none(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return parse_time(value)
    except ValueError:
        return None


def _int(value: Any, default: int | None = None) -> int | None:
    if isinstance(value, bool):
        return default
    try:
        return int(value) if value is not None else default
    except (TypeError, ValueError):
        return default


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    """A list for a JSON column (its strings made safe), or empty."""
    return scrub(value) if isinstance(value, list) else []


def common_fields(data: dict[str, Any]) -> Fields:
    """URI, raw JSON and Calendly's own timestamps, shared by every mirrored model."""
    return {
        "uri": uri_of(data),
        "raw": scrub(data),
        "calendly_created_at": time_or_none(data.get("created_at")),
        "calendly_updated_at": time_or_none(data.get("updated_at")),
    }


def organization_fields(data: dict[str, Any]) -> Fields:
    return {
        **common_fields(data),
        "name": text(data.get("name")),
        "slug": text(data.get("slug")),
        "plan": text(data.get("plan"), 64),
        "stage": text(data.get("stage"), 64),
    }


def user_fields(data: dict[str, Any]) -> Fields:
    """A User (``/users/me``, ``/users/{uuid}``, or the user inside a membership)."""
    return {
        **common_fields(data),
        "name": text(data.get("name")),
        "slug": text(data.get("slug")),
        "email": text(data.get("email")),
        "scheduling_url": text(data.get("scheduling_url"), 500),
        "timezone": text(data.get("timezone"), 64),
        "avatar_url": text(data.get("avatar_url"), 1000),
        "locale": text(data.get("locale"), 16),
    }


def membership_fields(data: dict[str, Any]) -> Fields:
    """An OrganizationMembership; ``user_uri`` names the user (the caller sets ``user_id``)."""
    return {
        **common_fields(data),
        "role": text(data.get("role"), 16) or "user",
    }


def membership_user(data: dict[str, Any]) -> dict[str, Any] | None:
    """The user object embedded in a membership, if it is an object (older answers: a URI)."""
    user = data.get("user")
    return user if isinstance(user, dict) and user.get("uri") else None


def event_type_fields(data: dict[str, Any]) -> Fields:
    profile = _dict(data.get("profile"))
    return {
        **common_fields(data),
        "name": text(data.get("name")),
        "slug": text(data.get("slug")),
        "active": bool(data.get("active", True)),
        "secret": bool(data.get("secret", False)),
        "kind": text(data.get("kind"), 16),
        "type": text(data.get("type"), 32),
        "pooling_type": text(data.get("pooling_type"), 32),
        "booking_method": text(data.get("booking_method"), 32),
        "admin_managed": bool(data.get("admin_managed", False)),
        "duration": _int(data.get("duration")),
        "color": text(data.get("color"), 16),
        "scheduling_url": text(data.get("scheduling_url"), 500),
        "description": text(data.get("description_plain"), None),
        "internal_note": text(data.get("internal_note"), None),
        "profile_type": text(profile.get("type"), 16),
        "profile_name": text(profile.get("name")),
        "owner_uri": uri_of(profile.get("owner")),
        "deleted_at": time_or_none(data.get("deleted_at")),
    }


def _cancellation(data: dict[str, Any]) -> Fields:
    cancellation = _dict(data.get("cancellation"))
    return {
        "canceled_at": time_or_none(cancellation.get("created_at")),
        "canceled_by": text(cancellation.get("canceled_by")),
        "canceler_type": text(cancellation.get("canceler_type"), 16),
        "cancel_reason": text(cancellation.get("reason"), None),
    }


def _location(location: dict[str, Any]) -> tuple[str, str, str]:
    """(type, a line to show, join URL) of a scheduled event's location."""
    kind = text(location.get("type"), 64)
    join_url = text(location.get("join_url"), None)
    shown = text(location.get("location"), None) or join_url
    return kind, shown, join_url


def scheduled_event_fields(data: dict[str, Any]) -> Fields:
    counter = _dict(data.get("invitees_counter"))
    location_type, location, join_url = _location(_dict(data.get("location")))
    return {
        **common_fields(data),
        **_cancellation(data),
        "name": text(data.get("name")),
        "status": text(data.get("status"), 16) or "active",
        "start_time": time_or_none(data.get("start_time")),
        "end_time": time_or_none(data.get("end_time")),
        "event_type_uri": uri_of(data.get("event_type")),
        "location_type": location_type,
        "location": location,
        "join_url": join_url,
        "invitees_total": max(_int(counter.get("total"), 0) or 0, 0),
        "invitees_active": max(_int(counter.get("active"), 0) or 0, 0),
        "invitees_limit": max(_int(counter.get("limit"), 1) or 0, 0),
        "meeting_notes": text(data.get("meeting_notes_plain"), None),
    }


def event_hosts(data: dict[str, Any]) -> list[Fields]:
    """The event's hosts (``event_memberships``), in order, one per user."""
    hosts: list[Fields] = []
    seen: set[str] = set()
    for position, member in enumerate(_list(data.get("event_memberships"))):
        member = _dict(member)
        user_uri = uri_of(member.get("user"))
        if not user_uri or user_uri in seen:
            continue
        seen.add(user_uri)
        hosts.append(
            {
                "user_uri": user_uri,
                "email": text(member.get("user_email")),
                "name": text(member.get("user_name")),
                "position": min(position, 32767),
            }
        )
    return hosts


def tracking_fields(tracking: Any) -> Fields:
    tracking = _dict(tracking)
    return {key: text(tracking.get(key)) for key in TRACKING_KEYS}


def invitee_fields(data: dict[str, Any]) -> Fields:
    """An Invitee; ``event_uri`` names its event (the caller sets ``event_id``)."""
    payment = _dict(data.get("payment"))
    no_show = _dict(data.get("no_show"))
    successful = payment.get("successful")
    return {
        **common_fields(data),
        **_cancellation(data),
        **tracking_fields(data.get("tracking")),
        "name": text(data.get("name")),
        "first_name": text(data.get("first_name")),
        "last_name": text(data.get("last_name")),
        "email": text(data.get("email")),
        "status": text(data.get("status"), 16) or "active",
        "timezone": text(data.get("timezone"), 64),
        "text_reminder_number": text(data.get("text_reminder_number"), 64),
        "questions_and_answers": _list(data.get("questions_and_answers")),
        "payment_provider": text(payment.get("provider"), 32),
        "payment_external_id": text(payment.get("external_id")),
        "payment_amount": _decimal(payment.get("amount")),
        "payment_currency": text(payment.get("currency"), 8),
        "payment_successful": successful if isinstance(successful, bool) else None,
        "rescheduled": bool(data.get("rescheduled", False)),
        "old_invitee_uri": uri_of(data.get("old_invitee")),
        "new_invitee_uri": uri_of(data.get("new_invitee")),
        "cancel_url": text(data.get("cancel_url"), 500),
        "reschedule_url": text(data.get("reschedule_url"), 500),
        "routing_form_submission_uri": uri_of(data.get("routing_form_submission")),
        "is_no_show": bool(no_show),
        "no_show_uri": uri_of(no_show),
        "no_show_created_at": time_or_none(no_show.get("created_at")),
    }


def invitee_event_uri(data: dict[str, Any]) -> str:
    """The event an invitee belongs to: its ``event`` field, else the prefix of its URI."""
    event = uri_of(data.get("event"))
    if event:
        return event
    uri = uri_of(data)
    return uri.split("/invitees/", 1)[0] if "/invitees/" in uri else ""


def routing_form_fields(data: dict[str, Any]) -> Fields:
    return {
        **common_fields(data),
        "name": text(data.get("name")),
        "status": text(data.get("status"), 16),
        "questions": _list(data.get("questions")),
    }


def routing_form_submission_fields(data: dict[str, Any]) -> Fields:
    """A RoutingFormSubmission; ``routing_form`` names its form (the caller sets ``form_id``)."""
    result = _dict(data.get("result"))
    return {
        **common_fields(data),
        **tracking_fields(data.get("tracking")),
        "submitter_uri": uri_of(data.get("submitter")),
        "submitter_type": text(data.get("submitter_type"), 32),
        "questions_and_answers": _list(data.get("questions_and_answers")),
        "result_type": text(result.get("type"), 32),
        "result_value": scrub(result.get("value")),
    }


def availability_schedule_fields(data: dict[str, Any]) -> Fields:
    return {
        **common_fields(data),
        "user_uri": uri_of(data.get("user")),
        "name": text(data.get("name")),
        "is_default": bool(data.get("default", False)),
        "timezone": text(data.get("timezone"), 64),
        "rules": _list(data.get("rules")),
    }


def scheduling_link_fields(data: dict[str, Any], *, max_event_count: int = 1) -> Fields:
    """A scheduling link from ``POST /scheduling_links`` (its booking URL stands in for a URI)."""
    booking_url = text(data.get("booking_url"), 500)
    return {
        "uri": booking_url[:255],
        "raw": scrub(data),
        "calendly_created_at": None,
        "calendly_updated_at": None,
        "booking_url": booking_url,
        "owner_uri": uri_of(data.get("owner")),
        "owner_type": text(data.get("owner_type"), 32) or "EventType",
        "max_event_count": max_event_count,
    }
