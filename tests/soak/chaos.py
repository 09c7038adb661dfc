"""What happens to the stack while the soak runs: invitees acting at Calendly, and faults.

``Invitees`` books, cancels, reschedules and marks no-shows at the simulator for every tenant's
Calendly user, the way people on the other side of a booking page would; each action makes the
simulator send its webhooks. ``Faults`` breaks things: API answers (429 bursts, 5xx, read
timeouts, dropped connections), webhook deliveries (sent twice, sent out of order), and, once
each, a disabled subscription and a tenant whose tokens Calendly revoked. Every call counts what
it did, for the figures at the end.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from calendly_integration.testing.simulator import CalendlySimulator
from calendly_integration.testing.simulator.actions import ActionError
from calendly_integration.testing.simulator.timeutil import iso, parse_iso


@dataclass(frozen=True)
class Tenant:
    """A site user connected (OAuth) to one Calendly user of the simulated organization."""

    name: str
    user_uri: str
    connection_id: int


@dataclass
class Invitees:
    sim: CalendlySimulator
    tenants: list[Tenant]
    rng: random.Random
    applied: Counter = field(default_factory=Counter)

    def step(self) -> None:
        """One random action by an invitee of a random tenant."""
        tenant = self.rng.choice(self.tenants)
        action = self.rng.choices(
            (self.book, self.cancel, self.reschedule, self.no_show), weights=(4, 2, 2, 2)
        )[0]
        try:
            action(tenant)
        except (ActionError, LookupError):
            self.applied["refused"] += 1

    def _now(self) -> datetime:
        return self.sim.now()

    def _event_type(self, tenant: Tenant) -> dict[str, Any]:
        types = [
            et
            for et in self.sim.event_types_of(tenant.user_uri)
            if et["active"] and et["kind"] == "solo"
        ]
        if not types:
            raise LookupError("no bookable event type")
        return self.rng.choice(types)

    def _future_slot(self) -> datetime:
        day = self._now() + timedelta(days=self.rng.randint(1, 25))
        return day.replace(hour=self.rng.randint(8, 17), minute=0, second=0, microsecond=0)

    def _invitees(self, tenant: Tenant, *, past: bool) -> list[dict[str, Any]]:
        """Active invitees of the tenant's active events: upcoming, or started in the last day."""
        now = self._now()
        found = []
        for event in self.sim.events_of(tenant.user_uri):
            start = parse_iso(event["start_time"])
            wanted = (
                now - timedelta(hours=30) < start < now - timedelta(minutes=5)
                if past
                else now + timedelta(hours=2) < start < now + timedelta(days=28)
            )
            if wanted and event["status"] == "active":
                found += [
                    invitee
                    for invitee in self.sim.invitees_of(event["uri"])
                    if invitee["status"] == "active" and not invitee["no_show"]
                ]
        if not found:
            raise LookupError("no invitee to act on")
        return found

    def book(self, tenant: Tenant, start: datetime | None = None) -> str:
        number = self.applied["booking"] + 1
        uri = self.sim.book(
            self._event_type(tenant)["uri"],
            iso(start or self._future_slot()),
            f"Soak Invitee {number}",
            f"soak{number}@example.com",
        )
        self.applied["booking"] += 1
        return uri

    def cancel(self, tenant: Tenant, invitee_uri: str | None = None) -> None:
        uri = invitee_uri or self.rng.choice(self._invitees(tenant, past=False))["uri"]
        self.sim.cancel_invitee(
            uri, reason="Soak test", canceler=self.rng.choice(("invitee", "host"))
        )
        self.applied["cancellation"] += 1

    def reschedule(self, tenant: Tenant) -> None:
        invitee = self.rng.choice(self._invitees(tenant, past=False))
        self.sim.reschedule(invitee["uri"], iso(self._future_slot()))
        self.applied["reschedule"] += 1

    def no_show(self, tenant: Tenant) -> None:
        try:
            candidates = self._invitees(tenant, past=True)
        except LookupError:  # nobody met this tenant lately: someone books an hour ago
            start = (self._now() - timedelta(hours=1)).replace(second=0, microsecond=0)
            candidates = [{"uri": self.book(tenant, start)}]
        self.sim.mark_no_show(self.rng.choice(candidates)["uri"])
        self.applied["no_show"] += 1


@dataclass
class Faults:
    sim: CalendlySimulator
    invitees: Invitees
    rng: random.Random
    read_timeout: float
    injected: Counter = field(default_factory=Counter)

    def api_fault(self) -> None:
        """Queue one kind of failure for the next few API requests, whoever makes them."""
        kind = self.rng.choice(("429 burst", "5xx", "timeout", "dropped connection"))
        faults = self.sim.faults
        if kind == "429 burst":
            n = self.rng.randint(8, 20)
            faults.rate_limit_next(n, retry_after=self.rng.choice((1, 2, 3)))
        elif kind == "5xx":
            n = self.rng.randint(2, 5)
            faults.fail_next(n, status=self.rng.choice((500, 502, 503, 504)))
        elif kind == "timeout":
            n = self.rng.randint(1, 3)
            faults.slow_next(n, seconds=self.read_timeout + 1)
        else:
            n = self.rng.randint(1, 3)
            faults.drop_connection_next(n)
        self.injected[kind] += n

    def duplicate_deliveries(self) -> None:
        n = self.rng.randint(1, 3)
        self.sim.webhooks.duplicate_next(n)
        self.injected["duplicate delivery"] += n

    def reordered_deliveries(self) -> None:
        """A booking whose invitee.created arrives after its own invitee.canceled."""
        tenant = self.rng.choice(self.invitees.tenants)
        self.sim.webhooks.delay_next(1, seconds=1.5)
        try:
            uri = self.invitees.book(tenant)
        except LookupError:
            return
        self.invitees.cancel(tenant, uri)
        self.injected["reordered delivery"] += 1

    def disable_subscription(self, tenant: Tenant) -> str:
        """Calendly gives up on a subscription (as after 24 hours of failed deliveries)."""
        store = self.sim.store
        with store.lock:
            for hook in store.webhooks.values():
                if hook["user"] == tenant.user_uri and hook["state"] == "active":
                    hook["state"] = "disabled"
                    hook["updated_at"] = iso(self.sim.now())
                    self.injected["disabled subscription"] += 1
                    return str(hook["uri"])
        raise LookupError(f"{tenant.name} has no active subscription to disable")

    def revoke_tokens(self, tenant: Tenant) -> int:
        """The Calendly user disconnects the app: every token issued to them stops working."""
        uuid = tenant.user_uri.rsplit("/", 1)[1]
        tokens = self.sim.tokens
        with tokens.lock:
            mine = [t.token for t in tokens.access.values() if t.user_uuid == uuid]
        for token in mine:
            self.sim.revoke_token(token)
        self.injected["revoked token"] += 1
        return len(mine)

    def stop(self) -> None:
        """No more faults: clear what is still queued."""
        self.sim.faults.clear()
        self.sim.webhooks.clear_faults()
