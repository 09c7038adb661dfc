"""Users: who the token belongs to, and any user of the organization by URI."""

from __future__ import annotations

from calendly_integration.client.base import ApiBase, Resource
from calendly_integration.client.identifiers import path


class UsersMixin(ApiBase):
    def get_current_user(self) -> Resource:
        """GET /users/me: the token's owner; its ``current_organization`` scopes everything else."""
        return self._resource("GET", "/users/me")

    def get_user(self, user: str) -> Resource:
        """GET /users/{uuid}: a user named by URI or UUID (e.g. an event's host)."""
        return self._resource("GET", path("users", self._uuid(user, "users", "user")))
