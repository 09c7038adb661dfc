"""Typed errors for everything that can go wrong talking to Calendly, and how an answer maps to one.

Callers branch on the class (``except RateLimited`` to reschedule a task, ``except InvalidGrant`` to
ask the user to connect again) instead of on status codes, and read Calendly's own ``title``,
``message`` and per-parameter ``details`` to show people what was wrong. An error never holds the
request, its headers or the token: only the method and URL it was about.

The classes live in ``calendly_integration.exceptions`` (under the app's one base class); they are
re-exported here, and this module keeps what turns an HTTP answer into one of them.
"""

from __future__ import annotations

import re
from typing import Any

from calendly_integration.exceptions import (
    BadRequest,
    CalendlyError,
    Conflict,
    ExternalCalendarError,
    InsufficientScope,
    InvalidGrant,
    InvalidResponse,
    NotFound,
    OAuthError,
    PermissionDenied,
    RateLimited,
    ServerError,
    Timeout,
    TransportError,
    Unauthorized,
)

__all__ = [
    "BadRequest",
    "CalendlyError",
    "Conflict",
    "ExternalCalendarError",
    "InsufficientScope",
    "InvalidGrant",
    "InvalidResponse",
    "NotFound",
    "OAuthError",
    "PermissionDenied",
    "RateLimited",
    "ServerError",
    "Timeout",
    "TransportError",
    "Unauthorized",
    "error_for_status",
    "is_scope_error",
    "missing_scopes_from",
]

_SCOPE_WORD = re.compile(r"\b[a-z_]+:(?:read|write)\b")


_BY_STATUS: dict[int, type[CalendlyError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    424: ExternalCalendarError,
    429: RateLimited,
}


def missing_scopes_from(message: str, details: list[dict[str, Any]]) -> list[str]:
    """Read the scopes an insufficient-scope 403 asks for, from details first, else the message."""
    scopes = [
        str(d["message"]) for d in details if d.get("parameter") == "scope" and d.get("message")
    ]
    if scopes:
        return scopes
    return list(dict.fromkeys(_SCOPE_WORD.findall(message or "")))


def is_scope_error(message: str, details: list[dict[str, Any]]) -> bool:
    return "scope" in (message or "").lower() or any(d.get("parameter") == "scope" for d in details)


def error_for_status(
    status: int,
    body: Any,
    *,
    method: str,
    url: str,
    reason: str = "",
    retry_after: float = 0.0,
) -> CalendlyError:
    """Build the typed error for an HTTP error answer, from Calendly's JSON error body if any."""
    body = body if isinstance(body, dict) else {}
    title = body.get("title") if isinstance(body.get("title"), str) else None
    message = body.get("message") if isinstance(body.get("message"), str) else ""
    raw_details = body.get("details")
    details = (
        [d for d in raw_details if isinstance(d, dict)] if isinstance(raw_details, list) else []
    )
    common: dict[str, Any] = {
        "status": status,
        "title": title or reason or None,
        "details": details,
        "method": method,
        "url": url,
    }
    if status == 403 and is_scope_error(message, details):
        return InsufficientScope(
            message, missing_scopes=missing_scopes_from(message, details), **common
        )
    if status == 429:
        return RateLimited(message, retry_after=retry_after, **common)
    if status >= 500:
        return ServerError(message, **common)
    return _BY_STATUS.get(status, CalendlyError)(message, **common)
