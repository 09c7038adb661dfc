"""Checking a connection's granted scopes before an action, instead of failing at Calendly.

Apps created since 2026-03 ask for granular scopes and a user may grant fewer than asked. Checking
first lets the UI say "reconnect and grant scheduled_events:write" before anything is attempted.
A connection with no recorded scopes has full access (older apps, personal access tokens); for it
Calendly's own 403 (the client's ``InsufficientScope``) remains the final word.
"""

from __future__ import annotations

from calendly_integration.models import Connection
from calendly_integration.oauth.errors import MissingScope

__all__ = ["has_scopes", "missing_scopes", "require_scopes"]


def missing_scopes(connection: Connection, *scopes: str) -> list[str]:
    """The scopes in ``scopes`` the connection was not granted, in the order asked."""
    granted = connection.granted_scopes
    if granted is None:
        return []
    return [scope for scope in dict.fromkeys(scopes) if scope not in granted]


def has_scopes(connection: Connection, *scopes: str) -> bool:
    return not missing_scopes(connection, *scopes)


def require_scopes(connection: Connection, *scopes: str) -> None:
    """Raise ``MissingScope`` naming every scope in ``scopes`` the connection lacks."""
    missing = missing_scopes(connection, *scopes)
    if missing:
        raise MissingScope(missing, connection_id=connection.pk)
