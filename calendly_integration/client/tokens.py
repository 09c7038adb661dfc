"""Where the client gets its bearer token from.

The client never stores or refreshes tokens itself: a ``TokenProvider`` does (the oauth package's one
refreshes under a database lock). After a 401 the client asks once more with ``force_refresh=True``,
which covers a token that was revoked or rotated between the provider's expiry check and the call.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class TokenProvider(Protocol):
    """Anything with ``get_token(force_refresh=False) -> str``."""

    def get_token(self, force_refresh: bool = False) -> str: ...


class StaticToken:
    """A fixed token (a personal access token): nothing to refresh, so a 401 is final."""

    refreshable = False

    def __init__(self, token: str) -> None:
        if not isinstance(token, str) or not token.strip():
            raise ValueError("A Calendly access token is required.")
        self._token = token

    def get_token(self, force_refresh: bool = False) -> str:
        return self._token

    def __repr__(self) -> str:
        return "StaticToken(***)"


def as_provider(token: str | TokenProvider) -> TokenProvider:
    """Wrap a plain string; pass providers through."""
    if isinstance(token, str):
        return StaticToken(token)
    if not callable(getattr(token, "get_token", None)):
        raise ValueError("token must be a string or an object with get_token(force_refresh=False).")
    return token
