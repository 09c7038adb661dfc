"""Which Calendly organization a row belongs to, for a person who sees more than one.

A site user may connect Calendly users of several organizations (one person working for two
companies, each with its own Calendly account under the same e-mail address). The pages then list
rows of both, so each row says whose it is; with one organization the label would be noise.
"""

from __future__ import annotations

from typing import Any

from calendly_integration.models import Connection, Organization


def organization_uris(user: Any) -> set[str]:
    """The organizations of the user's live connections (by URI)."""
    uris = (
        Connection.objects.for_user(user)
        .exclude(status=Connection.Status.REVOKED)
        .values_list("organization_uri", flat=True)
    )
    return {uri for uri in uris if uri}


def spans_organizations(user: Any) -> bool:
    """Whether the user's connections reach more than one organization (label rows then)."""
    return len(organization_uris(user)) > 1


def name_connections(connections: list[Connection]) -> None:
    """Attach ``organization_name`` to each connection (one query for all of them)."""
    names = dict(
        Organization.objects.filter(
            uri__in={c.organization_uri for c in connections if c.organization_uri}
        ).values_list("uri", "name")
    )
    for connection in connections:
        connection.organization_name = names.get(connection.organization_uri, "")
