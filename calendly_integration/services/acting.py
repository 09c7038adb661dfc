"""Which connection acts at Calendly for an object, on whose behalf.

Calendly lets a user act on what they host or own, and an organization's owners and admins act on
everything in it. So the acting connection is one of the actor's own: the host's (or owner's)
first, else one whose Calendly user is an owner or admin of the object's organization. Site staff
may act through anyone's connection that qualifies (the admin's bulk actions need that), but their
own comes first; staff limited to their organizations (``models.tenancy``) only in those. Among the qualifying connections, an active one with the needed scopes wins; when
none has them, ``MissingScope`` names what to grant, so nobody is sent to Calendly to be refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from calendly_integration.models import Connection, EventType, Membership, ScheduledEvent
from calendly_integration.models.tenancy import ADMIN_ROLES, viewer_for
from calendly_integration.oauth.errors import MissingScope, NeedsReauth
from calendly_integration.oauth.scopes import missing_scopes
from calendly_integration.services.errors import NotPermitted

__all__ = [
    "acting_connection",
    "connection_for_event",
    "connection_for_event_type",
    "connection_for_user",
]


def _qualifying(
    connections: list[Connection], user_uris: frozenset[str], organization_id: int | None
) -> list[Connection]:
    """The connections that may act: the object's own users first, then organization admins."""
    own = [c for c in connections if c.calendly_user_uri in user_uris]
    admin_uris: set[str] = set()
    if organization_id is not None:
        admin_uris = set(
            Membership.objects.live()
            .filter(
                organization_id=organization_id,
                role__in=ADMIN_ROLES,
                user__uri__in=[c.calendly_user_uri for c in connections],
            )
            .values_list("user__uri", flat=True)
        )
    admins = [c for c in connections if c.calendly_user_uri in admin_uris and c not in own]
    return own + admins


def acting_connection(
    actor: Any,
    *,
    user_uris: Iterable[str],
    organization_id: int | None,
    scopes: Iterable[str] = (),
) -> Connection:
    """The connection that acts for ``actor`` on an object of ``user_uris`` in an organization.

    Raises ``NotPermitted`` when no connection qualifies, ``MissingScope`` when the qualifying
    ones lack ``scopes``, and ``NeedsReauth`` when every qualifying one must be reconnected.
    """
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotPermitted()
    uris = frozenset(u for u in user_uris if u)
    scopes = tuple(scopes)
    usable = Connection.objects.exclude(status=Connection.Status.REVOKED).order_by("pk")
    candidates = _qualifying(list(usable.filter(owner=actor)), uris, organization_id)
    if not candidates and viewer_for(actor).may_act_through_others(organization_id):
        others = usable.filter(calendly_user_uri__in=uris) | usable.filter(
            calendly_user_uri__in=Membership.objects.live()
            .filter(organization_id=organization_id, role__in=ADMIN_ROLES)
            .values("user__uri")
        )
        candidates = _qualifying(list(others), uris, organization_id)
    if not candidates:
        raise NotPermitted()
    active = [c for c in candidates if c.status == Connection.Status.ACTIVE]
    for connection in active:
        if not missing_scopes(connection, *scopes):
            return connection
    if active:
        raise MissingScope(missing_scopes(active[0], *scopes), connection_id=active[0].pk)
    raise NeedsReauth(connection_id=candidates[0].pk)


def connection_for_event(event: ScheduledEvent, actor: Any, *scopes: str) -> Connection:
    """The connection acting on a scheduled event: a host's, or an organization admin's."""
    hosts = event.hosts.values_list("user_uri", flat=True)
    return acting_connection(
        actor, user_uris=hosts, organization_id=event.organization_id, scopes=scopes
    )


def connection_for_event_type(event_type: EventType, actor: Any, *scopes: str) -> Connection:
    """The connection acting on an event type: its owner's, or an organization admin's."""
    return acting_connection(
        actor,
        user_uris=[event_type.owner_uri],
        organization_id=event_type.organization_id,
        scopes=scopes,
    )


def connection_for_user(
    user_uri: str, organization_id: int | None, actor: Any, *scopes: str
) -> Connection:
    """The connection acting for a Calendly user: their own, or an organization admin's."""
    return acting_connection(
        actor, user_uris=[user_uri], organization_id=organization_id, scopes=scopes
    )
