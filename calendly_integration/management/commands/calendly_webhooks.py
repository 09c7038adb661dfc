"""``manage.py calendly_webhooks list | ensure | delete | replay``: webhooks from the command line.

- ``list``: our subscriptions (state, scope, connection, URI) and the delivery log's counts.
- ``ensure [--connection ID ...]``: create, check or heal subscriptions (all active connections
  by default), as the periodic check does, but now and in the foreground; it also brings back
  subscriptions deleted on purpose. Calendly's rate limit is waited out (the command says for
  how long and when it carries on), not reported as a failure.
- ``delete --connection ID ... | --all``: delete subscriptions at Calendly and here; the periodic
  check leaves them deleted until ``ensure`` (or the API or the admin) asks for them again.
- ``replay [--since 2h|3d|2026-11-01] [--status failed ...] [--id N ...]``: process stored
  deliveries again, in the foreground. Processing is idempotent: rows end as they would have;
  signals of a delivery processed before go out with ``replay=True``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from calendly_integration.exceptions import (
    CalendlyError,
    ConnectionUnusable,
    RateLimited,
    WebhooksNotConfigured,
)
from calendly_integration.management.rate_limits import (
    clock,
    resume_time,
    seconds_until,
    sleep_until,
)
from calendly_integration.models import Connection, WebhookDelivery, WebhookSubscription
from calendly_integration.services.webhooks import REPLAYABLE
from calendly_integration.webhooks.processing import process_delivery
from calendly_integration.webhooks.subscriptions import (
    delete_subscriptions,
    ensure_subscriptions,
    pause_subscriptions,
)

RELATIVE = re.compile(r"^(\d+)\s*([mhd])$")


def parse_since(value: str) -> datetime:
    """``30m``, ``2h``, ``3d`` ago, or an ISO date or datetime (UTC when naive)."""
    match = RELATIVE.match(value.strip())
    if match:
        amount, unit = int(match[1]), match[2]
        delta = {"m": timedelta(minutes=amount), "h": timedelta(hours=amount)}.get(
            unit, timedelta(days=amount)
        )
        return timezone.now() - delta
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise CommandError(
                _("--since takes 30m, 2h, 3d or an ISO date: %(value)s") % {"value": value}
            )
        moment = datetime(day.year, day.month, day.day)
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    return moment


class Command(BaseCommand):
    help = "List, ensure, delete Calendly webhook subscriptions, or replay stored deliveries."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("list", help="Our subscriptions and the delivery log's counts.")
        ensure = actions.add_parser("ensure", help="Create, check or heal subscriptions.")
        ensure.add_argument("--connection", type=int, action="append", default=[])
        delete = actions.add_parser("delete", help="Delete subscriptions at Calendly and here.")
        delete.add_argument("--connection", type=int, action="append", default=[])
        delete.add_argument("--all", action="store_true", help="Every connection's.")
        replay = actions.add_parser("replay", help="Process stored deliveries again.")
        replay.add_argument("--since", type=parse_since, help="30m, 2h, 3d or an ISO date.")
        replay.add_argument(
            "--status",
            action="append",
            choices=[str(s) for s in REPLAYABLE],
            help="Deliveries in this status (repeatable; default: failed).",
        )
        replay.add_argument("--id", type=int, action="append", default=[], dest="ids")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, f"do_{action}")(**options)

    def do_list(self, **options: Any) -> None:
        subscriptions = WebhookSubscription.objects.select_related("connection").order_by("pk")
        if not subscriptions:
            self.stdout.write(_("No webhook subscriptions."))
        for sub in subscriptions:
            self.stdout.write(
                f"#{sub.pk} {sub.state:<8} {sub.scope:<12} connection {sub.connection_id} "
                f"({sub.connection.email or sub.connection.calendly_user_uri}) "
                f"{sub.uri or '-'} events={','.join(sub.events)}"
            )
        counts = dict(
            WebhookDelivery.objects.values_list("status").annotate(n=Count("pk")).order_by()
        )
        summary = ", ".join(f"{status}={n}" for status, n in sorted(counts.items())) or "-"
        self.stdout.write(_("Deliveries: %(summary)s") % {"summary": summary})

    def do_ensure(self, connection: list[int], **options: Any) -> None:
        connections = Connection.objects.active()
        if connection:
            connections = connections.filter(pk__in=connection)
        failures = 0
        for conn in connections:
            try:
                ensured = self._ensure(conn)
            except WebhooksNotConfigured as exc:
                raise CommandError(str(exc)) from None
            except (CalendlyError, ConnectionUnusable) as exc:
                failures += 1
                self.stderr.write(f"connection {conn.pk}: {exc}")
                continue
            for sub in ensured:
                self.stdout.write(f"connection {conn.pk}: {sub.scope} {sub.state} {sub.uri}")
        if failures:
            raise CommandError(_("%(n)s connection(s) could not be ensured.") % {"n": failures})

    def _ensure(self, connection: Connection) -> list[WebhookSubscription]:
        """``ensure_subscriptions``, waiting for Calendly whenever its rate limit stops it."""
        while True:
            try:
                return ensure_subscriptions(connection)
            except RateLimited as exc:
                resume = resume_time(exc.retry_after)
                self.stdout.write(
                    _(
                        "connection %(pk)s: Calendly's rate limit; waiting %(seconds)s s, "
                        "continuing at %(time)s."
                    )
                    % {"pk": connection.pk, "seconds": seconds_until(resume), "time": clock(resume)}
                )
                sleep_until(resume)

    def do_delete(self, connection: list[int], all: bool, **options: Any) -> None:
        if not connection and not all:
            raise CommandError(_("Name connections with --connection, or pass --all."))
        ids = (  # every connection sharing a subscription, not only the one managing it
            Connection.objects.filter(webhook_subscriptions__isnull=False)
            .values_list("pk", flat=True)
            .distinct()
        )
        if connection:
            ids = ids.filter(pk__in=connection)
        total = 0
        for connection_id in list(ids):
            total += delete_subscriptions(connection_id)
            pause_subscriptions(connection_id)
        self.stdout.write(_("Deleted %(n)s subscription(s).") % {"n": total})

    def do_replay(
        self, since: datetime | None, status: list[str] | None, ids: list[int], **options: Any
    ) -> None:
        default = REPLAYABLE if ids else [WebhookDelivery.Status.FAILED]
        deliveries = WebhookDelivery.objects.filter(status__in=status or default)
        if since is not None:
            deliveries = deliveries.filter(received_at__gte=since)
        if ids:
            deliveries = deliveries.filter(pk__in=ids)
        results: dict[str, int] = {}
        for pk in deliveries.order_by("received_at", "pk").values_list("pk", flat=True):
            outcome = process_delivery(pk, force=True)
            results[outcome] = results.get(outcome, 0) + 1
        summary = ", ".join(f"{k}={v}" for k, v in sorted(results.items())) or "-"
        self.stdout.write(_("Replayed: %(summary)s") % {"summary": summary})
