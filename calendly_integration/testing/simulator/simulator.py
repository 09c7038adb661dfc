"""``CalendlySimulator``: a stateful fake Calendly served over real HTTP.

This is the public face of the package: start it, point a client at ``sim.url`` (the API and the
OAuth server share it), hand out tokens, act as invitees (book, cancel, reschedule, no-shows) and
watch the webhooks, requests and spec violations it records. See the module docstrings of the
other modules for how each piece behaves.

The state every handler works on is ``context.SimContext``, which this class extends; the modules
below take that, so this one imports them and none of them imports it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any

from . import dataset, invitees
from .app import Application
from .context import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, SimContext
from .server import HttpServer
from .state import Store, invitee_ids_from_uri, uuid_from_uri
from .timeutil import Clock, day_start
from .tokens import parse_scopes
from .webhook_delivery import DeliveryAttempt, WebhookDispatcher

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "CalendlySimulator",
    "SimOrganization",
    "SimUser",
]


@dataclass(frozen=True)
class SimUser:
    """A seeded Calendly user, as tests need it."""

    uri: str
    uuid: str
    email: str
    name: str
    role: str


@dataclass(frozen=True)
class SimOrganization:
    """A seeded Calendly organization and its people, as tests and benchmarks need them."""

    uri: str
    uuid: str
    name: str
    owner: SimUser
    admin: SimUser
    members: list[SimUser]

    @property
    def users(self) -> list[SimUser]:
        """Everyone, owner first, then the admin and the members."""
        return [self.owner, self.admin, *self.members]


class CalendlySimulator(SimContext):
    """A stateful fake Calendly; ``organizations`` seeds that many organizations.

    With more than one, each organization has its own people and everything they own, scoped as
    Calendly scopes it (another organization's resources answer 403/404); rate limits stay per
    user, the token's user, as Calendly documents. ``owner``, ``admin``, ``members``, ``users`` and
    ``organization_uri`` mean the first organization; ``organizations`` lists them all.
    """

    def __init__(
        self,
        seed: int = 1,
        size: str = "small",
        host: str = "127.0.0.1",
        port: int = 0,
        rate_limit_per_minute: int = 500,
        validate: bool = False,
        webhook_retry_delays: Sequence[float] = (1, 2, 4),
        webhook_signing_key: str = "sim-app-signing-key",
        clock: Clock | None = None,
        organizations: int = 1,
    ) -> None:
        if size not in dataset.SIZES:
            raise ValueError(f"size must be one of {sorted(dataset.SIZES)}, not {size!r}")
        super().__init__(
            seed=seed,
            size=size,
            host=host,
            port=port,
            rate_limit_per_minute=rate_limit_per_minute,
            validate=validate,
            webhook_retry_delays=webhook_retry_delays,
            webhook_signing_key=webhook_signing_key,
            clock=clock,
            organizations=organizations,
        )
        self._server: HttpServer | None = None

    # lifecycle

    def start(self) -> CalendlySimulator:
        """Bind the port, build the dataset under the bound URL, and start serving."""
        if self._server is not None:
            return self
        if self.validate:
            from .validation import SpecValidator

            self.validator = SpecValidator()
        self._server = HttpServer(Application(self), self.host, self.port)
        host, port = self._server.address
        shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
        self.url = f"http://{shown}:{port}"
        first, *others = dataset.generate_organizations(
            self.seed, self.size, self.url, day_start(self.now()), self.organization_count
        )
        self._store = Store(first, self.url, self.seed, others)
        self._webhooks = WebhookDispatcher(
            self._store,
            self.webhook_signing_key,
            self.webhook_retry_delays,
            self.now,
            inspect=self.validator.check_webhook if self.validator is not None else None,
        )
        self._server.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._webhooks is not None:
            self._webhooks.stop()

    def __enter__(self) -> CalendlySimulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        orgs = f" organizations={self.organization_count}" if self.organization_count > 1 else ""
        return f"<CalendlySimulator seed={self.seed} size={self.size}{orgs} url={self.url or '-'}>"

    # the seeded organization

    def _user(self, uuid: str) -> SimUser:
        user = self.store.users[uuid]
        role = self.store.role_of(uuid) or "former"
        return SimUser(user["uri"], uuid, user["email"], user["name"], role)

    @property
    def organization_uri(self) -> str:
        return self.store.organization["uri"]

    @property
    def owner(self) -> SimUser:
        return self._user(self.store.owner_uuid)

    @property
    def admin(self) -> SimUser:
        return self._user(self.store.admin_uuid)

    @property
    def members(self) -> list[SimUser]:
        """Current users with the plain ``user`` role (not the owner, the admin, or removed)."""
        store = self.store
        return [self._user(uuid) for uuid in store.member_uuids if store.role_of(uuid) == "user"]

    @property
    def users(self) -> list[SimUser]:
        """Every user of the first organization (all of them when there is one)."""
        store = self.store
        first = store.organization_uuid
        return [
            self._user(uuid) for uuid in store.users if store.organization_uuid_of(uuid) == first
        ]

    @property
    def organizations(self) -> list[SimOrganization]:
        """Every seeded organization, the first first; members as ``members`` counts them."""
        store = self.store
        result = []
        with store.lock:
            for roster in store.organizations.values():
                members = [
                    self._user(uuid)
                    for uuid in roster.member_uuids
                    if store.role_of(uuid) == "user"
                ]
                result.append(
                    SimOrganization(
                        roster.resource["uri"],
                        roster.uuid,
                        roster.resource["name"],
                        self._user(roster.owner_uuid),
                        self._user(roster.admin_uuid),
                        members,
                    )
                )
        return result

    def organization_of(self, user_uri: str) -> SimOrganization:
        """The seeded organization ``user_uri`` belongs to."""
        org_uuid = self.store.organization_uuid_of(self._user_uuid(user_uri))
        return next(org for org in self.organizations if org.uuid == org_uuid)

    def get(self, uri: str) -> dict[str, Any] | None:
        """A copy of any resource by URI (users, event types, events, invitees, ...)."""
        store = self.store
        with store.lock:
            ids = invitee_ids_from_uri(uri)
            if ids:
                found = store.invitee_by_uri(uri)
                return Store.copy(found) if found else None
            for collection, table in (
                ("users", store.users),
                ("event_types", store.event_types),
                ("scheduled_events", store.events),
                ("invitee_no_shows", store.no_shows),
                ("webhook_subscriptions", store.webhooks),
                ("routing_forms", store.routing_forms),
                ("routing_form_submissions", store.submissions),
                ("user_availability_schedules", store.schedules),
                ("organization_memberships", store.memberships),
            ):
                uuid = uuid_from_uri(uri, collection)
                if uuid is not None:
                    return Store.copy(table[uuid]) if uuid in table else None
            roster = store.organization_by_uri(uri)
            if roster is not None:
                return Store.copy(roster.resource)
        return None

    def event_types_of(self, user_uri: str) -> list[dict[str, Any]]:
        with self.store.lock:
            return [
                Store.copy(et)
                for et in self.store.event_types.values()
                if et["profile"]["owner"] == user_uri
            ]

    def events_of(self, user_uri: str) -> list[dict[str, Any]]:
        with self.store.lock:
            rows = [
                Store.copy(e)
                for e in self.store.events.values()
                if e["event_memberships"][0]["user"] == user_uri
            ]
        return sorted(rows, key=lambda e: (e["start_time"], e["uri"]))

    def invitees_of(self, event_uri: str) -> list[dict[str, Any]]:
        uuid = uuid_from_uri(event_uri, "scheduled_events") or ""
        with self.store.lock:
            return [
                Store.copy(self.store.invitees[i]) for i in self.store.event_invitees.get(uuid, [])
            ]

    # tokens and OAuth

    def create_token(
        self, user_uri: str | None = None, scopes: str | Sequence[str] | None = None
    ) -> str:
        """A personal-access-token-like access token (no expiry); scopes None = full access."""
        uuid = self._user_uuid(user_uri)
        return self.tokens.issue_personal(uuid, parse_scopes(scopes), self.now().timestamp())

    def revoke_token(self, token: str) -> None:
        self.tokens.revoke(token)

    def register_oauth_client(self, client_id: str, client_secret: str) -> None:
        self.tokens.clients[client_id] = client_secret

    def authorize(
        self,
        client_id: str = DEFAULT_CLIENT_ID,
        redirect_uri: str = "http://127.0.0.1/callback",
        state: str = "",
        code_challenge: str | None = None,
        scope: str | None = None,
        user_uri: str | None = None,
        code_challenge_method: str = "S256",
    ) -> str:
        """Shortcut for the authorize page's "Approve": returns an authorization code."""
        if client_id not in self.tokens.clients:
            raise ValueError(f"unknown client_id {client_id!r}")
        return self.tokens.issue_code(
            client_id,
            redirect_uri,
            self._user_uuid(user_uri),
            parse_scopes(scope),
            code_challenge,
            code_challenge_method if code_challenge else None,
            self.now().timestamp(),
        )

    def _user_uuid(self, user_uri: str | None) -> str:
        if user_uri is None:
            return self.store.owner_uuid
        uuid = uuid_from_uri(user_uri, "users")
        if uuid is None or uuid not in self.store.users:
            raise ValueError(f"unknown user {user_uri!r}")
        return uuid

    @property
    def access_token_lifetime(self) -> int:
        return self.tokens.access_token_lifetime

    @access_token_lifetime.setter
    def access_token_lifetime(self, seconds: int) -> None:
        self.tokens.access_token_lifetime = seconds

    @property
    def refresh_count(self) -> int:
        """Successful refresh_token grants so far."""
        return self.tokens.refresh_count

    @property
    def refresh_reuse_attempts(self) -> int:
        """Refresh grants attempted with an already-used refresh token (each got invalid_grant)."""
        return self.tokens.refresh_reuse_attempts

    @property
    def refresh_issuances(self) -> dict[str, int]:
        """Tokens issued per refresh token; every value is 1 when nothing refreshed twice."""
        return dict(self.tokens.refresh_issuances)

    @property
    def rate_limit_per_minute(self) -> int:
        return self.limiter.limit

    @rate_limit_per_minute.setter
    def rate_limit_per_minute(self, limit: int) -> None:
        self.limiter.limit = limit

    # recorded traffic

    def clear_requests(self) -> None:
        with self.requests_lock:
            self.requests.clear()

    @property
    def spec_violations(self) -> list[str]:
        return list(self.validator.violations) if self.validator is not None else []

    @property
    def deliveries(self) -> list[DeliveryAttempt]:
        return list(self.webhooks.deliveries)

    def wait_for_deliveries(self, timeout: float = 5) -> bool:
        """Block until every queued webhook (including retries) was attempted."""
        return self.webhooks.wait(timeout)

    # invitee-side actions (they change state and send webhooks; see ``invitees``)

    def book(
        self,
        event_type_uri: str,
        start_time: datetime | str,
        name: str,
        email: str,
        questions_and_answers: list[dict[str, Any]] | None = None,
        tracking: dict[str, Any] | None = None,
        **extra: Any,
    ) -> str:
        """An invitee books ``event_type_uri`` at ``start_time``; returns the invitee URI."""
        return invitees.book(
            self,
            event_type_uri,
            start_time,
            name,
            email,
            questions_and_answers=questions_and_answers,
            tracking=tracking,
            **extra,
        )

    def cancel_invitee(self, invitee_uri: str, reason: str = "", canceler: str = "invitee") -> None:
        """Cancel as the invitee (``canceler="invitee"``) or as the host (``"host"``)."""
        invitees.cancel(self, invitee_uri, reason=reason, canceler=canceler)

    def reschedule(self, invitee_uri: str, new_start_time: datetime | str) -> str:
        return invitees.reschedule(self, invitee_uri, new_start_time)

    def mark_no_show(self, invitee_uri: str) -> str:
        """Mark the invitee as a no-show; returns the no-show URI."""
        return invitees.mark_no_show(self, invitee_uri)

    def unmark_no_show(self, invitee_uri: str) -> None:
        invitees.unmark_no_show(self, invitee_uri)

    def submit_routing_form(
        self,
        form_uri: str,
        answers: dict[str, str | None],
        tracking: dict[str, Any] | None = None,
        submitter: str | None = None,
    ) -> str:
        """A respondent submits a routing form; sends routing_form_submission.created."""
        return invitees.submit_routing_form(
            self, form_uri, answers, tracking=tracking, submitter=submitter
        )
