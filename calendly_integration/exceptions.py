"""Every error the app raises on purpose, under one base class: ``CalendlyIntegrationError``.

A host site imports them from here (``from calendly_integration.exceptions import RateLimited``)
and can catch them all with one ``except CalendlyIntegrationError``. Where one of Django's or
Python's own types says the same thing, the error is that type too (as django-anymail does), so
code that knows nothing of this app still treats it right: a setting that makes a feature
unusable is ``ImproperlyConfigured``, input we refuse is ``ValueError``, an actor who may not act
is Django's ``PermissionDenied``.

The families:

- ``CalendlyError``: Calendly answered with an error, or did not answer (the client's errors,
  one class per meaning: ``RateLimited`` carries the wait, ``InsufficientScope`` the scopes).
- ``ConnectionUnusable``: a connection has no usable token (``NeedsReauth``,
  ``ConnectionRevoked``), found before or while calling Calendly.
- ``ServiceError``: an action refused by us, with a stable ``code`` and an HTTP ``status``.
- ``InvalidPersonalAccessToken``, ``TokenDecryptionError``, ``WebhooksNotConfigured``,
  ``ProcessingError``: one each, for connecting with a token, stored secrets, webhook setup and
  webhook processing.

This module is the lowest of the app: it imports nothing of ours, so the client, the oauth
package and everything above can raise these. The modules that used to define them
(``client.errors``, ``oauth.errors``, ``services.errors``, ...) re-export them. No error holds a
token or a request's headers; Calendly's errors keep only the method and URL they were about.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

__all__ = [
    "AlreadyCanceled",
    "BadRequest",
    "CalendlyError",
    "CalendlyIntegrationError",
    "Conflict",
    "ConnectionRevoked",
    "ConnectionUnusable",
    "ExternalCalendarError",
    "InsufficientScope",
    "InvalidGrant",
    "InvalidPersonalAccessToken",
    "InvalidRequest",
    "InvalidResponse",
    "MissingScope",
    "NeedsReauth",
    "NotFound",
    "NotPermitted",
    "OAuthError",
    "PermissionDenied",
    "ProcessingError",
    "RateLimited",
    "ServerError",
    "ServiceError",
    "Timeout",
    "TokenDecryptionError",
    "TransportError",
    "Unauthorized",
    "WebhooksNotConfigured",
]


class CalendlyIntegrationError(Exception):
    """Base class of every error this app raises on purpose (argument errors aside)."""


# Calendly's answers (raised by the client).


class CalendlyError(CalendlyIntegrationError):
    """Calendly answered with an error or not at all; ``title``, ``message`` and ``details`` are
    Calendly's own words."""

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


# Connections and their tokens.


class ConnectionUnusable(CalendlyIntegrationError):
    """The connection has no usable token; ``connection_id`` says which one."""

    def __init__(self, message: str, *, connection_id: int | None = None) -> None:
        self.connection_id = connection_id
        super().__init__(message)


class NeedsReauth(ConnectionUnusable):
    """Calendly rejected the refresh token (or the personal access token): the owner must reconnect.

    Raised when it happens (the connection is then marked ``needs_reauth`` and the
    ``connection_needs_reauth`` signal sent) and on every later use until they do.
    """

    def __init__(self, message: str | None = None, *, connection_id: int | None = None) -> None:
        super().__init__(
            message or gettext("Calendly needs to be reconnected: reconnect Calendly to continue."),
            connection_id=connection_id,
        )


class ConnectionRevoked(ConnectionUnusable):
    """The connection was disconnected; its tokens are gone."""

    def __init__(self, message: str | None = None, *, connection_id: int | None = None) -> None:
        super().__init__(
            message or gettext("This Calendly connection was disconnected."),
            connection_id=connection_id,
        )


class MissingScope(InsufficientScope):
    """The connection was not granted a scope an action needs; raised before calling Calendly.

    A subclass of the client's ``InsufficientScope`` so one ``except`` handles both this early check
    and Calendly's own 403, and ``missing_scopes`` names what to ask for when reconnecting.
    """

    default_title = "Missing scope"

    def __init__(self, missing_scopes: list[str], *, connection_id: int | None = None) -> None:
        self.connection_id = connection_id
        super().__init__(
            gettext("Reconnect Calendly and grant %(scopes)s.")
            % {"scopes": ", ".join(missing_scopes)},
            missing_scopes=missing_scopes,
        )

    def __reduce__(self) -> tuple:
        # Task queues pickle exceptions; this constructor's arguments differ from the base class's.
        return (_missing_scope, (self.missing_scopes, self.connection_id))


def _missing_scope(missing_scopes: list[str], connection_id: int | None) -> MissingScope:
    return MissingScope(missing_scopes, connection_id=connection_id)


class InvalidPersonalAccessToken(CalendlyIntegrationError, ValueError):
    """Calendly did not accept a personal access token offered to connect; nothing was stored."""


class TokenDecryptionError(CalendlyIntegrationError, ImproperlyConfigured):
    """A stored token cannot be decrypted with any configured key (a key was removed too early)."""


# Actions refused by the services.


class ServiceError(CalendlyIntegrationError):
    """A failure a service detected itself; ``code`` is stable, the message is for people."""

    code = "error"
    status = 400
    default_message = _("The action failed.")

    def __init__(self, message: str | None = None) -> None:
        self.message = str(message or self.default_message)
        super().__init__(self.message)


class NotPermitted(ServiceError, DjangoPermissionDenied):
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


class InvalidRequest(ServiceError, ValueError):
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


# Webhooks.


class WebhooksNotConfigured(CalendlyIntegrationError, ImproperlyConfigured):
    """``PUBLIC_BASE_URL`` is not set, so Calendly has nowhere to deliver to."""


class ProcessingError(CalendlyIntegrationError):
    """A webhook delivery cannot be processed as it stands (retrying may help)."""
