"""The errors services raise, and one description of any failure for people and HTTP answers.

Services raise the client's typed ``CalendlyError`` subclasses and the oauth package's errors as
they are, plus the few below for what only we know (an event already canceled, nobody allowed to
act). ``describe_error`` turns any of them into a status, a stable code and a sentence: the REST
API answers with it, and the admin reports per-row failures with it, so both say the same thing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from calendly_integration.client import (
    BadRequest,
    CalendlyError,
    Conflict,
    ExternalCalendarError,
    InsufficientScope,
    InvalidResponse,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    Timeout,
    TransportError,
    Unauthorized,
)
from calendly_integration.oauth.errors import ConnectionRevoked, NeedsReauth


class ServiceError(Exception):
    """A failure a service detected itself; ``code`` is stable, the message is for people."""

    code = "error"
    status = 400
    default_message = _("The action failed.")

    def __init__(self, message: str | None = None) -> None:
        self.message = str(message or self.default_message)
        super().__init__(self.message)


class NotPermitted(ServiceError):
    """The actor has no connection allowed to act on the object at Calendly."""

    code = "not_permitted"
    status = 403
    default_message = _(
        "None of your Calendly connections may do this: it takes the host's own connection or "
        "one of an owner or admin of the organization."
    )


class AlreadyCanceled(ServiceError):
    """The event was already canceled (here, or at Calendly)."""

    code = "already_canceled"
    status = 409
    default_message = _("This event is already canceled.")


class InvalidRequest(ServiceError):
    """Input a service refused before calling Calendly; ``fields`` maps a field to its messages."""

    code = "invalid"
    status = 400
    default_message = _("The request is not valid.")

    def __init__(self, fields: dict[str, list[str]] | str, message: str | None = None) -> None:
        if isinstance(fields, str):
            fields = {"non_field_errors": [fields]}
        self.fields = {name: [str(m) for m in messages] for name, messages in fields.items()}
        first = next(iter(self.fields.values()), [None])[0]
        super().__init__(message or first)


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
