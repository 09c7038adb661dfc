"""The simulator's in-memory Calendly: every resource, behind one lock.

Handlers and invitee-side actions run on many server threads at once (and the webhook worker reads
payloads), so every read-modify-write happens under ``store.lock``. Resources are kept exactly in
the JSON shape Calendly returns, so serving one is a copy, not a translation.
"""

from __future__ import annotations

import copy
import random
import threading
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


class Store:
    """All resources of the simulated organization plus what tests create at runtime."""

    def __init__(self, data: Dataset, base: str, seed: int) -> None:
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

    def is_org_uri(self, uri: Any) -> bool:
        return uuid_from_uri(uri, "organizations") == self.organization_uuid

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
