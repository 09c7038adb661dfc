"""Users, organizations, memberships and invitations against the simulator."""

import pytest

from calendly_integration.client import NotFound
from tests.client.helpers import api_requests, uuid_of


def test_current_user_is_the_tokens_owner(client, sim):
    me = client.get_current_user()

    assert me["uri"] == sim.owner.uri
    assert me["email"] == sim.owner.email
    assert me["current_organization"] == sim.organization_uri
    assert api_requests(sim)[-1].path == "/users/me"


@pytest.mark.parametrize("by", ["uri", "uuid"])
def test_get_user_by_uri_or_uuid(client, sim, by):
    member = sim.members[0]

    user = client.get_user(member.uri if by == "uri" else member.uuid)

    assert user["uri"] == member.uri
    assert api_requests(sim)[-1].path == f"/users/{member.uuid}"


def test_get_organization(client, sim):
    organization = client.get_organization(sim.organization_uri)

    assert organization["uri"] == sim.organization_uri
    assert api_requests(sim)[-1].path == f"/organizations/{uuid_of(sim.organization_uri)}"


def test_memberships_list_every_member_with_their_role(client, sim):
    memberships = list(client.list_organization_memberships(organization=sim.organization_uri))

    roles = {m["user"]["uri"]: m["role"] for m in memberships}
    assert roles[sim.owner.uri] == "owner"
    assert roles[sim.admin.uri] == "admin"
    assert all(roles[member.uri] == "user" for member in sim.members)
    request = api_requests(sim, "/organization_memberships")[-1]
    assert request.query["organization"] == [sim.organization_uri]
    assert request.query["count"] == ["100"]


def test_memberships_of_one_user_and_by_email(client, sim):
    mine = list(client.list_organization_memberships(user=sim.admin.uri))
    by_email = list(
        client.list_organization_memberships(
            organization=sim.organization_uri, email=sim.admin.email
        )
    )

    assert [m["user"]["uri"] for m in mine] == [sim.admin.uri]
    assert [m["user"]["uri"] for m in by_email] == [sim.admin.uri]
    assert api_requests(sim)[-1].query["email"] == [sim.admin.email]


def test_get_and_delete_a_membership(client, sim):
    membership = next(iter(client.list_organization_memberships(user=sim.members[-1].uri)))

    assert client.get_organization_membership(membership["uri"])["uri"] == membership["uri"]
    assert client.delete_organization_membership(membership["uri"]) is None
    assert api_requests(sim)[-1].method == "DELETE"
    with pytest.raises(NotFound):
        client.get_organization_membership(membership["uri"])


def test_invite_list_get_and_revoke_an_invitation(client, sim):
    invitation = client.create_organization_invitation(
        sim.organization_uri, "new.colleague@example.com"
    )

    assert invitation["email"] == "new.colleague@example.com"
    assert invitation["status"] == "pending"
    assert api_requests(sim)[-1].json == {"email": "new.colleague@example.com"}

    pending = list(client.list_organization_invitations(sim.organization_uri, status="pending"))
    assert invitation["uri"] in [i["uri"] for i in pending]
    assert api_requests(sim)[-1].query["status"] == ["pending"]

    assert client.get_organization_invitation(invitation["uri"])["uri"] == invitation["uri"]
    same = client.get_organization_invitation(
        uuid_of(invitation["uri"]), organization=sim.organization_uri
    )
    assert same["uri"] == invitation["uri"]

    assert client.revoke_organization_invitation(invitation["uri"]) is None
    revoke = api_requests(sim)[-1]
    org_uuid = uuid_of(sim.organization_uri)
    assert (revoke.method, revoke.path) == (
        "DELETE",
        f"/organizations/{org_uuid}/invitations/{uuid_of(invitation['uri'])}",
    )
    still_pending = client.list_organization_invitations(sim.organization_uri, status="pending")
    assert invitation["uri"] not in [i["uri"] for i in still_pending]
