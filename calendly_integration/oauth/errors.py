"""Errors a caller of the oauth package branches on (defined in ``calendly_integration.exceptions``).

They are separate from the client's HTTP errors because most are raised before any request is made:
the connection is already known to need reconnecting, or lacks a scope, or a stored token cannot be
decrypted. The UI turns each into one clear sentence ("Reconnect Calendly ...").
"""

from __future__ import annotations

from calendly_integration.exceptions import (
    ConnectionRevoked,
    ConnectionUnusable,
    InvalidPersonalAccessToken,
    MissingScope,
    NeedsReauth,
    TokenDecryptionError,
)

__all__ = [
    "ConnectionRevoked",
    "ConnectionUnusable",
    "InvalidPersonalAccessToken",
    "MissingScope",
    "NeedsReauth",
    "TokenDecryptionError",
]
