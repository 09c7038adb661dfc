"""Connection health for the dashboard: what needs a human, worst first.

One row per connection the user may see, built from a fixed number of queries (connections with
their sync state and last run, their subscriptions, and failed-delivery counts), whatever the
number of connections.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from calendly_integration.models import Connection, SyncRun, SyncState, WebhookSubscription

PROBLEM_RUNS = (SyncRun.Status.FAILED, SyncRun.Status.INTERRUPTED, SyncRun.Status.RATE_LIMITED)


@dataclass
class ConnectionHealth:
    connection: Connection
    problems: list[str] = field(default_factory=list)
    subscriptions: list[WebhookSubscription] = field(default_factory=list)
    last_success_at: datetime | None = None
    last_run: SyncRun | None = None
    failed_deliveries: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def connection_health(
    connections: QuerySet[Connection], *, now: datetime | None = None
) -> list[ConnectionHealth]:
    """Health of every connection in ``connections`` (annotated with ``failed_total``)."""
    now = now or timezone.now()
    rows = []
    for connection in connections.select_related("owner", "sync_state", "sync_state__run"):
        rows.append(_health(connection, now))
    rows.sort(key=lambda row: (row.ok, row.connection.is_revoked, -len(row.problems)))
    return rows


def _health(connection: Connection, now: datetime) -> ConnectionHealth:
    state = _state(connection)
    health = ConnectionHealth(
        connection=connection,
        subscriptions=list(connection.webhook_subscriptions.all()),
        last_success_at=state.last_success_at if state else None,
        last_run=state.run if state else None,
        failed_deliveries=getattr(connection, "failed_total", 0),
    )
    if connection.is_revoked:
        return health
    if connection.needs_reauth:
        health.problems.append(gettext("needs reconnecting"))
    elif connection.last_error and connection.expires_at and connection.expires_at <= now:
        health.problems.append(
            gettext("token refresh failing: %(error)s") % {"error": connection.last_error[:120]}
        )
    if not health.subscriptions:
        health.problems.append(gettext("no webhook subscription"))
    elif any(not s.is_active for s in health.subscriptions):
        health.problems.append(gettext("webhook subscription not active"))
    if health.last_run is not None and health.last_run.status in PROBLEM_RUNS:
        health.problems.append(
            gettext("last sync: %(status)s") % {"status": health.last_run.get_status_display()}
        )
    elif state is None or state.last_success_at is None:
        health.problems.append(gettext("never synced"))
    if health.failed_deliveries:
        health.problems.append(gettext("failed webhook deliveries"))
    return health


def _state(connection: Connection) -> SyncState | None:
    try:
        return connection.sync_state
    except SyncState.DoesNotExist:
        return None
