"""Errors a caller of the oauth package branches on.

They are separate from the client's HTTP errors because most are raised before any request is made:
the connection is already known to need reconnecting, or lacks a scope, or a stored token cannot be
decrypted. The UI turns each into one clear sentence ("Reconnect Calendly ...").
"""

from __future__ import annotations

from django.utils.translation import gettext

from calendly_integration.client.errors import InsufficientScope

# Raised by ``calendly_integration.crypto`` (below the models); callers branch on it from here too.
from calendly_integration.crypto import TokenDecryptionError as TokenDecryptionError


class ConnectionUnusable(Exception):
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


class InvalidPersonalAccessToken(Exception):
    """Calendly did not accept a personal access token offered to connect; nothing was stored."""
