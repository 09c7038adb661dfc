"""Compare one connection's mirror with what Calendly lists right now.

The comparison covers what decides what people see and act on: which scheduled events exist in the
sync window and their status, each of those events' invitees (status and no-show), event types
(whether they are active) and memberships (role). Calendly's side goes through the same mapping
functions the sync uses, so a difference means the mirror is behind, not that two parsers disagree.

The scope is the one the sync uses: owners and admins compare the organization's event types,
events and memberships, members their own. The window is that of the connection's last successful
sync (so a mirror that is exactly as current as its last sync compares equal), or the incremental
window around now when it never synced.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from calendly_integration.client import CalendlyClient
from calendly_integration.mirror.mapping import (
    event_type_fields,
    invitee_fields,
    membership_fields,
    scheduled_event_fields,
    uri_of,
)
from calendly_integration.models import (
    Connection,
    EventType,
    Invitee,
    Membership,
    ScheduledEvent,
    SyncRun,
)
from calendly_integration.oauth.scopes import has_scopes
from calendly_integration.oauth.tokens import client_for_connection
from calendly_integration.sync.window import Window

__all__ = ["Difference", "sync_window", "verify_connection"]

ADMIN_ROLES = (Membership.Role.OWNER, Membership.Role.ADMIN)
#: The ``field`` of a Difference about an object one side has and the other has not.
PRESENT = "present"


@dataclass(frozen=True)
class Difference:
    """One way the mirror and Calendly disagree.

    ``kind`` is the resource (``scheduled_event``, ``invitee``, ``event_type``, ``membership``),
    ``field`` the column that differs, or ``present`` when one side lacks the object (then
    ``mirror`` and ``calendly`` are booleans saying which side has it).
    """

    kind: str
    uri: str
    field: str
    mirror: Any
    calendly: Any

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "uri": self.uri,
            "field": self.field,
            "mirror": self.mirror,
            "calendly": self.calendly,
        }


@dataclass(frozen=True)
class _Scope:
    me_uri: str
    organization_uri: str
    is_admin: bool


def verify_connection(connection: Connection, *, window: Window | None = None) -> list[Difference]:
    """Every difference between ``connection``'s mirror and Calendly (empty: they agree).

    ``window`` bounds the scheduled events compared (by start time); by default the window of the
    connection's last successful sync. Calendly errors (``CalendlyError``, ``NeedsReauth``, ...)
    propagate: the caller decides whether an unreachable Calendly is a failure.
    """
    window = window if window is not None else sync_window(connection)
    # What the sync skips for want of a scope is not compared either (it cannot be mirrored).
    members = has_scopes(connection, "organizations:read")
    event_types = has_scopes(connection, "event_types:read")
    with client_for_connection(connection) as client:
        scope = _read_scope(client, members)
        differences = [
            *(_compare_memberships(client, scope) if members else ()),
            *(_compare_event_types(client, scope) if event_types else ()),
            *_compare_events(client, scope, window),
        ]
    return differences


def sync_window(connection: Connection, now: datetime | None = None) -> Window:
    """The window of the connection's last successful sync, or the incremental one around now."""
    run = (
        SyncRun.objects.filter(connection=connection, status=SyncRun.Status.SUCCEEDED)
        .order_by("-finished_at", "-pk")
        .values("full", "window_start", "window_end")
        .first()
    )
    if run is None:
        return Window.incremental(now or timezone.now())
    if run["full"]:
        return Window()
    return Window(run["window_start"], run["window_end"])


def _read_scope(client: CalendlyClient, read_roles: bool) -> _Scope:
    """Who the token is; without organizations:read the sync treats them as a member, so do we."""
    me = client.get_current_user()
    me_uri = uri_of(me)
    organization_uri = uri_of(me.get("current_organization"))
    if not read_roles:
        return _Scope(me_uri, organization_uri, False)
    roles = [
        m.get("role")
        for m in client.list_organization_memberships(user=me_uri, organization=organization_uri)
        if uri_of(m.get("organization")) == organization_uri
    ]
    return _Scope(me_uri, organization_uri, any(role in ADMIN_ROLES for role in roles))


def _compare(
    kind: str,
    mirror: dict[str, dict[str, Any]],
    calendly: dict[str, dict[str, Any]],
    fields: Iterable[str],
) -> Iterator[Difference]:
    """Differences between two {uri: {field: value}} maps, in a stable order."""
    fields = tuple(fields)
    for uri in sorted(mirror.keys() | calendly.keys()):
        ours, theirs = mirror.get(uri), calendly.get(uri)
        if ours is None or theirs is None:
            yield Difference(kind, uri, PRESENT, ours is not None, theirs is not None)
            continue
        for name in fields:
            if ours[name] != theirs[name]:
                yield Difference(kind, uri, name, ours[name], theirs[name])


def _compare_memberships(client: CalendlyClient, scope: _Scope) -> Iterator[Difference]:
    if scope.is_admin:
        listing = client.list_organization_memberships(organization=scope.organization_uri)
        rows = Membership.objects.filter(organization__uri=scope.organization_uri)
    else:
        listing = client.list_organization_memberships(
            user=scope.me_uri, organization=scope.organization_uri
        )
        rows = Membership.objects.filter(
            organization__uri=scope.organization_uri, user__uri=scope.me_uri
        )
    calendly = {
        fields["uri"]: fields
        for fields in (membership_fields(data) for data in listing)
        if fields["uri"]
    }
    mirror = {row["uri"]: row for row in rows.live().values("uri", "role")}
    yield from _compare("membership", mirror, calendly, ("role",))


def _compare_event_types(client: CalendlyClient, scope: _Scope) -> Iterator[Difference]:
    if scope.is_admin:
        listing = client.list_event_types(organization=scope.organization_uri)
    else:
        listing = client.list_event_types(user=scope.me_uri)
    calendly = {
        fields["uri"]: fields
        for fields in (event_type_fields(data) for data in listing)
        if fields["uri"]
    }
    rows = EventType.objects.filter(organization__uri=scope.organization_uri)
    if not scope.is_admin:
        # A member's listing may hold event types they do not own (team ones): ours are the
        # ones they own plus whatever Calendly listed.
        rows = rows.filter(Q(owner_uri=scope.me_uri) | Q(uri__in=list(calendly)))
    mirror = {row["uri"]: row for row in rows.live().values("uri", "active")}
    yield from _compare("event_type", mirror, calendly, ("active",))


def _compare_events(client: CalendlyClient, scope: _Scope, window: Window) -> Iterator[Difference]:
    listing = client.list_scheduled_events(
        organization=scope.organization_uri if scope.is_admin else None,
        user=None if scope.is_admin else scope.me_uri,
        min_start_time=window.start,
        max_start_time=window.end,
        sort="start_time:asc",
    )
    calendly = {
        fields["uri"]: fields
        for fields in (scheduled_event_fields(data) for data in listing)
        if fields["uri"]
    }
    rows = ScheduledEvent.objects.filter(organization__uri=scope.organization_uri).live()
    if not scope.is_admin:
        hosted = rows.hosted_by(scope.me_uri).values("pk")
        rows = rows.filter(Q(pk__in=hosted) | Q(uri__in=list(calendly)))
    if window.start is not None:
        rows = rows.filter(start_time__gte=window.start)
    if window.end is not None:
        rows = rows.filter(start_time__lt=window.end)
    mirror = {row["uri"]: row for row in rows.values("uri", "status")}
    yield from _compare("scheduled_event", mirror, calendly, ("status",))
    both = sorted(mirror.keys() & calendly.keys())
    yield from _compare_invitees(client, both)


def _compare_invitees(client: CalendlyClient, event_uris: list[str]) -> Iterator[Difference]:
    """The invitees of the events both sides hold (one listing per event)."""
    if not event_uris:
        return
    rows = Invitee.objects.filter(event__uri__in=event_uris).live()
    mirror = {row["uri"]: row for row in rows.values("uri", "status", "is_no_show")}
    calendly: dict[str, dict[str, Any]] = {}
    for event_uri in event_uris:
        for data in client.list_event_invitees(event_uri):
            fields = invitee_fields(data)
            if fields["uri"]:
                calendly[fields["uri"]] = fields
    yield from _compare("invitee", mirror, calendly, ("status", "is_no_show"))
