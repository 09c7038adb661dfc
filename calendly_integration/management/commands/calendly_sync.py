"""``manage.py calendly_sync``: sync connections now, in this process, with a progress bar.

    manage.py calendly_sync --all                      # every active connection, usual window
    manage.py calendly_sync --connection 3 --full      # all of connection 3's history
    manage.py calendly_sync --connection 3 --since 2026-01-01 --until 2026-03-31

The same engine as the background task, with the same lease: while the queue is syncing a
connection this command says so and moves on. When Calendly's rate limit stops a sync, the command
says how long Calendly asked it to wait and when the sync resumes, waits, and resumes it from the
last saved page (``--no-wait`` stops instead, and says when running it again will get further).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext

from calendly_integration.management.rate_limits import clock, seconds_until, sleep_until
from calendly_integration.models import Connection, SyncRun
from calendly_integration.sync import sync_connection
from calendly_integration.sync.progress import ProgressBar


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(gettext("Not a YYYY-MM-DD date: %(value)s") % {"value": value}) from None


class Command(BaseCommand):
    help = "Sync Calendly data of one or every connection now."

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument(
            "--connection", type=int, action="append", metavar="ID", help="A connection id."
        )
        which.add_argument("--all", action="store_true", help="Every active connection.")
        parser.add_argument("--full", action="store_true", help="All history, not the window.")
        parser.add_argument("--since", help="First day of events to sync (YYYY-MM-DD).")
        parser.add_argument("--until", help="Last day of events to sync (YYYY-MM-DD).")
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar even on a terminal."
        )
        parser.add_argument(
            "--no-wait",
            action="store_true",
            help="Stop at Calendly's rate limit instead of waiting for it to reset.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        since = _date(options["since"]) if options["since"] else None
        until = _date(options["until"]) if options["until"] else None
        if options["full"] and (since or until):
            raise CommandError(gettext("--full takes all history; leave out --since/--until."))
        if since and until and until < since:
            raise CommandError(gettext("--until must not be before --since."))
        connections = self._connections(options)
        runs = []
        for connection in connections:
            runs.append(self._sync(connection, options, since, until))
        failed = [run for run in runs if run.status in (SyncRun.Status.FAILED,)]
        self.stdout.write(
            gettext("%(n)s connection(s) synced: %(ok)s complete, %(failed)s failed.")
            % {
                "n": len(runs),
                "ok": sum(run.status == SyncRun.Status.SUCCEEDED for run in runs),
                "failed": len(failed),
            }
        )
        if failed:
            raise CommandError(gettext("Some syncs failed; see the errors above."))

    def _connections(self, options: dict[str, Any]) -> list[Connection]:
        if options["all"]:
            connections = list(Connection.objects.active().order_by("pk"))
            if not connections:
                self.stdout.write(gettext("No active connections."))
            return connections
        ids = options["connection"]
        found = {c.pk: c for c in Connection.objects.filter(pk__in=ids)}
        missing = [str(pk) for pk in ids if pk not in found]
        if missing:
            raise CommandError(
                gettext("No connection with id %(ids)s.") % {"ids": ", ".join(missing)}
            )
        return [found[pk] for pk in ids]

    def _sync(
        self,
        connection: Connection,
        options: dict[str, Any],
        since: date | None,
        until: date | None,
    ) -> SyncRun:
        """Sync one connection to the end, waiting out rate limits unless ``--no-wait``."""
        while True:
            bar = ProgressBar(
                self.stdout,
                label=f"#{connection.pk}",
                enabled=False if options["no_progress"] else None,
            )
            try:
                run = sync_connection(
                    connection.pk, full=options["full"], since=since, until=until, progress=bar
                )
            finally:
                bar.close()
            self._report(connection, run)
            if run.status != SyncRun.Status.RATE_LIMITED or run.retry_at is None:
                return run
            if options["no_wait"]:
                self.stdout.write(
                    gettext(
                        "  Calendly takes requests again in %(seconds)s s, at %(time)s: run this "
                        "command again then and it continues where it stopped."
                    )
                    % {"seconds": seconds_until(run.retry_at), "time": clock(run.retry_at)}
                )
                return run
            self.stdout.write(
                gettext("  Waiting %(seconds)s s for Calendly; the sync resumes at %(time)s.")
                % {"seconds": seconds_until(run.retry_at), "time": clock(run.retry_at)}
            )
            sleep_until(run.retry_at)

    def _report(self, connection: Connection, run: SyncRun) -> None:
        style = {
            SyncRun.Status.SUCCEEDED: self.style.SUCCESS,
            SyncRun.Status.FAILED: self.style.ERROR,
        }.get(run.status, self.style.WARNING)
        seconds = run.duration.total_seconds() if run.duration else 0.0
        headline = (
            gettext(
                "Connection %(pk)s (%(who)s): stopped by Calendly's rate limit after %(seconds).1f s"
            )
            if run.status == SyncRun.Status.RATE_LIMITED
            else gettext("Connection %(pk)s (%(who)s): %(status)s in %(seconds).1f s")
        )
        self.stdout.write(
            style(
                headline
                % {
                    "pk": connection.pk,
                    "who": connection.name or connection.email or connection.calendly_user_uri,
                    "status": run.get_status_display(),
                    "seconds": seconds,
                }
            )
        )
        if run.status == SyncRun.Status.SKIPPED:
            self.stdout.write(f"  {run.error}")
            return
        self.stdout.write(
            "  "
            + gettext(
                "%(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
                "%(removed)s removed; %(requests)s HTTP requests, %(pages)s pages of events"
            )
            % {
                "created": run.created,
                "updated": run.updated,
                "unchanged": run.unchanged,
                "removed": run.removed,
                "requests": run.http_requests,
                "pages": run.pages,
            }
        )
        for kind, counts in run.counts.items():
            shown = ", ".join(f"{name} {value}" for name, value in sorted(counts.items()))
            self.stdout.write(f"    {kind}: {shown}")
        for warning in run.warnings:
            self.stdout.write(self.style.WARNING(f"  {warning}"))
        if run.error and run.status != SyncRun.Status.RATE_LIMITED:
            self.stdout.write(self.style.ERROR(f"  {run.error_type}: {run.error}"))
