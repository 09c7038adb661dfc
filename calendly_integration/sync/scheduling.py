"""The background sync scheduler: which connections one round queues, and how many.

Queuing every active connection every interval floods the queue (hundreds of tasks at once,
whatever the workers can take) and starts connections of one organization side by side. Instead
a round runs every ``SYNC_ROUND_MINUTES`` and queues only what is due, a bounded number at a time:

- **Due** means no complete sync in the last ``SYNC_INTERVAL_MINUTES`` (``SyncState.
  last_success_at``), no sync running (the lease), none queued and not started yet
  (``SyncState.queued_at``, set here and cleared by the lease claim) and no rate-limit wait
  pending (the state's run's ``retry_at``: the continuation scheduled for Calendly's reset runs
  it). A ``queued_at`` older than the interval counts as lost (a Redis broker drops the task of a
  killed worker) and the connection is due again.
- **Oldest first**: due connections are taken by ``last_success_at``, never-synced first, then by
  id, so a connection left out of a round is ahead of everyone who was synced since: none waits
  forever.
- **Bounded**: a round tops the waiting syncs up to ``round_size`` (``SYNC_ROUND_SIZE``, or by
  default twice the workers, or the connections divided by the rounds in an interval when that is
  more, so the default still syncs everyone once an interval). The queue never holds more than
  that, and because each connection becomes due an interval after *its* last sync, the rounds after
  the first pass stay spread over the interval by themselves.
- **Per organization**: a round does not queue a connection whose organization already has
  ``SYNC_MAX_PER_ORGANIZATION`` syncs running or waiting (connections without an organization
  are their own). This only avoids queuing work that would bounce; the cap itself is enforced when
  a sync starts, in the database (``lease``), since an on-connect sync can start outside a round.
  A connection whose sync waits for Calendly's reset is not due until an interval after that
  reset: its continuation (a one-off schedule) resumes it from its cursor, and a fresh sync
  queued beside it would list again on top of that cursor (``make bench-fleet``'s 2-organization
  smoke run lost an event that way).
  A sync waiting for Calendly's rate-limit reset holds no slot (nor room in the round): Calendly
  counts requests per user, so the organization's other users may sync meanwhile, and its
  continuation resumes without asking for a slot again (``tasks.run_sync``). Counting those
  waits made every organization's members queue behind its owner and admin: ``make bench-fleet``
  measured 2.66x the rate-limit floor with them counted.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import F, Q
from django.utils import timezone

from calendly_integration import queueing
from calendly_integration.conf import calendly_settings
from calendly_integration.models import Connection, SyncState


@dataclass
class Round:
    """What one round found and did."""

    size: int
    running: int
    waiting: int
    due: int
    queued: list[int] = field(default_factory=list)
    held_back: int = 0


def interval() -> timedelta:
    return timedelta(minutes=float(calendly_settings.SYNC_INTERVAL_MINUTES))


def round_size(active: int) -> int:
    """How many scheduled syncs may wait in the queue at once."""
    configured = int(calendly_settings.SYNC_ROUND_SIZE or 0)
    if configured > 0:
        return configured
    rounds_per_interval = max(
        float(calendly_settings.SYNC_INTERVAL_MINUTES)
        / float(calendly_settings.SYNC_ROUND_MINUTES),
        1.0,
    )
    return max(2 * queueing.worker_count(), math.ceil(active / rounds_per_interval), 1)


def organization_key(connection_id: int, organization_uri: str) -> str:
    """The group the per-organization cap counts in (a connection without one is its own)."""
    return organization_uri or f"connection:{connection_id}"


def plan_round(
    now: datetime | None = None, *, organization_uri: str | None = None, passing: int = 0
) -> Round:
    """Choose the connections this round queues (reads only); ``organization_uri`` keeps the
    choice to one organization's connections and ``passing`` leaves one out (``refill``)."""
    now = now or timezone.now()
    cap = int(calendly_settings.SYNC_MAX_PER_ORGANIZATION or 0)
    lost_before = now - interval()
    states = SyncState.objects.filter(connection__status=Connection.Status.ACTIVE)
    running = Counter(
        organization_key(pk, uri)
        for pk, uri in states.filter(locked_until__gt=now).values_list(
            "connection_id", "connection__organization_uri"
        )
    )
    waiting = Counter(
        organization_key(pk, uri)
        for pk, uri in states.filter(queued_at__gt=lost_before)
        .exclude(locked_until__gt=now)
        .exclude(run__retry_at__gt=now)
        .values_list("connection_id", "connection__organization_uri")
    )
    due = (
        Connection.objects.active()
        .exclude(sync_state__locked_until__gt=now)
        .exclude(sync_state__queued_at__gt=lost_before)
        .exclude(sync_state__last_success_at__gt=now - interval())
        .exclude(sync_state__run__retry_at__gt=now - interval())
        .filter(**({} if organization_uri is None else {"organization_uri": organization_uri}))
        .exclude(pk=passing)
        .order_by(F("sync_state__last_success_at").asc(nulls_first=True), "pk")
        .values_list("pk", "organization_uri")
    )
    active = Connection.objects.active().count()
    plan = Round(
        size=round_size(active),
        running=sum(running.values()),
        waiting=sum(waiting.values()),
        due=0,
    )
    room = plan.size - plan.waiting
    load = running + waiting
    for connection_id, organization_uri in due.iterator():
        plan.due += 1
        if len(plan.queued) >= room:
            continue
        key = organization_key(connection_id, organization_uri)
        if cap > 0 and load[key] >= cap:
            plan.held_back += 1
            continue
        load[key] += 1
        plan.queued.append(connection_id)
    return plan


def mark_queued(connection_ids: list[int], now: datetime | None = None) -> None:
    """Record that syncs of these connections wait in the queue (the claim clears it)."""
    if not connection_ids:
        return
    SyncState.objects.bulk_create(
        [SyncState(connection_id=pk) for pk in connection_ids], ignore_conflicts=True
    )
    SyncState.objects.filter(connection_id__in=connection_ids).update(
        queued_at=now or timezone.now()
    )


def claim_queue_slot(connection_id: int, now: datetime) -> bool:
    """Record that a sync of ``connection_id`` is queued, unless one is already queued or running.

    A conditional update, so of two schedulers choosing the same connection at once (a round and
    a refill, or rounds on two machines) exactly one queues it.
    """
    SyncState.objects.bulk_create([SyncState(connection_id=connection_id)], ignore_conflicts=True)
    free = Q(queued_at__isnull=True) | Q(queued_at__lte=now - interval())
    return bool(
        SyncState.objects.filter(free, connection_id=connection_id)
        .exclude(locked_until__gt=now)
        .update(queued_at=now)
    )


def _queue(plan: Round, now: datetime) -> Round:
    """Queue what ``plan`` chose, claiming each first: when tasks run inline, a sync claims its
    lease (clearing ``queued_at``) before ``queue_sync`` returns."""
    plan.queued = [pk for pk in plan.queued if claim_queue_slot(pk, now)]
    for connection_id in plan.queued:
        queueing.queue_sync(connection_id)
    return plan


def run_round(now: datetime | None = None) -> Round:
    """Plan a round and queue the chosen syncs. ``now`` lets an experiment replay rounds."""
    now = now or timezone.now()
    return _queue(plan_round(now), now)


def refill(organization_uri: str, *, after: int) -> Round | None:
    """Give a slot an organization's sync just freed (it ended, or waits for Calendly's reset)
    to that organization's next due connection now, rather than at the next round.

    Without it an organization syncs at most ``SYNC_MAX_PER_ORGANIZATION`` connections a round,
    however quickly they finish (``make bench-fleet``: members of every organization went 2 a
    minute). The connection whose sync ended (``after``) is not among them: one that failed
    waits for a round like any other rather than retrying in a loop. Not when tasks run inline:
    there the sync that ended would run the next one inside itself, and so on.
    """
    if not organization_uri or queueing.runs_inline():
        return None
    now = timezone.now()
    return _queue(plan_round(now, organization_uri=organization_uri, passing=after), now)


def hand_back(connection_id: int, *, full: bool = False) -> datetime:
    """A sync that found its organization at the cap runs again a round later (a one-off
    schedule, so a full sync stays full); it counts as waiting meanwhile. Returns when."""
    now = timezone.now()
    at = now + timedelta(minutes=float(calendly_settings.SYNC_ROUND_MINUTES))
    mark_queued([connection_id], now)
    queueing.schedule_sync(connection_id, full=full, at=at)
    return at
