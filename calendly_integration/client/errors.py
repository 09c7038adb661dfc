"""Typed errors for everything that can go wrong talking to Calendly.

Callers branch on the class (``except RateLimited`` to reschedule a task, ``except InvalidGrant`` to
ask the user to connect again) instead of on status codes, and read Calendly's own ``title``,
``message`` and per-parameter ``details`` to show people what was wrong. An error never holds the
request, its headers or the token: only the method and URL it was about.
"""

from __future__ import annotations

import re
from typing import Any

_SCOPE_WORD = re.compile(r"\b[a-z_]+:(?:read|write)\b")


class CalendlyError(Exception):
    """Base class of every error the client raises (argument errors are plain ``ValueError``)."""

    default_title = "Calendly Error"

    def __init__(
        self,
        message: str = "",
        *,
        status: int | None = None,
        title: str | None = None,
        details: list[dict[str, Any]] | None = None,
        method: str | None = None,
        url: str | None = None,
    ) -> None:
        self.status = status
        self.title = title or self.default_title
        self.message = message
        self.details = list(details or [])
        self.method = method
        self.url = url
        super().__init__(self._summary())

    def _summary(self) -> str:
        parts = []
        if self.method and self.url:
            parts.append(f"{self.method} {self.url}:")
        if self.status is not None:
            parts.append(str(self.status))
        parts.append(f"{self.title}:" if self.message else self.title)
        if self.message:
            parts.append(self.message)
        text = " ".join(parts)
        if self.details:
            shown = "; ".join(
                f"{d.get('parameter')}: {d.get('message')}"
                if d.get("parameter")
                else str(d.get("message"))
                for d in self.details
            )
            text = f"{text} ({shown})"
        return text

    def _state(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "title": self.title,
            "details": self.details,
            "method": self.method,
            "url": self.url,
        }

    def __reduce__(self) -> tuple[Any, ...]:
        # Task queues pickle exceptions; keyword-only constructors need this to round-trip.
        return (_rebuild, (type(self), self.message, self._state()))


def _rebuild(cls: type[CalendlyError], message: str, state: dict[str, Any]) -> CalendlyError:
    return cls(message, **state)


class BadRequest(CalendlyError):
    """400: Calendly rejected the parameters; ``details`` names each offending parameter."""

    default_title = "Invalid Argument"


class Unauthorized(CalendlyError):
    """401: the token is invalid, expired or revoked (even after one forced refresh)."""

    default_title = "Unauthenticated"


class PermissionDenied(CalendlyError):
    """403: the user may not do this (role, plan, or the event's state)."""

    default_title = "Permission Denied"


class InsufficientScope(PermissionDenied):
    """403 because the token lacks OAuth scopes; ``missing_scopes`` says which to ask for."""

    def __init__(
        self, message: str = "", *, missing_scopes: list[str] | None = None, **kw: Any
    ) -> None:
        self.missing_scopes = list(missing_scopes or [])
        super().__init__(message, **kw)

    def _state(self) -> dict[str, Any]:
        return {**super()._state(), "missing_scopes": self.missing_scopes}


class NotFound(CalendlyError):
    """404: the resource does not exist or is not visible to this token."""

    default_title = "Resource Not Found"


class Conflict(CalendlyError):
    """409: the resource already exists (e.g. a webhook subscription for the same URL)."""

    default_title = "Already Exists"


class ExternalCalendarError(CalendlyError):
    """424: Calendly could not reach the user's connected calendar."""

    default_title = "External Calendar Error"


class RateLimited(CalendlyError):
    """429 that the client chose not to wait for; ``retry_after`` is the wait in seconds.

    A background task catches this and reschedules itself ``retry_after`` seconds later instead of
    holding a worker asleep.
    """

    default_title = "Too Many Requests"

    def __init__(self, message: str = "", *, retry_after: float = 0.0, **kw: Any) -> None:
        self.retry_after = float(retry_after)
        super().__init__(message, **kw)

    def _state(self) -> dict[str, Any]:
        return {**super()._state(), "retry_after": self.retry_after}


class ServerError(CalendlyError):
    """5xx: Calendly failed; safe requests were already retried with backoff."""

    default_title = "Internal Server Error"


class TransportError(CalendlyError):
    """No HTTP answer at all: connection refused, reset or dropped."""

    default_title = "Connection Error"


class Timeout(TransportError):
    """The connect or read timeout passed without an answer."""

    default_title = "Timeout"


class InvalidResponse(CalendlyError):
    """Calendly answered, but the body is not JSON or not the shape the API documents."""

    default_title = "Invalid Response"


class OAuthError(CalendlyError):
    """An RFC 6749 error from the OAuth server; ``error`` is its code (e.g. ``invalid_client``)."""

    default_title = "OAuth Error"

    def __init__(self, message: str = "", *, error: str = "", **kw: Any) -> None:
        self.error = error
        kw.setdefault("title", error or None)
        super().__init__(message, **kw)

    def _state(self) -> dict[str, Any]:
        return {**super()._state(), "error": self.error}


class InvalidGrant(OAuthError):
    """The code or refresh token is invalid, used or revoked: the user must authorize again."""


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
