"""OAuth scopes: which scope each operation needs, and the check behind the 403.

A token's scopes are a set; None stands for the implicit full scope of older apps (an empty
``scope`` string), which passes every check.
"""

from __future__ import annotations

from collections.abc import Iterable

ALL_SCOPES = (
    "users:read",
    "organizations:read",
    "organizations:write",
    "event_types:read",
    "event_types:write",
    "scheduled_events:read",
    "scheduled_events:write",
    "scheduling_links:write",
    "webhooks:read",
    "webhooks:write",
    "routing_forms:read",
    "availability:read",
    "activity_log:read",
    "data_compliance:write",
    "shares:write",
    "invitees:write",
)


def missing_scopes(granted: frozenset[str] | None, required: Iterable[str]) -> list[str]:
    """The required scopes the token lacks, in the order the route lists them."""
    if granted is None:
        return []
    return [scope for scope in required if scope not in granted]
