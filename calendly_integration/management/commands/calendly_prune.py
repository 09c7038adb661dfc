"""``manage.py calendly_prune``: delete webhook deliveries and sync runs past their retention.

Deliveries older than ``DELIVERY_RETENTION_DAYS`` and finished sync runs older than
``SYNC_RUN_RETENTION_DAYS`` go (``--days`` overrides both). The daily schedules do the same; this
is for a first clean-up or a cron-only site.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from calendly_integration.tasks import prune_sync_runs
from calendly_integration.webhooks.retention import prune_deliveries


class Command(BaseCommand):
    help = "Delete webhook deliveries and sync runs older than their retention settings."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, help="Keep this many days instead of the settings.")

    def handle(self, *args: Any, days: int | None = None, **options: Any) -> None:
        deliveries = prune_deliveries(days)
        runs = prune_sync_runs(days)
        self.stdout.write(
            _("Deleted %(deliveries)s webhook deliveries and %(runs)s sync runs.")
            % {"deliveries": deliveries, "runs": runs}
        )
