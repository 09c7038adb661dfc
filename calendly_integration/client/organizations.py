"""Organizations, their memberships (who has which role) and invitations to join."""

from __future__ import annotations

from calendly_integration.client.base import ApiBase, Resource, body
from calendly_integration.client.identifiers import nested_uuids, path
from calendly_integration.client.pagination import PagedCollection
from calendly_integration.client.validation import (
    check_choice,
    check_email,
    check_sort,
    require_one_of,
)

INVITATION_STATUSES = ("pending", "accepted", "declined")
INVITATION_SORT_FIELDS = ("created_at", "email", "status", "last_sent_at")


class OrganizationsMixin(ApiBase):
    def get_organization(self, organization: str) -> Resource:
        """GET /organizations/{uuid}: the organization's name and plan."""
        uuid = self._uuid(organization, "organizations", "organization")
        return self._resource("GET", path("organizations", uuid))

    def list_organization_memberships(
        self,
        *,
        organization: str | None = None,
        user: str | None = None,
        email: str | None = None,
        count: int | None = None,
        page_token: str | None = None,
    ) -> PagedCollection:
        """GET /organization_memberships: members and their roles (owner, admin, user).

        Calendly needs ``organization`` or ``user``; a user's own membership says their role.
        """
        require_one_of("Listing organization memberships", organization=organization, user=user)
        params = {
            "organization": self._optional_uri(organization, "organizations", "organization"),
            "user": self._optional_uri(user, "users", "user"),
            "email": check_email(email) if email is not None else None,
            "count": self._count(count),
        }
        return self._list("/organization_memberships", params, page_token)

    def get_organization_membership(self, membership: str) -> Resource:
        """GET /organization_memberships/{uuid}."""
        uuid = self._uuid(membership, "organization_memberships", "membership")
        return self._resource("GET", path("organization_memberships", uuid))

    def delete_organization_membership(self, membership: str) -> None:
        """DELETE /organization_memberships/{uuid}: remove a user from the organization."""
        uuid = self._uuid(membership, "organization_memberships", "membership")
        self._delete(path("organization_memberships", uuid))

    def list_organization_invitations(
        self,
        organization: str,
        *,
        email: str | None = None,
        status: str | None = None,
        sort: str | None = None,
        count: int | None = None,
        page_token: str | None = None,
    ) -> PagedCollection:
        """GET /organizations/{uuid}/invitations: invitations sent, by status."""
        uuid = self._uuid(organization, "organizations", "organization")
        params = {
            "email": check_email(email) if email is not None else None,
            "status": check_choice(status, "status", INVITATION_STATUSES),
            "sort": check_sort(sort, INVITATION_SORT_FIELDS),
            "count": self._count(count),
        }
        return self._list(path("organizations", uuid, "invitations"), params, page_token)

    def create_organization_invitation(self, organization: str, email: str) -> Resource:
        """POST /organizations/{uuid}/invitations: invite someone to join by e-mail."""
        uuid = self._uuid(organization, "organizations", "organization")
        return self._resource(
            "POST",
            path("organizations", uuid, "invitations"),
            json=body(email=check_email(email)),
        )

    def get_organization_invitation(
        self, invitation: str, organization: str | None = None
    ) -> Resource:
        """GET /organizations/{org_uuid}/invitations/{uuid} (a full invitation URI names both)."""
        org_uuid, uuid = nested_uuids(
            invitation, "organizations", "invitations", "invitation", organization
        )
        return self._resource("GET", path("organizations", org_uuid, "invitations", uuid))

    def revoke_organization_invitation(
        self, invitation: str, organization: str | None = None
    ) -> None:
        """DELETE /organizations/{org_uuid}/invitations/{uuid}: withdraw a pending invitation."""
        org_uuid, uuid = nested_uuids(
            invitation, "organizations", "invitations", "invitation", organization
        )
        self._delete(path("organizations", org_uuid, "invitations", uuid))
