"""What the simulator holds and what we mirrored, as sets of URIs, for exact comparisons."""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from calendly_integration.client import parse_time
from calendly_integration.models import Invitee, ScheduledEvent

MIRROR_TABLE_PREFIX = "calendly_integration_"
BOOKKEEPING_TABLES = ("calendly_integration_syncrun", "calendly_integration_syncstate")


def sim_event_uris(
    sim, *, host_uri: str | None = None, start: datetime | None = None, end: datetime | None = None
) -> set[str]:
    with sim.store.lock:
        events = [dict(e) for e in sim.store.events.values()]
    uris = set()
    for event in events:
        if host_uri and event["event_memberships"][0]["user"] != host_uri:
            continue
        begins = parse_time(event["start_time"])
        if (start and begins < start) or (end and begins >= end):
            continue
        uris.add(event["uri"])
    return uris


def sim_invitee_uris(sim, event_uris: set[str]) -> set[str]:
    return {i["uri"] for uri in event_uris for i in sim.invitees_of(uri)}


def db_event_uris(**filters) -> set[str]:
    return set(ScheduledEvent.objects.live().filter(**filters).values_list("uri", flat=True))


def db_invitee_uris() -> set[str]:
    return set(Invitee.objects.live().values_list("uri", flat=True))


def invitee_requests(sim) -> list:
    return [r for r in sim.requests if r.path.endswith("/invitees")]


def event_list_requests(sim) -> list:
    return [r for r in sim.requests if r.path == "/scheduled_events"]


def mirror_writes(queries: CaptureQueriesContext) -> list[str]:
    """INSERT/UPDATE/DELETE statements on mirrored tables (sync bookkeeping left out)."""
    writes = []
    for query in queries.captured_queries:
        sql = query["sql"].lstrip()
        if not sql.upper().startswith(("INSERT", "UPDATE", "DELETE")):
            continue
        if MIRROR_TABLE_PREFIX in sql and not any(t in sql for t in BOOKKEEPING_TABLES):
            writes.append(sql[:120])
    return writes


def capture():
    return CaptureQueriesContext(connection)
