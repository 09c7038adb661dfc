"""Access tokens, refresh tokens and authorization codes, with Calendly's lifetimes and rules.

Refresh tokens are single use and rotate, exactly the behaviour that makes concurrent refreshes
lose a connection, so the counters here (issuances per refresh token, reuse attempts) are what
tests read to prove a client never refreshed the same token twice.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field


def parse_scopes(scope: str | list[str] | tuple[str, ...] | None) -> frozenset[str] | None:
    """Granted scopes as a set; None (or an empty string) means the implicit full scope."""
    if scope is None:
        return None
    words = scope.split() if isinstance(scope, str) else [str(s) for s in scope]
    return frozenset(words) or None


def scope_string(scopes: frozenset[str] | None) -> str:
    return " ".join(sorted(scopes)) if scopes else ""


@dataclass
class AccessToken:
    token: str
    user_uuid: str
    scopes: frozenset[str] | None
    client_id: str | None
    issued_at: float
    expires_at: float | None
    refresh_token: str | None = None
    revoked: bool = False

    @property
    def kind(self) -> str:
        return "oauth" if self.client_id else "personal_access_token"


@dataclass
class RefreshToken:
    token: str
    user_uuid: str
    scopes: frozenset[str] | None
    client_id: str
    issued_at: float
    access_token: str
    used: bool = False
    revoked: bool = False


@dataclass
class AuthorizationCode:
    code: str
    client_id: str
    redirect_uri: str | None
    user_uuid: str
    scopes: frozenset[str] | None
    code_challenge: str | None
    code_challenge_method: str | None
    expires_at: float
    used: bool = False


@dataclass
class TokenStore:
    """Every credential the simulator has handed out, plus the refresh bookkeeping."""

    access_token_lifetime: int = 7200
    code_lifetime: int = 300
    lock: threading.RLock = field(default_factory=threading.RLock)
    access: dict[str, AccessToken] = field(default_factory=dict)
    refresh: dict[str, RefreshToken] = field(default_factory=dict)
    codes: dict[str, AuthorizationCode] = field(default_factory=dict)
    clients: dict[str, str] = field(default_factory=dict)
    refresh_count: int = 0
    refresh_reuse_attempts: int = 0
    refresh_issuances: dict[str, int] = field(default_factory=dict)
    issued_per_user: dict[str, list[float]] = field(default_factory=dict)

    def issue_personal(self, user_uuid: str, scopes: frozenset[str] | None, now: float) -> str:
        token = "sim_pat_" + secrets.token_urlsafe(32)
        with self.lock:
            self.access[token] = AccessToken(token, user_uuid, scopes, None, now, None)
        return token

    def issue_oauth(
        self, user_uuid: str, scopes: frozenset[str] | None, client_id: str, now: float
    ) -> tuple[AccessToken, RefreshToken]:
        access = "sim_at_" + secrets.token_urlsafe(32)
        refresh = "sim_rt_" + secrets.token_urlsafe(32)
        with self.lock:
            record = AccessToken(
                access, user_uuid, scopes, client_id, now, now + self.access_token_lifetime, refresh
            )
            self.access[access] = record
            refresh_record = RefreshToken(refresh, user_uuid, scopes, client_id, now, access)
            self.refresh[refresh] = refresh_record
            self.issued_per_user.setdefault(user_uuid, []).append(now)
        return record, refresh_record

    def issue_code(
        self,
        client_id: str,
        redirect_uri: str | None,
        user_uuid: str,
        scopes: frozenset[str] | None,
        code_challenge: str | None,
        code_challenge_method: str | None,
        now: float,
    ) -> str:
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = AuthorizationCode(
                code,
                client_id,
                redirect_uri,
                user_uuid,
                scopes,
                code_challenge,
                code_challenge_method,
                now + self.code_lifetime,
            )
        return code

    def revoke(self, token: str) -> bool:
        """Revoke an access or refresh token and its partner; True when it was known."""
        with self.lock:
            access = self.access.get(token)
            if access is not None:
                access.revoked = True
                if access.refresh_token and access.refresh_token in self.refresh:
                    self.refresh[access.refresh_token].revoked = True
                return True
            refresh = self.refresh.get(token)
            if refresh is not None:
                refresh.revoked = True
                if refresh.access_token in self.access:
                    self.access[refresh.access_token].revoked = True
                return True
        return False

    def recent_issuances(self, user_uuid: str, now: float, window: float = 60.0) -> int:
        with self.lock:
            stamps = [t for t in self.issued_per_user.get(user_uuid, []) if now - t < window]
            self.issued_per_user[user_uuid] = stamps
            return len(stamps)
