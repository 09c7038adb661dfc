"""Organizations, memberships and invitations.

Reading the membership list is open to every member (it is how a client learns its organization
URI); changing membership and invitations needs the owner or an admin, as in Calendly.
"""

from __future__ import annotations

import re
from typing import Any

from . import errors, objects
from .call import Call
from .messages import Response
from .pagination import parse_sort
from .timeutil import iso

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _own_organization(call: Call, uuid: str) -> None:
    """Another organization (or none) is a 404 here, as it has always been for unknown ones."""
    if uuid != call.store.organization_uuid_of(call.caller_uuid):
        raise errors.not_found()
    if call.store.role_of(call.caller_uuid) is None:
        raise errors.permission_denied()


def get_organization(call: Call) -> Response:
    _own_organization(call, call.params["uuid"])
    return call.resource(call.organization)


def list_memberships(call: Call) -> Response:
    has_org = call.organization_param()
    user = call.user_param()
    if not has_org and user is None:
        raise errors.invalid_argument(
            ("organization", "one of organization or user is required"),
            ("user", "one of organization or user is required"),
        )
    if call.store.role_of(call.caller_uuid) is None and (user is None or user != call.caller):
        raise errors.permission_denied("This user is not in your organization")
    if user is not None:
        call.require_own(user["uri"], "This user is not in your organization")
    email = call.param("email")
    own = call.organization["uri"]
    rows = [
        membership
        for membership in call.store.memberships.values()
        if membership["organization"] == own
        and (user is None or membership["user"]["uri"] == user["uri"])
        and (email is None or membership["user"]["email"].lower() == email.lower())
    ]
    return call.page(rows, lambda m: (m["created_at"], m["uri"]))


def _membership(call: Call) -> dict[str, Any]:
    membership = call.store.memberships.get(call.params["uuid"])
    if membership is None:
        raise errors.not_found()
    call.require_own_organization(
        membership["organization"], "This user is not in your organization"
    )
    return membership


def get_membership(call: Call) -> Response:
    membership = _membership(call)
    if call.store.role_of(call.caller_uuid) is None:
        raise errors.permission_denied("This user is not in your organization")
    return call.resource(membership)


def delete_membership(call: Call) -> Response:
    membership = _membership(call)
    if not call.caller_is_admin:
        raise errors.permission_denied("You do not have permission to perform this action")
    if membership["role"] == "owner":
        raise errors.permission_denied("You can not change owner role")
    if membership["user"]["uri"] == call.caller["uri"]:
        raise errors.permission_denied("You can not remove yourself from organization")
    store = call.store
    del store.memberships[call.params["uuid"]]
    user_uuid = membership["user"]["uri"].rsplit("/", 1)[1]
    store.roles.pop(user_uuid, None)
    record_activity(call, "User", "Remove", {"user_email": membership["user"]["email"]})
    return Response.empty()


def record_activity(call: Call, namespace: str, action: str, details: dict[str, Any]) -> None:
    """Add an activity log entry for something the caller did through the API."""
    store = call.store
    uuid = store.new_uuid()
    store.activity[uuid] = objects.activity_entry(
        store.base,
        uuid,
        organization_uri=call.organization["uri"],
        occurred_at=call.now(),
        namespace=namespace,
        action=action,
        actor=call.caller,
        role=store.role_of(call.caller_uuid) or "user",
        details=details,
    )


def list_invitations(call: Call) -> Response:
    _own_organization(call, call.params["uuid"])
    call.require_admin()
    status = call.choice("status", ("pending", "accepted", "declined"))
    email = call.param("email")
    field, descending = _sort(call)
    own = call.organization["uri"]
    rows = [
        invitation
        for invitation in call.store.invitations.values()
        if invitation["organization"] == own
        and (status is None or invitation["status"] == status)
        and (email is None or invitation["email"].lower() == email.lower())
    ]
    return call.page(rows, lambda i: (i[field], i["uri"]), descending=descending)


def _sort(call: Call) -> tuple[str, bool]:
    return parse_sort(call.request, ("created_at", "email", "status"), "created_at:asc")


def invite(call: Call) -> Response:
    _own_organization(call, call.params["uuid"])
    call.require_admin("You do not have permission")
    body = call.body()
    email = body.get("email")
    if not email:
        raise errors.invalid_argument(("email", "must be filled"))
    if not isinstance(email, str) or not EMAIL.match(email):
        raise errors.bad_request("Invalid Email", f"{email} is an invalid email format")
    store = call.store
    lowered = email.lower()
    own = call.organization["uri"]
    if any(
        m["user"]["email"].lower() == lowered and m["organization"] == own
        for m in store.memberships.values()
    ):
        raise errors.bad_request(
            "Already Organization Member", f"{email} is already in the organization"
        )
    if any(
        i["email"].lower() == lowered and i["status"] == "pending" and i["organization"] == own
        for i in store.invitations.values()
    ):
        raise errors.bad_request("Already Invited", f"{email} has already been invited")
    uuid = store.new_uuid()
    invitation = objects.invitation(
        store.base,
        store.organization_uuid_of(call.caller_uuid),
        uuid,
        email=email,
        status="pending",
        created_at=call.now(),
    )
    store.invitations[uuid] = invitation
    record_activity(call, "User", "Invite", {"user_email": email})
    return call.resource(invitation, 201)


def _invitation(call: Call) -> dict[str, Any]:
    _own_organization(call, call.params["org_uuid"])
    invitation = call.store.invitations.get(call.params["uuid"])
    if invitation is None or invitation["organization"] != call.organization["uri"]:
        raise errors.not_found()
    return invitation


def get_invitation(call: Call) -> Response:
    invitation = _invitation(call)
    call.require_admin()
    return call.resource(invitation)


def revoke_invitation(call: Call) -> Response:
    invitation = _invitation(call)
    call.require_admin()
    if invitation["status"] == "accepted":
        raise errors.bad_request(
            "Invitation Already Accepted", "The invitation has already been accepted."
        )
    del call.store.invitations[call.params["uuid"]]
    invitation["updated_at"] = iso(call.now())
    record_activity(call, "User", "RevokeInvitation", {"user_email": invitation["email"]})
    return Response.empty()
