"""``manage.py calendly_doctor [--verify] [--connection ID] [--json]``: is everything healthy?

Checks the settings, encryption keys, the django-q2 broker and schedules, and each connection's
token, scopes and webhook subscriptions; ``--verify`` also compares each connection's mirror with
Calendly and prints every difference. Exits 0 when all is well, 1 when a check failed or the
mirror differs (warnings alone do not fail).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from calendly_integration.doctor.diagnose import diagnose
from calendly_integration.doctor.report import render_json, render_text
from calendly_integration.models import Connection


class Command(BaseCommand):
    help = "Check the Calendly integration's health; --verify compares the mirror with Calendly."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--verify",
            action="store_true",
            help="Also compare each connection's mirror with what Calendly lists now.",
        )
        parser.add_argument(
            "--connection",
            type=int,
            metavar="ID",
            help="Check (and verify) only this connection.",
        )
        parser.add_argument("--json", action="store_true", help="Print a machine-readable report.")

    def handle(self, *args: Any, **options: Any) -> None:
        connections = Connection.objects.order_by("pk")
        if options["connection"] is not None:
            connections = connections.filter(pk=options["connection"])
            if not connections.exists():
                raise CommandError(
                    _("There is no Calendly connection with id %(id)s.")
                    % {"id": options["connection"]}
                )
        report = diagnose(connections, verify=options["verify"])
        self.stdout.write(render_json(report) if options["json"] else render_text(report))
        if not report.ok:
            raise SystemExit(1)
