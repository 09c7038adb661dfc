"""Calendly's OAuth 2.0 server: authorize URL, code exchange, refresh, revoke, introspect.

This is only the HTTP side. Storing tokens and refreshing them under a lock (refresh tokens are
single-use and rotate) is the oauth package's job. Client credentials go by HTTP Basic auth, bodies
are form-encoded, and nothing here is retried automatically: a token request that got lost may have
consumed the code or rotated the refresh token already.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import requests

from calendly_integration.client.errors import (
    CalendlyError,
    InvalidGrant,
    InvalidResponse,
    OAuthError,
    RateLimited,
    Timeout,
    TransportError,
)
from calendly_integration.client.pkce import code_challenge_s256, generate_code_verifier
from calendly_integration.client.rate_limits import wait_seconds
from calendly_integration.client.validation import check_http_url, require_text

__all__ = [
    "OAuthClient",
    "TokenResponse",
    "code_challenge_s256",
    "generate_code_verifier",
]

logger = logging.getLogger("calendly_integration.client.oauth")

DEFAULT_AUTH_BASE_URL = "https://auth.calendly.com"


@dataclass(frozen=True, repr=False)
class TokenResponse:
    """What the token endpoint returned. ``repr`` never shows the tokens."""

    access_token: str
    refresh_token: str
    token_type: str
    scope: str
    expires_in: int
    created_at: int
    owner: str
    organization: str
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def expires_at(self) -> int:
        """Unix time at which the access token expires."""
        return self.created_at + self.expires_in

    @property
    def scopes(self) -> list[str]:
        """Granted scopes; empty means the app's implicit full scope (older apps)."""
        return self.scope.split()

    @classmethod
    def from_json(cls, data: Any) -> TokenResponse:
        if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
            raise InvalidResponse("The token endpoint answered without an access_token.")
        try:
            expires_in = int(data.get("expires_in") or 0)
            created_at = int(data.get("created_at") or time.time())
        except (TypeError, ValueError):
            raise InvalidResponse("The token endpoint sent non-numeric times.") from None
        return cls(
            access_token=data["access_token"],
            refresh_token=str(data.get("refresh_token") or ""),
            token_type=str(data.get("token_type") or "Bearer"),
            scope=str(data.get("scope") or ""),
            expires_in=expires_in,
            created_at=created_at,
            owner=str(data.get("owner") or ""),
            organization=str(data.get("organization") or ""),
            raw=data,
        )

    def __repr__(self) -> str:
        return (
            f"TokenResponse(access_token='***', refresh_token='***', "
            f"token_type={self.token_type!r}, scope={self.scope!r}, "
            f"expires_in={self.expires_in!r}, created_at={self.created_at!r}, "
            f"owner={self.owner!r}, organization={self.organization!r})"
        )


class OAuthClient:
    """The OAuth endpoints for one registered Calendly app (client id and secret)."""

    def __init__(
        self,
        auth_base_url: str,
        client_id: str,
        client_secret: str,
        *,
        connect_timeout: float = 5,
        read_timeout: float = 30,
        session: requests.Session | None = None,
    ) -> None:
        self.auth_base_url = check_http_url(auth_base_url, "auth_base_url").rstrip("/")
        self.client_id = require_text(client_id, "The OAuth client_id")
        self._client_secret = require_text(client_secret, "The OAuth client_secret")
        if connect_timeout <= 0 or read_timeout <= 0:
            raise ValueError("connect_timeout and read_timeout must be positive seconds.")
        self.timeout = (float(connect_timeout), float(read_timeout))
        self.session = session if session is not None else requests.Session()

    @classmethod
    def from_settings(cls) -> OAuthClient:
        """An OAuth client for the app configured in the ``CALENDLY`` settings dict."""
        from calendly_integration.conf import calendly_settings

        return cls(
            calendly_settings.AUTH_BASE_URL,
            calendly_settings.CLIENT_ID,
            calendly_settings.CLIENT_SECRET,
            connect_timeout=calendly_settings.CONNECT_TIMEOUT,
            read_timeout=calendly_settings.READ_TIMEOUT,
        )

    def __repr__(self) -> str:
        return f"<OAuthClient {self.auth_base_url!r} client_id={self.client_id!r}>"

    def close(self) -> None:
        self.session.close()

    def authorization_url(
        self,
        redirect_uri: str,
        state: str,
        code_challenge: str | None = None,
        scopes: Sequence[str] | None = None,
    ) -> str:
        """The authorize page to send the user to; ``state`` must be unguessable and checked
        on return, ``code_challenge`` is the S256 challenge of a verifier kept in the session."""
        params = {
            "client_id": self.client_id,
            "response_type": "code",
            "redirect_uri": check_http_url(redirect_uri, "redirect_uri"),
            "state": require_text(state, "state"),
        }
        if code_challenge is not None:
            params["code_challenge_method"] = "S256"
            params["code_challenge"] = require_text(code_challenge, "code_challenge")
        if scopes:
            if isinstance(scopes, str):
                scopes = scopes.split()
            params["scope"] = " ".join(scopes)
        return f"{self.auth_base_url}/oauth/authorize?{urlencode(params)}"

    def exchange_code(
        self, code: str, redirect_uri: str, code_verifier: str | None = None
    ) -> TokenResponse:
        """Trade the authorization code (single use) for tokens."""
        data = {
            "grant_type": "authorization_code",
            "code": require_text(code, "The authorization code"),
            "redirect_uri": check_http_url(redirect_uri, "redirect_uri"),
        }
        if code_verifier is not None:
            data["code_verifier"] = require_text(code_verifier, "code_verifier")
        return TokenResponse.from_json(self._post("/oauth/token", data))

    def refresh(self, refresh_token: str) -> TokenResponse:
        """New tokens for a refresh token, which Calendly then invalidates: store the new refresh
        token before anything else can fail, or the connection is lost."""
        data = {
            "grant_type": "refresh_token",
            "refresh_token": require_text(refresh_token, "The refresh token"),
        }
        return TokenResponse.from_json(self._post("/oauth/token", data))

    def revoke(self, token: str) -> None:
        """Revoke an access or refresh token (on disconnect)."""
        self._post("/oauth/revoke", {"token": require_text(token, "The token to revoke")})

    def introspect(self, token: str) -> dict[str, Any]:
        """Ask whether a token is active, and for whom and which scopes."""
        answer = self._post(
            "/oauth/introspect", {"token": require_text(token, "The token to introspect")}
        )
        if not isinstance(answer, dict):
            raise InvalidResponse("The introspection endpoint did not answer a JSON object.")
        return answer

    def _post(self, path: str, data: dict[str, str]) -> Any:
        url = self.auth_base_url + path
        started = time.monotonic()
        try:
            response = self.session.post(
                url,
                data=data,
                auth=(self.client_id, self._client_secret),
                headers={"Accept": "application/json"},
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.Timeout as exc:
            self._log(path, "timeout", started)
            raise Timeout(f"{type(exc).__name__}", method="POST", url=url) from None
        except requests.RequestException as exc:
            self._log(path, "connection error", started)
            raise TransportError(f"{type(exc).__name__}", method="POST", url=url) from None
        self._log(path, response.status_code, started)
        if response.status_code >= 400:
            raise _oauth_error(response, url)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise InvalidResponse(
                "The OAuth server did not answer JSON.",
                status=response.status_code,
                method="POST",
                url=url,
            ) from None

    @staticmethod
    def _log(path: str, status: object, started: float) -> None:
        elapsed_ms = (time.monotonic() - started) * 1000
        logger.debug("POST %s -> %s (%.0f ms)", path, status, elapsed_ms)


def _oauth_error(response: requests.Response, url: str) -> CalendlyError:
    """RFC 6749 errors (``{"error", "error_description"}``) as ``OAuthError``/``InvalidGrant``."""
    try:
        payload = response.json()
    except ValueError:
        payload = {}
    payload = payload if isinstance(payload, dict) else {}
    status = response.status_code
    common: dict[str, Any] = {"status": status, "method": "POST", "url": url}
    if status == 429:
        return RateLimited(
            str(payload.get("message") or payload.get("error_description") or ""),
            retry_after=wait_seconds(response.headers),
            **common,
        )
    error = str(payload.get("error") or ("invalid_client" if status == 401 else "server_error"))
    description = str(
        payload.get("error_description") or payload.get("message") or response.reason or ""
    )
    cls = InvalidGrant if error == "invalid_grant" else OAuthError
    return cls(description, error=error, **common)
