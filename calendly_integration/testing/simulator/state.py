"""The simulator's in-memory Calendly: every resource of every organization, behind one lock.

Several organizations share the tables (their uuids never collide); scoping is the handlers'
job, through ``Call``: an organization-wide list holds the caller's organization only, another
organization's URI in ``organization=`` or ``user=`` and another organization's resource by URI
answer 403 Permission Denied, as for any non-member (``/organizations/{uuid}`` and its invitations
stay a 404, as they always were for an organization that is not yours), and webhooks go only to
the subscriptions of the organization an event happened in. Rate limits stay per user (the
token's user), as Calendly documents, whatever the organization.

Handlers and invitee-side actions run on many server threads at once (and the webhook worker reads
payloads), so every read-modify-write happens under ``store.lock``. Resources are kept exactly in
the JSON shape Calendly returns, so serving one is a copy, not a translation.
"""

from __future__ import annotations

import copy
import random
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .dataset import Dataset, Ids


def uuid_from_uri(uri: Any, collection: str) -> str | None:
    """The uuid of ``<any host>/<collection>/<uuid>``, or None when the URI is not one.

    The host is ignored on purpose: a client may hold canonical ``https://api.calendly.com``
    URIs from a fixture while talking to the simulator.
    """
    if not isinstance(uri, str) or not uri:
        return None
    parts = [part for part in urlsplit(uri).path.split("/") if part]
    if len(parts) == 2 and parts[0] == collection:
        return parts[1]
    return None


def invitee_ids_from_uri(uri: Any) -> tuple[str, str] | None:
    """(event uuid, invitee uuid) of ``.../scheduled_events/<e>/invitees/<i>``."""
    if not isinstance(uri, str):
        return None
    parts = [part for part in urlsplit(uri).path.split("/") if part]
    if len(parts) == 4 and parts[0] == "scheduled_events" and parts[2] == "invitees":
        return parts[1], parts[3]
    return None


@dataclass(frozen=True)
class Roster:
    """Who an organization is: its resource and the uuids of its owner, admin and members."""

    uuid: str
    resource: dict[str, Any]
    owner_uuid: str
    admin_uuid: str
    member_uuids: tuple[str, ...]


class Store:
    """All resources of the simulated organizations plus what tests create at runtime.

    The tables hold every organization's resources together (uuids never collide across
    organizations); ``user_organization`` says whose a user is, and the unprefixed attributes
    (``organization``, ``owner_uuid``, ...) keep meaning the first organization.
    """

    def __init__(self, data: Dataset, base: str, seed: int, others: Sequence[Dataset] = ()) -> None:
        self.lock = threading.RLock()
        self.base = base
        self.ids = Ids(random.Random(f"calendly-simulator-runtime/{seed}"))
        self.organization = data.organization
        self.organization_uuid = data.organization_uuid
        self.users = data.users
        self.memberships = data.memberships
        self.roles = data.roles
        self.invitations = data.invitations
        self.event_types = data.event_types
        self.event_type_meta = data.event_type_meta
        self.events = data.events
        self.invitees = data.invitees
        self.event_invitees = data.event_invitees
        self.no_shows = data.no_shows
        self.routing_forms = data.routing_forms
        self.submissions = data.submissions
        self.schedules = data.schedules
        self.activity = data.activity
        self.owner_uuid = data.owner_uuid
        self.admin_uuid = data.admin_uuid
        self.member_uuids = list(data.member_uuids)
        self.webhooks: dict[str, dict[str, Any]] = {}
        self.webhook_signing_keys: dict[str, str | None] = {}
        self.scheduling_links: dict[str, dict[str, Any]] = {}
        self.shares: dict[str, dict[str, Any]] = {}
        self.organizations: dict[str, Roster] = {}
        self.user_organization: dict[str, str] = {}
        self._add_roster(data)
        for other in others:
            self._merge(other)

    def _add_roster(self, data: Dataset) -> None:
        self.organizations[data.organization_uuid] = Roster(
            data.organization_uuid,
            data.organization,
            data.owner_uuid,
            data.admin_uuid,
            tuple(data.member_uuids),
        )
        for user_uuid in data.users:
            self.user_organization[user_uuid] = data.organization_uuid

    def _merge(self, data: Dataset) -> None:
        for name in (
            "users", "memberships", "roles", "invitations", "event_types", "event_type_meta",
            "events", "invitees", "event_invitees", "no_shows", "routing_forms", "submissions",
            "schedules", "activity",
        ):  # fmt: skip
            table = getattr(self, name)
            extra = getattr(data, name)
            if table.keys() & extra.keys():
                raise ValueError(f"organizations share {name} ids")
            table.update(extra)
        self._add_roster(data)

    def organization_uuid_of(self, user_uuid: str) -> str:
        """The organization a user belongs (or belonged) to; the first for unknown users."""
        return self.user_organization.get(user_uuid, self.organization_uuid)

    def organization_of(self, user_uuid: str) -> dict[str, Any]:
        return self.organizations[self.organization_uuid_of(user_uuid)].resource

    def same_organization(self, user_uuid: str, other_uuid: str) -> bool:
        return self.organization_uuid_of(user_uuid) == self.organization_uuid_of(other_uuid)

    def organization_by_uri(self, uri: Any) -> Roster | None:
        uuid = uuid_from_uri(uri, "organizations")
        return self.organizations.get(uuid) if uuid else None

    def new_legacy_id(self) -> str:
        with self.lock:
            return self.ids.legacy()

    def new_uuid(self) -> str:
        with self.lock:
            return self.ids.uuid()

    def new_hex(self, length: int) -> str:
        with self.lock:
            return self.ids.hex(length)

    @staticmethod
    def copy(resource: dict[str, Any]) -> dict[str, Any]:
        """A deep copy, so a response being serialized never sees a concurrent change."""
        return copy.deepcopy(resource)

    def user_by_uri(self, uri: Any) -> dict[str, Any] | None:
        uuid = uuid_from_uri(uri, "users")
        return self.users.get(uuid) if uuid else None

    def role_of(self, user_uuid: str) -> str | None:
        """The user's role in the organization, or None once they are no longer a member."""
        return self.roles.get(user_uuid)

    def is_admin(self, user_uuid: str) -> bool:
        return self.roles.get(user_uuid) in ("owner", "admin")

    def is_org_uri(self, uri: Any, user_uuid: str | None = None) -> bool:
        """Whether ``uri`` is the organization of ``user_uuid`` (default: the first one)."""
        expected = (
            self.organization_uuid if user_uuid is None else self.organization_uuid_of(user_uuid)
        )
        return uuid_from_uri(uri, "organizations") == expected

    def host_uri(self, event: dict[str, Any]) -> str:
        return event["event_memberships"][0]["user"]

    def host_uuid(self, event: dict[str, Any]) -> str:
        return self.host_uri(event).rsplit("/", 1)[1]

    def event_uuid_of(self, invitee: dict[str, Any]) -> str:
        return invitee["event"].rsplit("/", 1)[1]

    def invitee_by_uri(self, uri: Any) -> dict[str, Any] | None:
        ids = invitee_ids_from_uri(uri)
        if not ids:
            return None
        invitee = self.invitees.get(ids[1])
        if invitee is None or self.event_uuid_of(invitee) != ids[0]:
            return None
        return invitee

    def membership_of(self, user_uuid: str) -> dict[str, Any] | None:
        uri = self.users[user_uuid]["uri"] if user_uuid in self.users else None
        for membership in self.memberships.values():
            if membership["user"]["uri"] == uri:
                return membership
        return None

    def default_schedule(self, user_uri: str) -> dict[str, Any] | None:
        for schedule in self.schedules.values():
            if schedule["user"] == user_uri and schedule["default"]:
                return schedule
        return None
