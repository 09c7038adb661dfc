"""Calendly's OAuth server: authorize page, token, revoke and introspect endpoints.

The authorize page is a plain HTML form (pick a seeded user, approve or deny) so both a browser
in the offline demo and a test driving it with ``requests`` can complete the flow. The token
endpoint enforces what makes real integrations fail: PKCE verification, single-use short-lived
codes, single-use rotating refresh tokens, and client authentication.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .messages import Request, Response
from .state import Store
from .tokens import AccessToken, TokenStore, parse_scopes, scope_string

if TYPE_CHECKING:
    from .context import SimContext


def _error(error: str, description: str, status: int = 400) -> Response:
    headers = {"Cache-Control": "no-store"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="Calendly"'
    return Response.json(status, {"error": error, "error_description": description}, headers)


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


class OAuthServer:
    def __init__(self, sim: SimContext) -> None:
        self.sim = sim

    @property
    def tokens(self) -> TokenStore:
        return self.sim.tokens

    def handle(self, request: Request) -> Response:
        path = request.path.rstrip("/")
        if path == "/oauth/authorize" and request.method == "GET":
            return self.authorize_page(request)
        if path == "/oauth/authorize" and request.method == "POST":
            return self.authorize_decision(request)
        if path == "/oauth/token" and request.method == "POST":
            return self.token(request)
        if path == "/oauth/revoke" and request.method == "POST":
            return self.revoke(request)
        if path == "/oauth/introspect" and request.method == "POST":
            return self.introspect(request)
        return _error("invalid_request", "Unknown OAuth endpoint.", 404)

    def _authorize_problem(self, values: dict[str, str]) -> Response | None:
        """Why these authorize parameters cannot proceed (an error page or redirect), if at all.

        An unknown client or a bad redirect_uri gets an error page, never a redirect, so the
        authorize endpoint cannot be used as an open redirector (RFC 6749, 4.1.2.1).
        """
        client_id = values.get("client_id", "")
        redirect_uri = values.get("redirect_uri", "")
        if client_id not in self.tokens.clients:
            return Response.html(
                400, _page("Unknown client", "<p>The client_id is not registered.</p>")
            )
        parts = urlsplit(redirect_uri)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return Response.html(
                400, _page("Invalid redirect_uri", "<p>A valid redirect_uri is required.</p>")
            )
        if values.get("response_type") != "code":
            return Response.redirect(
                _with_query(
                    redirect_uri,
                    {"error": "unsupported_response_type", "state": values.get("state", "")},
                )
            )
        method = values.get("code_challenge_method") or (
            "S256" if values.get("code_challenge") else ""
        )
        if values.get("code_challenge") and method not in ("S256", "plain"):
            return Response.redirect(
                _with_query(
                    redirect_uri, {"error": "invalid_request", "state": values.get("state", "")}
                )
            )
        return None

    def authorize_page(self, request: Request) -> Response:
        values = {key: vals[0] for key, vals in request.query.items() if vals}
        problem = self._authorize_problem(values)
        if problem is not None:
            return problem
        store = self.sim.store
        with store.lock:
            options = _user_options(store)
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(key)}" value="{html.escape(value)}">'
            for key, value in values.items()
            if key
            in (
                "client_id",
                "redirect_uri",
                "response_type",
                "state",
                "scope",
                "code_challenge",
                "code_challenge_method",
            )
        )
        scope = values.get("scope") or "full access (default scope)"
        body = (
            f"<p><strong>{html.escape(values['client_id'])}</strong> would like to access your "
            f"Calendly account.</p><p>Scopes: <code>{html.escape(scope)}</code></p>"
            '<form method="post" action="/oauth/authorize">'
            f"{hidden}"
            f'<label>Sign in as <select name="user">{options}</select></label>'
            '<p><button type="submit" name="decision" value="approve">Approve</button> '
            '<button type="submit" name="decision" value="deny">Deny</button></p></form>'
        )
        return Response.html(200, _page("Authorize application", body))

    def authorize_decision(self, request: Request) -> Response:
        values = request.form()
        problem = self._authorize_problem(values)
        if problem is not None:
            return problem
        state = values.get("state", "")
        if values.get("decision") != "approve":
            return Response.redirect(
                _with_query(values["redirect_uri"], {"error": "access_denied", "state": state})
            )
        store = self.sim.store
        user_uuid = values.get("user") or store.owner_uuid
        if user_uuid not in store.users:
            return Response.html(400, _page("Unknown user", "<p>Pick one of the listed users.</p>"))
        code = self.tokens.issue_code(
            values["client_id"],
            values["redirect_uri"],
            user_uuid,
            parse_scopes(values.get("scope")),
            values.get("code_challenge") or None,
            (values.get("code_challenge_method") or "S256")
            if values.get("code_challenge")
            else None,
            self.sim.now().timestamp(),
        )
        params = {"code": code}
        if state:
            params["state"] = state
        return Response.redirect(_with_query(values["redirect_uri"], params))

    def _client(self, request: Request, form: dict[str, str]) -> tuple[str | None, Response | None]:
        """HTTP Basic client credentials, or client_id/client_secret in the form."""
        client_id, secret = form.get("client_id"), form.get("client_secret")
        header = request.header("Authorization") or ""
        if header.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(header[6:].strip()).decode()
                client_id, _, secret = decoded.partition(":")
            except (ValueError, UnicodeDecodeError):
                return None, _error("invalid_client", "Malformed client credentials.", 401)
        expected = self.tokens.clients.get(client_id or "")
        if expected is None or secret is None or not hmac.compare_digest(expected, secret):
            return None, _error("invalid_client", "Client authentication failed.", 401)
        return client_id, None

    def _token_response(self, access: AccessToken, refresh_token: str) -> Response:
        store = self.sim.store
        body = {
            "token_type": "Bearer",
            "access_token": access.token,
            "refresh_token": refresh_token,
            "scope": scope_string(access.scopes),
            "expires_in": int((access.expires_at or access.issued_at) - access.issued_at),
            "created_at": int(access.issued_at),
            "owner": store.users[access.user_uuid]["uri"],
            "organization": store.organization_of(access.user_uuid)["uri"],
        }
        return Response.json(200, body, {"Cache-Control": "no-store", "Pragma": "no-cache"})

    def token(self, request: Request) -> Response:
        if request.content_type != "application/x-www-form-urlencoded":
            return _error("invalid_request", "The token endpoint takes a form-encoded body.")
        form = request.form()
        client_id, problem = self._client(request, form)
        if problem is not None:
            return problem
        assert client_id is not None
        grant = form.get("grant_type")
        if grant == "authorization_code":
            return self._exchange_code(client_id, form)
        if grant == "refresh_token":
            return self._refresh(client_id, form)
        return _error("unsupported_grant_type", f"Unsupported grant_type {grant!r}.")

    def _issuance_allowed(self, user_uuid: str, now: float) -> bool:
        limit = self.sim.token_issuance_limit_per_minute
        return limit is None or self.tokens.recent_issuances(user_uuid, now) < limit

    def _exchange_code(self, client_id: str, form: dict[str, str]) -> Response:
        now = self.sim.now().timestamp()
        with self.tokens.lock:
            code = self.tokens.codes.get(form.get("code", ""))
            if code is None or code.used or code.client_id != client_id:
                return _error("invalid_grant", "The authorization code is invalid or was used.")
            if now > code.expires_at:
                code.used = True
                return _error("invalid_grant", "The authorization code has expired.")
            if code.redirect_uri and form.get("redirect_uri") != code.redirect_uri:
                return _error("invalid_grant", "The redirect_uri does not match the authorization.")
            if code.code_challenge:
                verifier = form.get("code_verifier")
                if not verifier:
                    return _error("invalid_grant", "The code_verifier is missing.")
                if code.code_challenge_method == "plain":
                    computed = verifier
                else:
                    digest = hashlib.sha256(verifier.encode()).digest()
                    computed = base64.urlsafe_b64encode(digest).decode().rstrip("=")
                if not hmac.compare_digest(computed, code.code_challenge):
                    return _error(
                        "invalid_grant", "The code_verifier does not match the challenge."
                    )
            if not self._issuance_allowed(code.user_uuid, now):
                return _error(
                    "rate_limited", "Too many tokens issued for this user; wait a minute.", 429
                )
            code.used = True
            access, refresh = self.tokens.issue_oauth(code.user_uuid, code.scopes, client_id, now)
        return self._token_response(access, refresh.token)

    def _refresh(self, client_id: str, form: dict[str, str]) -> Response:
        now = self.sim.now().timestamp()
        tokens = self.tokens
        with tokens.lock:
            old = tokens.refresh.get(form.get("refresh_token", ""))
            if old is None or old.client_id != client_id or old.revoked:
                return _error("invalid_grant", "The refresh token is invalid.")
            if old.used:
                tokens.refresh_reuse_attempts += 1
                return _error("invalid_grant", "The refresh token was already used.")
            if not self._issuance_allowed(old.user_uuid, now):
                return _error(
                    "rate_limited", "Too many tokens issued for this user; wait a minute.", 429
                )
            old.used = True
            previous = tokens.access.get(old.access_token)
            if previous is not None:
                previous.revoked = True
            access, refresh = tokens.issue_oauth(old.user_uuid, old.scopes, client_id, now)
            tokens.refresh_count += 1
            tokens.refresh_issuances[old.token] = tokens.refresh_issuances.get(old.token, 0) + 1
        return self._token_response(access, refresh.token)

    def revoke(self, request: Request) -> Response:
        form = request.form()
        _client_id, problem = self._client(request, form)
        if problem is not None:
            return problem
        if not form.get("token"):
            return _error("invalid_request", "The token parameter is required.")
        self.tokens.revoke(form["token"])
        return Response.json(200, {})

    def introspect(self, request: Request) -> Response:
        form = request.form()
        client_id, problem = self._client(request, form)
        if problem is not None:
            return problem
        token = form.get("token", "")
        now = self.sim.now().timestamp()
        store = self.sim.store
        with self.tokens.lock:
            access = self.tokens.access.get(token)
            refresh = self.tokens.refresh.get(token)
            if (
                access is not None
                and not access.revoked
                and (access.expires_at is None or now < access.expires_at)
                and access.client_id == client_id
            ):
                data: dict[str, Any] = {
                    "active": True,
                    "scope": scope_string(access.scopes),
                    "client_id": access.client_id,
                    "token_type": "access_token",
                    "exp": int(access.expires_at) if access.expires_at else None,
                    "iat": int(access.issued_at),
                    "owner": store.users[access.user_uuid]["uri"],
                    "organization": store.organization_of(access.user_uuid)["uri"],
                }
            elif (
                refresh is not None
                and not refresh.used
                and not refresh.revoked
                and refresh.client_id == client_id
            ):
                data = {
                    "active": True,
                    "scope": scope_string(refresh.scopes),
                    "client_id": refresh.client_id,
                    "token_type": "refresh_token",
                    "iat": int(refresh.issued_at),
                    "owner": store.users[refresh.user_uuid]["uri"],
                    "organization": store.organization_of(refresh.user_uuid)["uri"],
                }
            else:
                data = {"active": False}
        return Response.json(200, data)


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)} - Calendly simulator</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;"
        "padding:0 1rem;color:#1a1a1a}button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.5rem}"
        "select{font-size:1rem;margin-left:.5rem}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>{body}"
        "<p><small>Calendly simulator - no real Calendly account is involved.</small></p>"
        "</body></html>"
    )


def render_page(title: str, body: str) -> str:
    """The simulator's minimal page frame, shared with the booking page."""
    return _page(title, body)


def _user_options(store: Store) -> str:
    """The consent page's users; grouped by organization when there are several."""

    def option(uuid: str) -> str:
        user = store.users[uuid]
        return (
            f'<option value="{html.escape(uuid)}"{" selected" if uuid == store.owner_uuid else ""}>'
            f"{html.escape(user['name'])} &lt;{html.escape(user['email'])}&gt; "
            f"({html.escape(store.role_of(uuid) or 'former member')})</option>"
        )

    if len(store.organizations) == 1:
        return "".join(option(uuid) for uuid in store.users)
    return "".join(
        f'<optgroup label="{html.escape(roster.resource["name"])}">'
        + "".join(
            option(uuid) for uuid in store.users if store.organization_uuid_of(uuid) == org_uuid
        )
        + "</optgroup>"
        for org_uuid, roster in store.organizations.items()
    )
