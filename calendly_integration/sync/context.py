"""What the steps of one sync share: the client, who we are, counts, the cursor and the clock."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models

from calendly_integration.client import CalendlyClient
from calendly_integration.mirror.upsert import UpsertResult
from calendly_integration.models import CalendlyUser, Connection, SyncRun
from calendly_integration.sync.lease import Lease
from calendly_integration.sync.window import Window

KINDS = (
    "organizations",
    "users",
    "memberships",
    "event_types",
    "scheduled_events",
    "invitees",
    "routing_forms",
    "routing_form_submissions",
    "availability_schedules",
)


class SyncPaused(Exception):
    """The time limit was reached at a page boundary; the cursor says where to continue."""


@dataclass(frozen=True)
class SyncProgress:
    """What a progress display needs, sent after every page of events and at every step."""

    step: str
    pages: int
    events: int
    invitee_requests: int
    http_requests: int
    fraction: float | None = None


class Tally:
    """created/updated/unchanged/removed per kind of object."""

    def __init__(self) -> None:
        self.kinds: dict[str, Counter[str]] = {}

    def add(self, kind: str, **counts: int) -> None:
        self.kinds.setdefault(kind, Counter()).update(
            {name: value for name, value in counts.items() if value}
        )

    def add_result(self, kind: str, result: UpsertResult) -> None:
        self.add(
            kind,
            created=len(result.created),
            updated=len(result.updated),
            unchanged=len(result.unchanged),
        )

    def total(self, name: str) -> int:
        return sum(counter[name] for counter in self.kinds.values())

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {kind: dict(self.kinds[kind]) for kind in KINDS if kind in self.kinds}


class RequestCounter:
    """Counts the HTTP answers a client receives (retries included), via a ``requests`` hook."""

    def __init__(self, client: CalendlyClient) -> None:
        self.count = 0
        client.session.hooks["response"].append(self._hook)

    def _hook(self, response: Any, *args: Any, **kwargs: Any) -> Any:
        self.count += 1
        return response


@dataclass
class SyncContext:
    connection: Connection
    client: CalendlyClient
    run: SyncRun
    lease: Lease
    now: datetime
    full: bool
    window: Window
    cursor: dict[str, Any]
    requests: RequestCounter
    started: float = 0.0
    progress: Callable[[SyncProgress], None] | None = None
    deadline: float | None = None
    tally: Tally = field(default_factory=Tally)
    warnings: list[str] = field(default_factory=list)
    me_uri: str = ""
    organization_uri: str = ""
    organization_id: int | None = None
    is_admin: bool = False
    user_ids: dict[str, int] = field(default_factory=dict)
    event_type_ids: dict[str, int] = field(default_factory=dict)
    step: str = ""
    pages: int = 0
    events: int = 0
    invitee_requests: int = 0
    fraction: float | None = None
    units_done: int = 0

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def org_fields(self) -> dict[str, Any]:
        return {"organization_id": self.organization_id}

    def owned(self, model: type[models.Model]) -> models.QuerySet:
        """The rows of ``model`` this sync's listings can speak for: its organization's only.

        Every "no longer listed, so removed" query starts here (and narrows further for a
        member's own listings), so a sync of one organization never marks another's rows, nor
        the rows no organization owns yet, even when the same person is known in both.
        """
        if self.organization_id is None:
            raise RuntimeError("The sync's organization is not known yet.")
        return model._default_manager.filter(organization_id=self.organization_id)

    def load_user_ids(self) -> None:
        self.user_ids = dict(
            CalendlyUser.objects.filter(organization_id=self.organization_id).values_list(
                "uri", "id"
            )
        )

    def save_cursor(self, **changes: Any) -> None:
        """Record where the sync is (and renew the lease) in one UPDATE."""
        self.cursor.update(changes)
        self.lease.renew(cursor=self.cursor)

    def done_unit(self) -> None:
        """A step or a page of events is committed: the run has made progress."""
        self.units_done += 1

    def check_time(self) -> None:
        """Stop at a page boundary once the time limit has passed (the cursor is saved).

        A run always gets at least one step or page done first, so a run that keeps being
        stopped still moves forward.
        """
        if self.deadline is not None and self.units_done and time.monotonic() >= self.deadline:
            raise SyncPaused

    def report(self, step: str | None = None) -> None:
        if step is not None:
            self.step = step
        if self.progress is not None:
            self.progress(
                SyncProgress(
                    step=self.step,
                    pages=self.pages,
                    events=self.events,
                    invitee_requests=self.invitee_requests,
                    http_requests=self.requests.count,
                    fraction=self.fraction,
                )
            )
