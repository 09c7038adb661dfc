"""The errors services raise, and one description of any failure for people and HTTP answers.

Services raise the client's typed ``CalendlyError`` subclasses and the oauth package's errors as
they are, plus ``ServiceError`` and its subclasses (defined in ``calendly_integration.exceptions``,
re-exported here) for what only we know (an event already canceled, nobody allowed to act).
``describe_error`` turns any of them into a status, a stable code and a sentence: the REST API
answers with it, and the admin reports per-row failures with it, so both say the same thing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

from calendly_integration.exceptions import (
    AlreadyCanceled,
    BadRequest,
    CalendlyError,
    Conflict,
    ConnectionRevoked,
    ExternalCalendarError,
    InsufficientScope,
    InvalidRequest,
    InvalidResponse,
    NeedsReauth,
    NotFound,
    NotPermitted,
    PermissionDenied,
    RateLimited,
    ServerError,
    ServiceError,
    Timeout,
    TransportError,
    Unauthorized,
)

__all__ = [
    "AlreadyCanceled",
    "ErrorDescription",
    "InvalidRequest",
    "NotPermitted",
    "ServiceError",
    "describe_error",
]


@dataclass(frozen=True)
class ErrorDescription:
    """What to tell a person or an HTTP client about a failure."""

    status: int
    code: str
    message: str
    extra: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "detail": self.message, **self.extra}


def describe_error(exc: BaseException) -> ErrorDescription | None:
    """The description of a service, oauth or Calendly error; ``None`` for anything else.

    Calendly's own answers map to what they mean for our caller: its 429 to 429 with the wait,
    its 5xx and unreadable answers to 502, timeouts to 504, its 404 to 404, a missing scope to 403
    naming the scope. A token Calendly rejects is not our caller's 401: they are signed in here.
    """
    if isinstance(exc, InvalidRequest):
        return ErrorDescription(400, exc.code, exc.message, {"errors": exc.fields})
    if isinstance(exc, ServiceError):
        return ErrorDescription(exc.status, exc.code, exc.message)
    if isinstance(exc, NeedsReauth):
        return ErrorDescription(403, "connection_needs_reauth", str(exc))
    if isinstance(exc, ConnectionRevoked):
        return ErrorDescription(403, "connection_revoked", str(exc))
    if isinstance(exc, CalendlyError):
        return _describe_calendly_error(exc)
    return None


def _calendly_says(exc: CalendlyError) -> str:
    return exc.message or exc.title


def _describe_calendly_error(exc: CalendlyError) -> ErrorDescription:
    if isinstance(exc, InsufficientScope):
        scopes = list(exc.missing_scopes)
        message = (
            gettext("Reconnect Calendly and grant %(scopes)s.") % {"scopes": ", ".join(scopes)}
            if scopes
            else gettext("Calendly refused: a scope is missing (%(reason)s).")
            % {"reason": _calendly_says(exc)}
        )
        return ErrorDescription(403, "missing_scope", message, {"missing_scopes": scopes})
    if isinstance(exc, RateLimited):
        wait = max(1, math.ceil(exc.retry_after or 0))
        return ErrorDescription(
            429,
            "calendly_rate_limited",
            gettext("Calendly's rate limit was reached; try again in %(seconds)s seconds.")
            % {"seconds": wait},
            {"retry_after": wait},
            {"Retry-After": str(wait)},
        )
    if isinstance(exc, Timeout):
        return ErrorDescription(
            504, "calendly_timeout", gettext("Calendly did not answer in time; try again.")
        )
    if isinstance(exc, (ServerError, TransportError, InvalidResponse)):
        return ErrorDescription(
            502,
            "calendly_unavailable",
            gettext("Calendly could not be reached or failed to answer; try again later."),
        )
    if isinstance(exc, NotFound):
        return ErrorDescription(
            404, "calendly_not_found", gettext("Calendly does not know this object (any more).")
        )
    if isinstance(exc, Unauthorized):
        return ErrorDescription(
            403,
            "connection_needs_reauth",
            gettext("Calendly rejected the connection's token: reconnect Calendly."),
        )
    if isinstance(exc, PermissionDenied):
        return ErrorDescription(
            403,
            "calendly_permission_denied",
            gettext("Calendly refused: %(reason)s") % {"reason": _calendly_says(exc)},
        )
    if isinstance(exc, BadRequest):
        fields: dict[str, list[str]] = {}
        for detail in exc.details:
            name = str(detail.get("parameter") or "non_field_errors")
            fields.setdefault(name, []).append(str(detail.get("message") or ""))
        return ErrorDescription(
            400,
            "calendly_invalid",
            gettext("Calendly refused the request: %(reason)s") % {"reason": _calendly_says(exc)},
            {"errors": fields} if fields else {},
        )
    if isinstance(exc, Conflict):
        return ErrorDescription(
            409,
            "calendly_conflict",
            gettext("Calendly refused: %(reason)s") % {"reason": _calendly_says(exc)},
        )
    if isinstance(exc, ExternalCalendarError):
        return ErrorDescription(
            424,
            "calendly_external_calendar",
            gettext("Calendly could not reach the host's connected calendar; try again later."),
        )
    return ErrorDescription(
        502,
        "calendly_error",
        gettext("Calendly answered with an error: %(reason)s") % {"reason": _calendly_says(exc)},
    )
