"""Scheduled events in the run's start-time window, and the invitees of those that changed.

Each page of up to a hundred events is handled whole: read what we hold for it (one query), fetch
the invitees of the events that are new or whose ``updated_at`` moved (plus recently started ones,
for no-shows), then write the events, their hosts and invitees, mark what went missing, and save
the resume cursor, all in one transaction. A failure anywhere in a page leaves no trace of it, and
the next run starts again from that page.

Deletion is detected per page without keeping the listing in memory: the listing is sorted by start
time, so the events we hold whose start falls between the previous page's last start and this
page's last start, but that neither page listed, are gone. Events that share the boundary start time
are carried over to the next page's check.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from calendly_integration.client import BadRequest, NotFound, Page
from calendly_integration.conf import calendly_settings
from calendly_integration.mirror.hosts import replace_hosts
from calendly_integration.mirror.mapping import (
    event_hosts,
    invitee_fields,
    scheduled_event_fields,
    time_or_none,
)
from calendly_integration.mirror.upsert import (
    Existing,
    mark_ids_removed,
    mark_removed,
    read_existing,
    upsert,
)
from calendly_integration.models import Invitee, ScheduledEvent
from calendly_integration.sync.context import SyncContext

Fields = dict[str, Any]


def sync_scheduled_events(ctx: SyncContext) -> None:
    scope = "organization" if ctx.is_admin else "user"
    state = ctx.cursor.get("events") or {}
    if state.get("scope", scope) != scope:  # the user's role changed since: list afresh
        state = {}
    if state.get("done"):
        return
    try:
        _list_events(ctx, state, scope)
    except BadRequest:
        if not state.get("page_token") or ctx.pages:
            raise
        # Calendly refused the saved page token (expired?): list the window again from the start.
        ctx.warn(gettext("The saved position in the event list was refused; listed it again."))
        _list_events(ctx, {}, scope)


def _list_events(ctx: SyncContext, state: dict[str, Any], scope: str) -> None:
    lower = time_or_none(state["lower"]) if "lower" in state else ctx.window.start
    carried = set(state.get("carried") or ())
    listing = ctx.client.list_scheduled_events(
        organization=ctx.organization_uri if scope == "organization" else None,
        user=ctx.me_uri if scope == "user" else None,
        min_start_time=ctx.window.start,
        max_start_time=ctx.window.end,
        sort="start_time:asc",
        page_token=state.get("page_token"),
    )
    # A row written after a page was asked for (a webhook, while this page's invitees are read)
    # may be missing from that page only because it is newer: it is never marked removed.
    asked_at = timezone.now()
    for page in listing.pages():
        lower, carried = _sync_page(ctx, page, lower, carried, scope, asked_at)
        ctx.done_unit()
        ctx.fraction = ctx.window.fraction(lower)
        ctx.report()
        ctx.check_time()
        asked_at = timezone.now()


def _sync_page(
    ctx: SyncContext,
    page: Page,
    lower: datetime | None,
    carried: set[str],
    scope: str,
    asked_at: datetime,
) -> tuple[datetime | None, set[str]]:
    rows: dict[str, Fields] = {}
    hosts: dict[str, list[Fields]] = {}
    for data in page.collection:
        fields = scheduled_event_fields(data)
        if not fields["uri"]:
            continue
        fields.update(
            ctx.org_fields(), event_type_id=ctx.event_type_ids.get(fields["event_type_uri"])
        )
        rows[fields["uri"]] = fields
        hosts[fields["uri"]] = event_hosts(data)
    existing = read_existing(
        ScheduledEvent, rows, extra=("calendly_updated_at", "invitees_synced_at")
    )
    fetched: dict[str, list[dict[str, Any]]] = {}
    for uri, row in list(rows.items()):
        if not _needs_invitees(ctx, row, existing.get(uri)):
            continue
        invitees = _fetch_invitees(ctx, uri)
        if invitees is None:  # gone between the listing and now: treat as not listed
            del rows[uri]
            continue
        fetched[uri] = invitees
    upper, next_carried, check = _page_bounds(ctx, page, rows, lower, carried)
    with transaction.atomic():
        for uri, row in rows.items():
            known = existing.get(uri)
            row["invitees_synced_at"] = (
                ctx.now if uri in fetched else known.values["invitees_synced_at"] if known else None
            )
        result = upsert(
            ScheduledEvent, rows.values(), now=ctx.now, existing=existing, force=fetched
        )
        ctx.tally.add_result("scheduled_events", result)
        replace_hosts(
            {result.ids[uri]: hosts.get(uri, ()) for uri in (*result.created, *result.updated)},
            user_ids=ctx.user_ids,
            fresh={result.ids[uri] for uri in result.created},
        )
        _write_invitees(ctx, fetched, result.ids, existing, asked_at)
        if check:
            removed = _mark_missing_events(ctx, lower, upper, set(rows) | carried, asked_at)
            ctx.tally.add("scheduled_events", removed=removed)
        ctx.pages += 1
        ctx.events += len(rows)
        if page.has_next:
            position = {
                "scope": scope,
                "page_token": _next_token(page),
                "lower": upper.isoformat() if upper else None,
                "carried": sorted(next_carried),
            }
        else:
            position = {"scope": scope, "done": True}
        ctx.save_cursor(events=position)
    return upper, next_carried


def _needs_invitees(ctx: SyncContext, row: Fields, known: Existing | None) -> bool:
    """New, changed or reappeared events; and recently started ones, now and then, since
    marking a no-show changes the invitee but not the event."""
    if known is None or known.removed_at is not None:
        return True
    if known.values["calendly_updated_at"] != row["calendly_updated_at"]:
        return True
    synced = known.values["invitees_synced_at"]
    if synced is None:
        return True
    days = calendly_settings.SYNC_NO_SHOW_DAYS
    start = row["start_time"]
    if not days or start is None or row["status"] != ScheduledEvent.Status.ACTIVE:
        return False
    recheck = timedelta(minutes=calendly_settings.SYNC_NO_SHOW_RECHECK_MINUTES)
    return ctx.now - timedelta(days=days) <= start <= ctx.now and synced < ctx.now - recheck


def _fetch_invitees(ctx: SyncContext, event_uri: str) -> list[dict[str, Any]] | None:
    invitees: list[dict[str, Any]] = []
    try:
        for page in ctx.client.list_event_invitees(event_uri).pages():
            ctx.invitee_requests += 1
            invitees.extend(page.collection)
    except NotFound:
        return None
    return invitees


def _page_bounds(
    ctx: SyncContext, page: Page, rows: dict[str, Fields], lower: datetime | None, carried: set[str]
) -> tuple[datetime | None, set[str], bool]:
    """Where this page's deletion check ends, the events carried into the next check, and
    whether there is anything to check at all."""
    if not page.has_next:
        return ctx.window.end, set(), True
    starts = [row["start_time"] for row in rows.values() if row["start_time"] is not None]
    if not starts:  # nothing to place this page in time: check it with the next one
        return lower, carried | set(rows), False
    upper = max(starts)
    at_upper = {uri for uri, row in rows.items() if row["start_time"] == upper}
    return upper, (at_upper | carried) if upper == lower else at_upper, True


def _mark_missing_events(
    ctx: SyncContext,
    lower: datetime | None,
    upper: datetime | None,
    seen: set[str],
    asked_at: datetime,
) -> int:
    """Mark the events we hold that start in [lower, upper) but were not listed (None: open),
    leaving those written since the page was asked for (``asked_at``)."""
    if lower is not None and upper is not None and upper <= lower:
        return 0
    scope = ctx.owned(ScheduledEvent).filter(synced_at__lt=asked_at)
    if not ctx.is_admin:
        scope = scope.hosted_by(ctx.me_uri)
    if lower is not None:
        scope = scope.filter(start_time__gte=lower)
    if upper is not None:
        scope = scope.filter(start_time__lt=upper)
    return mark_removed(scope.exclude(uri__in=seen), ctx.now)


def _write_invitees(
    ctx: SyncContext,
    fetched: dict[str, list[dict[str, Any]]],
    event_ids: dict[str, int],
    existing_events: dict[str, Existing],
    asked_at: datetime,
) -> None:
    """Upsert the fetched invitees; mark those of the same events that Calendly no longer lists
    (not those written since the page was asked for: a booking that came in by webhook)."""
    if not fetched:
        return
    rows: list[Fields] = []
    for event_uri, invitees in fetched.items():
        for data in invitees:
            fields = invitee_fields(data)
            if fields["uri"]:
                fields.update(ctx.org_fields(), event_id=event_ids[event_uri])
                rows.append(fields)
    uris = {row["uri"] for row in rows}
    refetched = [existing_events[u].id for u in fetched if u in existing_events]
    known: dict[str, Existing] = {}
    missing: list[int] = []
    for uri, pk, digest, removed_at, event_id, organization_id, synced_at in Invitee.objects.filter(
        Q(uri__in=uris) | Q(event_id__in=refetched)
    ).values_list(
        "uri", "id", "fingerprint", "removed_at", "event_id", "organization_id", "synced_at"
    ):
        known[uri] = Existing(pk, digest, removed_at)
        if (
            uri not in uris
            and removed_at is None
            and event_id in refetched
            and organization_id == ctx.organization_id
            and (synced_at is None or synced_at < asked_at)
        ):
            missing.append(pk)
    result = upsert(Invitee, rows, now=ctx.now, existing=known)
    ctx.tally.add_result("invitees", result)
    if missing:
        ctx.tally.add("invitees", removed=mark_ids_removed(Invitee, missing, ctx.now))


def _next_token(page: Page) -> str | None:
    if page.next_page_token:
        return page.next_page_token
    if page.next_page:
        values = parse_qs(urlsplit(page.next_page).query).get("page_token")
        return values[0] if values else None
    return None
