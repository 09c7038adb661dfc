"""The token source of a sync's client: asks the database once a minute, not once a request.

``oauth.tokens.ConnectionTokenProvider`` reads the connection row on every request, which is right
for occasional calls but would add a query per invitee list to a sync (a hundred per page). A
token returned by ``get_valid_token`` stays valid for at least ``TOKEN_REFRESH_MARGIN`` seconds,
so reusing it for a fraction of that is safe; a 401 still forces a refresh through the same
locked path.
"""

from __future__ import annotations

import time

from calendly_integration.client import CalendlyClient
from calendly_integration.conf import calendly_settings
from calendly_integration.oauth.tokens import get_valid_token


class CachedTokenProvider:
    """A ``TokenProvider`` for one connection that reuses its token for a short while."""

    refreshable = True

    def __init__(self, connection_id: int, reuse_seconds: float | None = None) -> None:
        margin = float(calendly_settings.TOKEN_REFRESH_MARGIN)
        self.connection_id = connection_id
        self.reuse_seconds = reuse_seconds if reuse_seconds is not None else min(60.0, margin / 2)
        self._token: str | None = None
        self._fetched_at = 0.0

    def get_token(self, force_refresh: bool = False) -> str:
        fresh = time.monotonic() - self._fetched_at < self.reuse_seconds
        if self._token is not None and fresh and not force_refresh:
            return self._token
        self._token = get_valid_token(
            self.connection_id,
            force=force_refresh,
            rejected_token=self._token if force_refresh else None,
        )
        self._fetched_at = time.monotonic()
        return self._token

    def __repr__(self) -> str:
        return f"CachedTokenProvider(connection_id={self.connection_id})"


def client_for_sync(connection_id: int) -> CalendlyClient:
    return CalendlyClient.from_settings(CachedTokenProvider(connection_id))
