"""What an API handler gets: the request, the caller, the store, and Calendly's parameter rules.

The helpers here give every endpoint the same validation wording (400 ``details`` entries naming
the parameter) and the same organization-role checks, so handlers stay a few lines each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from . import errors
from .messages import Request, Response
from .pagination import SortKey, paginate
from .state import Store, uuid_from_uri
from .timeutil import EARLIEST_YEAR, LATEST_YEAR, parse_iso
from .tokens import AccessToken

if TYPE_CHECKING:
    from .context import SimContext


@dataclass
class Call:
    sim: SimContext
    request: Request
    token: AccessToken
    params: dict[str, str] = field(default_factory=dict)

    @property
    def store(self) -> Store:
        return self.sim.store

    @property
    def caller_uuid(self) -> str:
        return self.token.user_uuid

    @property
    def caller(self) -> dict[str, Any]:
        return self.store.users[self.token.user_uuid]

    @property
    def caller_is_admin(self) -> bool:
        return self.store.is_admin(self.caller_uuid)

    @property
    def organization(self) -> dict[str, Any]:
        """The caller's organization: every organization-wide list and write is scoped to it."""
        return self.store.organization_of(self.caller_uuid)

    def owns_user_uri(self, user_uri: Any) -> bool:
        """Whether ``user_uri`` belongs to the caller's organization (current or former member)."""
        uuid = uuid_from_uri(user_uri, "users")
        return uuid is not None and self.store.same_organization(uuid, self.caller_uuid)

    def require_own(
        self, user_uri: Any, message: str = "You do not have permission to access this resource."
    ) -> None:
        """403, as for any non-member, when a resource belongs to another organization."""
        if not self.owns_user_uri(user_uri):
            raise errors.permission_denied(message)

    def require_own_organization(
        self,
        organization_uri: Any,
        message: str = "You do not have permission to access this resource.",
    ) -> None:
        if organization_uri != self.organization["uri"]:
            raise errors.permission_denied(message)

    def now(self) -> datetime:
        return self.sim.now()

    def param(self, name: str) -> str | None:
        value = self.request.param(name)
        return value if value not in (None, "") else None

    def require(self, name: str) -> str:
        value = self.param(name)
        if value is None:
            raise errors.invalid_argument((name, "is required"))
        return value

    def choice(self, name: str, choices: Sequence[str]) -> str | None:
        value = self.param(name)
        if value is not None and value not in choices:
            raise errors.invalid_argument((name, "must be one of " + ", ".join(choices)))
        return value

    def boolean(self, name: str) -> bool | None:
        value = self.param(name)
        if value is None:
            return None
        if value.lower() not in ("true", "false"):
            raise errors.invalid_argument((name, "must be true or false"))
        return value.lower() == "true"

    def time(self, name: str, *, required: bool = False) -> datetime | None:
        value = self.require(name) if required else self.param(name)
        if value is None:
            return None
        try:
            return parse_iso(value)
        except ValueError:
            raise errors.invalid_argument(
                (
                    name,
                    "must be a valid ISO 8601 timestamp between the years "
                    f"{EARLIEST_YEAR} and {LATEST_YEAR}, e.g. 2020-01-02T03:04:05.678123Z",
                )
            ) from None

    @staticmethod
    def time_value(value: Any, name: str, problems: list[tuple[str, str]]) -> datetime | None:
        """Parse a timestamp from a JSON body, collecting a problem instead of raising."""
        try:
            return parse_iso(value)
        except (ValueError, TypeError):
            problems.append((name, "must be a valid ISO 8601 timestamp"))
            return None

    def organization_param(self, name: str = "organization", *, required: bool = False) -> bool:
        """Validate an organization URI parameter; True when it was given.

        An unknown organization is a 404 only when it is well formed; a foreign one is a 403,
        because the caller is not a member.
        """
        value = self.require(name) if required else self.param(name)
        if value is None:
            return False
        if uuid_from_uri(value, "organizations") is None:
            raise errors.invalid_argument((name, "must be an organization URI"))
        if not self.store.is_org_uri(value, self.caller_uuid):
            raise errors.permission_denied("You do not have permission to access this resource.")
        return True

    def user_param(self, name: str = "user", *, required: bool = False) -> dict[str, Any] | None:
        value = self.require(name) if required else self.param(name)
        if value is None:
            return None
        if uuid_from_uri(value, "users") is None:
            raise errors.invalid_argument((name, "must be a user URI"))
        user = self.store.user_by_uri(value)
        if user is None:
            raise errors.not_found()
        return user

    def in_organization(self, user: dict[str, Any]) -> bool:
        """Whether ``user`` is a current member of the caller's organization."""
        uuid = user["uri"].rsplit("/", 1)[1]
        return self.store.role_of(uuid) is not None and self.owns_user_uri(user["uri"])

    def require_admin(
        self, message: str = "You do not have permission to access this resource."
    ) -> None:
        if not self.caller_is_admin:
            raise errors.permission_denied(message)

    def body(self) -> dict[str, Any]:
        return self.request.json_object()

    def page(
        self,
        rows: list[dict[str, Any]],
        key: SortKey,
        *,
        descending: bool = False,
        max_count: int = 100,
        extra: dict[str, Any] | None = None,
    ) -> Response:
        """One page of ``rows`` as Calendly's list response.

        Serialized right away, while the handler still holds the store lock, so no copies of
        the rows are needed to get a consistent snapshot.
        """
        data = paginate(
            self.request,
            self.sim.url,
            rows,
            key,
            descending=descending,
            max_count=max_count,
        )
        if extra:
            data.update(extra)
        return Response.json(200, data)

    @staticmethod
    def resource(resource: dict[str, Any], status: int = 200) -> Response:
        return Response.json(status, {"resource": resource})
