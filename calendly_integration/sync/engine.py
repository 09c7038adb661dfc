"""``sync_connection``: one sync of one connection, from lease to SyncRun.

The steps run in a fixed order (account first: the role decides what the others list). Before
each step and after every page of events the resume cursor is saved with the lease, so a run that
stops for any reason (an error, a rate limit, its time limit, a killed worker) is continued by the
next one from the last committed page, with the same window.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from calendly_integration.client import CalendlyError, InsufficientScope, RateLimited
from calendly_integration.models import Connection, SyncRun, SyncState
from calendly_integration.oauth.errors import ConnectionUnusable
from calendly_integration.oauth.scopes import missing_scopes
from calendly_integration.sync.account import sync_account, sync_memberships
from calendly_integration.sync.availability import sync_availability
from calendly_integration.sync.context import (
    RequestCounter,
    SyncContext,
    SyncPaused,
    SyncProgress,
)
from calendly_integration.sync.event_types import load_event_type_ids, sync_event_types
from calendly_integration.sync.events import sync_scheduled_events
from calendly_integration.sync.lease import Lease, LeaseLost
from calendly_integration.sync.resume import plan_run
from calendly_integration.sync.routing_forms import sync_routing_forms
from calendly_integration.sync.tokens import client_for_sync

logger = logging.getLogger(__name__)

Step = tuple[str, Callable[[SyncContext], None], tuple[str, ...], bool, bool]
#: (name, function, scopes it needs, whether only owners/admins run it, whether it is optional)
STEPS: tuple[Step, ...] = (
    ("memberships", sync_memberships, ("organizations:read",), True, True),
    ("event_types", sync_event_types, ("event_types:read",), False, True),
    ("scheduled_events", sync_scheduled_events, ("scheduled_events:read",), False, False),
    ("routing_forms", sync_routing_forms, ("routing_forms:read",), True, True),
    ("availability", sync_availability, ("availability:read",), False, True),
)
STEP_NAMES = tuple(step[0] for step in STEPS)


def sync_connection(
    connection_id: int,
    full: bool = False,
    *,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    progress: Callable[[SyncProgress], None] | None = None,
    time_limit: float | None = None,
    organization_cap: int = 0,
) -> SyncRun:
    """Sync one connection's Calendly data into the mirror; returns the finished ``SyncRun``.

    ``full`` takes every scheduled event ever (and checks every routing form submission);
    otherwise events starting in the window ``SYNC_BACKFILL_DAYS`` back to ``SYNC_HORIZON_DAYS``
    ahead, or between ``since`` and ``until`` when given. ``time_limit`` (seconds) makes the run
    stop at the next page boundary once exceeded (status ``partial``; the next run continues).

    Errors from Calendly, an unusable connection and rate limits end the run with the error
    recorded (never raised); what was committed stays. When another sync of the connection is
    running, this returns at once with a ``skipped`` run. ``organization_cap`` (the background
    task passes ``SYNC_MAX_PER_ORGANIZATION``) raises ``OrganizationBusy`` before anything is
    recorded when the connection's organization already runs that many syncs.
    """
    connection = Connection.objects.get(pk=connection_id)
    lease = Lease(connection.pk)
    if not lease.acquire(
        organization_uri=connection.organization_uri, organization_cap=organization_cap
    ):
        return _skipped(connection, full)
    try:
        ctx = _start(connection, lease, full, since, until)
    except BaseException:
        lease.release()
        raise
    ctx.progress = progress
    ctx.deadline = ctx.started + time_limit if time_limit else None
    _execute(ctx)
    return ctx.run


def _start(
    connection: Connection,
    lease: Lease,
    full: bool,
    since: date | datetime | None,
    until: date | datetime | None,
) -> SyncContext:
    """Under the lease: close a run that died, plan this one, record it, build its client."""
    started = time.monotonic()
    state = SyncState.objects.select_related("run").get(connection=connection)
    _close_interrupted(state)
    now = timezone.now()
    window, full, cursor = plan_run(state.cursor, full, since, until, now)
    run = SyncRun.objects.create(
        connection=connection,
        full=full,
        resumed=bool(cursor.get("step")),
        window_start=window.start,
        window_end=window.end,
        started_at=now,
    )
    lease.renew(run=run, cursor=cursor)
    client = client_for_sync(connection.pk)
    return SyncContext(
        connection=connection,
        client=client,
        run=run,
        lease=lease,
        now=now,
        full=full,
        window=window,
        cursor=cursor,
        requests=RequestCounter(client),
        started=started,
    )


def _execute(ctx: SyncContext) -> None:
    """Run the steps and record how the run ended; only unexpected errors propagate."""
    run = ctx.run
    unexpected: BaseException | None = None
    try:
        _run_steps(ctx)
        run.status = SyncRun.Status.SUCCEEDED
    except RateLimited as exc:
        run.status = SyncRun.Status.RATE_LIMITED
        run.retry_at = timezone.now() + timedelta(seconds=max(exc.retry_after, 1.0))
        _record_error(run, exc)
    except SyncPaused:
        run.status = SyncRun.Status.PARTIAL
    except (CalendlyError, ConnectionUnusable, LeaseLost) as exc:
        run.status = SyncRun.Status.FAILED
        _record_error(run, exc)
    except BaseException as exc:
        interrupted = isinstance(exc, KeyboardInterrupt | SystemExit)
        run.status = SyncRun.Status.INTERRUPTED if interrupted else SyncRun.Status.FAILED
        _record_error(run, exc)
        unexpected = exc
    finally:
        ctx.client.close()
        _finish(ctx)
    if unexpected is not None:
        logger.error(
            "Sync of Calendly connection %s stopped by an unexpected error",
            ctx.connection.pk,
            exc_info=unexpected,
        )
        raise unexpected


def _run_steps(ctx: SyncContext) -> None:
    resume_at = ctx.cursor.get("step")
    start = STEP_NAMES.index(resume_at) if resume_at in STEP_NAMES else 0
    ctx.report("account")
    sync_account(ctx)
    ctx.run.save(update_fields=["organization"])
    if start > STEP_NAMES.index("memberships"):
        ctx.load_user_ids()
    if start > STEP_NAMES.index("event_types"):
        load_event_type_ids(ctx)
    for name, function, scopes, admins_only, optional in STEPS[start:]:
        ctx.save_cursor(step=name)
        ctx.check_time()
        if admins_only and not ctx.is_admin:
            continue
        missing = missing_scopes(ctx.connection, *scopes)
        if missing and optional:
            ctx.warn(
                gettext("%(step)s not synced: the %(scopes)s scope is missing.")
                % {"step": name, "scopes": ", ".join(missing)}
            )
            continue
        ctx.report(name)
        try:
            function(ctx)
        except InsufficientScope as exc:
            if not optional:
                raise
            ctx.warn(gettext("%(step)s not synced: %(error)s") % {"step": name, "error": exc})
        ctx.done_unit()


def _close_interrupted(state: SyncState) -> None:
    """A run still marked running while we hold the lease died without finishing."""
    run = state.run
    if run is not None and run.status == SyncRun.Status.RUNNING:
        run.status = SyncRun.Status.INTERRUPTED
        run.finished_at = timezone.now()
        run.duration = run.finished_at - run.started_at
        run.error = gettext("The worker stopped before this run finished; a later run resumed it.")
        run.save(update_fields=["status", "finished_at", "duration", "error"])


def _skipped(connection: Connection, full: bool) -> SyncRun:
    holder = SyncState.objects.filter(connection=connection).values_list("run_id", flat=True)
    holder_id = next(iter(holder), None)
    now = timezone.now()
    message = gettext("Another sync of this connection is running (run #%(run)s).") % {
        "run": holder_id or "?"
    }
    logger.info("Calendly connection %s: %s", connection.pk, message)
    return SyncRun.objects.create(
        connection=connection,
        status=SyncRun.Status.SKIPPED,
        full=full,
        started_at=now,
        finished_at=now,
        duration=timedelta(0),
        error=message,
    )


def _record_error(run: SyncRun, exc: BaseException) -> None:
    run.error = str(exc) or type(exc).__name__
    run.error_type = type(exc).__name__


def _finish(ctx: SyncContext) -> None:
    """Write the run's figures and give the lease back (clearing the cursor if complete)."""
    run = ctx.run
    run.finished_at = timezone.now()
    run.duration = timedelta(seconds=time.monotonic() - ctx.started)
    run.counts = ctx.tally.as_dict()
    run.created = ctx.tally.total("created")
    run.updated = ctx.tally.total("updated")
    run.unchanged = ctx.tally.total("unchanged")
    run.removed = ctx.tally.total("removed")
    run.http_requests = ctx.requests.count
    run.pages = ctx.pages
    run.warnings = ctx.warnings
    changes: dict[str, Any] = {}
    if run.status == SyncRun.Status.SUCCEEDED:
        changes = {"cursor": {}, "last_success_at": run.finished_at}
        if run.full:
            changes["last_full_sync_at"] = run.finished_at
    try:
        run.save()
        ctx.lease.release(**changes)
    except Exception:
        logger.exception("Could not record the end of sync run %s", run.pk)
        raise
    logger.info(
        "Calendly sync of connection %s: %s (%s created, %s updated, %s unchanged, %s removed, "
        "%s requests, %.1f s)%s",
        ctx.connection.pk,
        run.status,
        run.created,
        run.updated,
        run.unchanged,
        run.removed,
        run.http_requests,
        run.duration.total_seconds(),
        f": {run.error}" if run.error else "",
    )
