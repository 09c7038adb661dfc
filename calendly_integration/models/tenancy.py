"""Who may see which rows: Calendly's own rules, applied to a site user. The one tenancy rule.

A site user reaches Calendly through their connections (one per Calendly user they linked). Their
role in an organization comes from the mirrored memberships: an owner or admin sees everything the
organization owns, a plain member sees what they host. Everyone sees their own connections and
what hangs off them (webhook subscriptions, deliveries, sync runs).

Staff of the site see everything, unless ``CALENDLY["LIMIT_STAFF_TO_ORGANIZATIONS"]`` is on (a site
that gives several customers' staff one admin): staff who are not superusers then see what an
owner of *their own* organizations sees (the organizations of their non-revoked connections, or
those where a connected Calendly user is a member), plus the connections of those organizations.
Superusers are never limited. Every queryset's ``visible_to(user)`` builds its filter from the
``Viewer`` computed here, so the admin, the REST API, the pages, the services that pick a
connection to act through, feeds and analytics all follow the same rule.

This module sits below every model module (``base`` builds ``visible_to`` on it), so it imports none
of them: the connections and memberships it reads are looked up in the app registry when a viewer is
computed, by which time every model is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Q

from calendly_integration.conf import calendly_settings

APP_LABEL = "calendly_integration"

ADMIN_ROLES = ("owner", "admin")

#: The setting, then its deprecated alias (which only ever limited the admin).
LIMIT_SETTINGS = ("LIMIT_STAFF_TO_ORGANIZATIONS", "ADMIN_LIMIT_STAFF_TO_ORGANIZATIONS")


@dataclass(frozen=True)
class Viewer:
    """What a site user can see, reduced to their id, URIs and organization ids.

    ``staff_organization_ids`` / ``staff_organization_uris`` are set only for staff limited to
    their organizations: they also reach the connections (and subscriptions, runs, deliveries)
    of those organizations, as the admin always let them.
    """

    user_id: int | None = None
    user_uris: frozenset[str] = field(default_factory=frozenset)
    admin_organization_ids: frozenset[int] = field(default_factory=frozenset)
    member_organization_ids: frozenset[int] = field(default_factory=frozenset)
    staff_organization_ids: frozenset[int] = field(default_factory=frozenset)
    staff_organization_uris: frozenset[str] = field(default_factory=frozenset)
    sees_everything: bool = False

    @property
    def is_nobody(self) -> bool:
        """Sees no mirrored row (their own connections they may still see)."""
        return not self.sees_everything and not self.user_uris

    def connections(self, path: str = "") -> Q:
        """The connections (at ``path``, e.g. ``"connection__"``) this viewer reaches."""
        if self.sees_everything:
            return Q()
        if self.user_id is None:
            return Q(pk__in=[])
        reach = Q(**{f"{path}owner_id": self.user_id})
        if self.staff_organization_uris:
            reach |= Q(**{f"{path}organization_uri__in": self.staff_organization_uris})
        return reach

    def may_act_through_others(self, organization_id: int | None) -> bool:
        """May act in this organization through connections that are not the viewer's own (the
        host's, an organization admin's): unlimited staff anywhere, limited staff in theirs."""
        return self.sees_everything or (
            organization_id is not None and organization_id in self.staff_organization_ids
        )


NOBODY = Viewer()
EVERYONE = Viewer(sees_everything=True)


def limits_staff() -> bool:
    """Whether staff who are not superusers are limited to their own organizations."""
    return bool(calendly_settings.first_set(*LIMIT_SETTINGS))


def viewer_for(user: Any) -> Viewer:
    """The ``Viewer`` for a site user (anonymous users and ``None`` see nothing).

    Disconnected (revoked) connections no longer grant anything; a connection that needs
    reconnecting still does, since the data it mirrored is the user's own.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return NOBODY
    is_staff = bool(getattr(user, "is_staff", False) and getattr(user, "is_active", True))
    if is_staff and (getattr(user, "is_superuser", False) or not limits_staff()):
        return EVERYONE
    Connection = apps.get_model(APP_LABEL, "Connection")
    pairs = list(
        Connection.objects.filter(owner=user)
        .exclude(status=Connection.Status.REVOKED)
        .values_list("calendly_user_uri", "organization_uri")
    )
    uris = frozenset(user_uri for user_uri, _ in pairs)
    if not uris:
        return Viewer(user_id=user.pk)
    admin_orgs, member_orgs = _roles(uris)
    if not is_staff:
        return Viewer(
            user_id=user.pk,
            user_uris=uris,
            admin_organization_ids=frozenset(admin_orgs),
            member_organization_ids=frozenset(member_orgs),
        )
    ids, org_uris = _staff_organizations(uris, {org for _, org in pairs if org})
    return Viewer(
        user_id=user.pk,
        user_uris=uris,
        admin_organization_ids=ids,
        member_organization_ids=ids | member_orgs,
        staff_organization_ids=ids,
        staff_organization_uris=org_uris,
    )


def _roles(uris: frozenset[str]) -> tuple[set[int], set[int]]:
    """(organizations where one of ``uris`` is an owner or admin, where it is a member)."""
    Membership = apps.get_model(APP_LABEL, "Membership")
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
    return admin_orgs, member_orgs


def _staff_organizations(
    user_uris: frozenset[str], connection_org_uris: set[str]
) -> tuple[frozenset[int], frozenset[str]]:
    """A limited staff user's organizations: those of their connections, and those where a
    connected Calendly user is a member (any role). By id, and by URI (connections name their
    organization by URI only, and may name one not mirrored yet)."""
    Organization = apps.get_model(APP_LABEL, "Organization")
    Membership = apps.get_model(APP_LABEL, "Membership")
    rows = Organization.objects.filter(
        Q(uri__in=connection_org_uris)
        | Q(pk__in=Membership.objects.filter(user__uri__in=user_uris).values("organization_id"))
    ).values_list("pk", "uri")
    ids = frozenset(pk for pk, _ in rows)
    return ids, frozenset(uri for _, uri in rows) | frozenset(connection_org_uris)
