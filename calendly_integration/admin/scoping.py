"""Which rows a member of staff may reach in the admin.

Every admin queryset starts from the model's ``visible_to(user)`` (staff see everything there).
A site that gives several customers' staff one admin sets ``ADMIN_LIMIT_STAFF_TO_ORGANIZATIONS``:
staff who are not superusers then reach only the Calendly organizations their own connections
belong to (the connection's organization, or an organization where the connected Calendly user
is a member). Superusers always see everything. The scope is computed once per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest

from calendly_integration.conf import calendly_settings
from calendly_integration.models import Connection, Membership, Organization

_CACHE_ATTRIBUTE = "_calendly_admin_scope"


@dataclass(frozen=True)
class StaffScope:
    """The organizations a limited member of staff may reach, by id and by URI."""

    user_id: int
    organization_ids: frozenset[int]
    organization_uris: frozenset[str]


def staff_scope(request: HttpRequest) -> StaffScope | None:
    """``None`` when the user sees everything; otherwise the organizations they are limited to."""
    user = request.user
    if (
        getattr(user, "is_superuser", False)
        or not calendly_settings.ADMIN_LIMIT_STAFF_TO_ORGANIZATIONS
    ):
        return None
    cached = getattr(request, _CACHE_ATTRIBUTE, None)
    if cached is None:
        cached = _compute_scope(user)
        setattr(request, _CACHE_ATTRIBUTE, cached)
    return cached


def _compute_scope(user: Any) -> StaffScope:
    connections = Connection.objects.filter(owner=user).exclude(status=Connection.Status.REVOKED)
    pairs = list(connections.values_list("calendly_user_uri", "organization_uri"))
    user_uris = {user_uri for user_uri, _ in pairs}
    direct_uris = {organization_uri for _, organization_uri in pairs if organization_uri}
    rows = Organization.objects.filter(
        Q(uri__in=direct_uris)
        | Q(pk__in=Membership.objects.filter(user__uri__in=user_uris).values("organization_id"))
    ).values_list("pk", "uri")
    ids = {pk for pk, _ in rows}
    uris = {uri for _, uri in rows} | direct_uris
    return StaffScope(user.pk, frozenset(ids), frozenset(uris))


def restrict(queryset: QuerySet, request: HttpRequest, lookup: Any) -> QuerySet:
    """``queryset`` as the request's user may see it.

    ``lookup`` turns a ``StaffScope`` into a ``Q`` for this model (each ModelAdmin says how its
    rows reach an organization).
    """
    visible_to = getattr(queryset, "visible_to", None)
    if visible_to is not None:
        queryset = visible_to(request.user)
    scope = staff_scope(request)
    if scope is None:
        return queryset
    return queryset.filter(lookup(scope))


def by_organization(path: str = "organization") -> Any:
    """The usual lookup: the row's organization foreign key (at ``path``) is in scope."""

    def lookup(scope: StaffScope) -> Q:
        return Q(**{f"{path}__in": scope.organization_ids})

    return lookup


def by_connection(path: str = "connection") -> Any:
    """Rows that belong to a connection: the connection's organization is in scope, or the
    connection is the user's own."""

    def lookup(scope: StaffScope) -> Q:
        return Q(**{f"{path}__organization_uri__in": scope.organization_uris}) | Q(
            **{f"{path}__owner_id": scope.user_id}
        )

    return lookup
