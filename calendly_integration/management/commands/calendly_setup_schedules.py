"""``manage.py calendly_setup_schedules``: create (or update) the periodic django-q2 schedules.

Idempotent: run it on every deploy. It syncs every connection every ``SYNC_INTERVAL_MINUTES``,
checks tokens every ``TOKEN_CHECK_INTERVAL_MINUTES``, prunes old sync runs daily, and sets up the
webhook schedules (retries, subscription checks, pruning the delivery log). New schedules start a
few minutes apart, so their first runs do not all call Calendly in the same rate-limit window.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext

from calendly_integration.management.rate_limits import clock
from calendly_integration.tasks import ensure_schedules, ensure_webhook_schedules


class Command(BaseCommand):
    help = "Create or update the Calendly integration's periodic django-q2 schedules."

    def handle(self, *args: Any, **options: Any) -> None:
        for schedule, created in [*ensure_schedules(), *ensure_webhook_schedules()]:
            every = (
                gettext("every %(n)s minutes") % {"n": schedule.minutes}
                if schedule.minutes
                else schedule.get_schedule_type_display().lower()
            )
            verb = (
                gettext("created, first run at %(time)s") % {"time": clock(schedule.next_run)}
                if created
                else gettext("up to date")
            )
            self.stdout.write(f"{schedule.name}: {schedule.func}, {every} ({verb})")
