"""``manage.py calendly_simulator``: serve the Calendly simulator for the offline demo.

Prints what a developer needs to point the site at it (URL, OAuth client, a ready personal
access token for the owner) and serves until Ctrl-C or SIGTERM, then stops cleanly. With
``--organizations N`` it seeds N organizations and prints one owner token for each.
"""

from __future__ import annotations

import argparse
import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from calendly_integration.testing.simulator import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    CalendlySimulator,
)
from calendly_integration.testing.simulator.dataset import SIZES

#: How the owner tokens of the second and later organizations are printed (the demo reads them).
EXTRA_TOKEN_LINE = "Personal access token (owner of organization {index}, {name}): {token}"


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


class Command(BaseCommand):
    help = "Serve the built-in Calendly simulator (API and OAuth) until interrupted."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--size", choices=tuple(SIZES), default="demo")
        parser.add_argument(
            "--organizations",
            type=positive_int,
            default=1,
            help="How many Calendly organizations to seed (each with its own users and events).",
        )
        parser.add_argument("--rate-limit", type=int, default=500, help="Requests per user/min.")
        parser.add_argument(
            "--validate", action="store_true", help="Check traffic against the OpenAPI spec."
        )
        parser.add_argument(
            "--signing-key",
            default="demo-signing-key",
            help="The app's webhook signing key (CALENDLY WEBHOOK_SIGNING_KEY).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()

        previous = signal.signal(signal.SIGTERM, on_signal)
        sim = CalendlySimulator(
            seed=options["seed"],
            size=options["size"],
            host=options["host"],
            port=options["port"],
            rate_limit_per_minute=options["rate_limit"],
            validate=options["validate"],
            webhook_signing_key=options["signing_key"],
            organizations=options["organizations"],
        ).start()
        try:
            token = sim.create_token()
            self.stdout.write(f"Calendly simulator running at {sim.url}")
            self.stdout.write(f"  API base URL and OAuth base URL: {sim.url}")
            self.stdout.write(f"  OAuth client id: {DEFAULT_CLIENT_ID}")
            self.stdout.write(f"  OAuth client secret: {DEFAULT_CLIENT_SECRET}")
            self.stdout.write(f"  Webhook signing key: {sim.webhook_signing_key}")
            self.stdout.write(f"  Organization: {sim.organization_uri}")
            self.stdout.write(f"  Owner: {sim.owner.name} <{sim.owner.email}>")
            self.stdout.write(f"  Personal access token (owner): {token}")
            for index, organization in enumerate(sim.organizations[1:], start=2):
                self.stdout.write(f"  Organization {index}: {organization.name} {organization.uri}")
                self.stdout.write(
                    "  "
                    + EXTRA_TOKEN_LINE.format(
                        index=index,
                        name=organization.name,
                        token=sim.create_token(organization.owner.uri),
                    )
                )
            self.stdout.write("Press Ctrl-C to stop.")
            self.stdout.flush()
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            sim.stop()
            signal.signal(signal.SIGTERM, previous)
            violations = sim.spec_violations
            if violations:
                self.stderr.write(f"{len(violations)} spec violation(s):")
                for violation in violations:
                    self.stderr.write(f"  {violation}")
            self.stdout.write("Calendly simulator stopped.")
