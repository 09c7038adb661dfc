"""Who may see which mirrored rows: Calendly's own rules, applied to a site user.

A site user reaches Calendly through their connections (one per Calendly user they linked). Their
role in an organization comes from the mirrored memberships: an owner or admin sees everything the
organization owns, a plain member sees what they host. Staff of the site see everything. The
querysets' ``visible_to(user)`` build their filters from the ``Viewer`` computed here.

This module sits below every model module (``base`` builds ``visible_to`` on it), so it imports none
of them: the connections and memberships it reads are looked up in the app registry when a viewer is
computed, by which time every model is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps

APP_LABEL = "calendly_integration"

ADMIN_ROLES = ("owner", "admin")


@dataclass(frozen=True)
class Viewer:
    """What a site user can see, reduced to URIs and organization ids."""

    user_uris: frozenset[str] = field(default_factory=frozenset)
    admin_organization_ids: frozenset[int] = field(default_factory=frozenset)
    member_organization_ids: frozenset[int] = field(default_factory=frozenset)
    sees_everything: bool = False

    @property
    def is_nobody(self) -> bool:
        return not self.sees_everything and not self.user_uris


NOBODY = Viewer()
EVERYONE = Viewer(sees_everything=True)


def viewer_for(user: Any) -> Viewer:
    """The ``Viewer`` for a site user (anonymous users and ``None`` see nothing).

    Disconnected (revoked) connections no longer grant anything; a connection that needs
    reconnecting still does, since the data it mirrored is the user's own.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return NOBODY
    if getattr(user, "is_staff", False) and getattr(user, "is_active", True):
        return EVERYONE
    Connection = apps.get_model(APP_LABEL, "Connection")
    Membership = apps.get_model(APP_LABEL, "Membership")
    uris = frozenset(
        Connection.objects.filter(owner=user)
        .exclude(status=Connection.Status.REVOKED)
        .values_list("calendly_user_uri", flat=True)
    )
    if not uris:
        return NOBODY
    admin_orgs: set[int] = set()
    member_orgs: set[int] = set()
    memberships = (
        Membership.objects.live()
        .filter(user__uri__in=uris, organization__isnull=False)
        .values_list("organization_id", "role")
    )
    for organization_id, role in memberships:
        member_orgs.add(organization_id)
        if role in ADMIN_ROLES:
            admin_orgs.add(organization_id)
    return Viewer(
        user_uris=uris,
        admin_organization_ids=frozenset(admin_orgs),
        member_organization_ids=frozenset(member_orgs),
    )
