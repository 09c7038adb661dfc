"""The fleet benchmark's Calendly: the simulator in a process of its own, with a control port.

    python -m tests.benchmarks.fleet_simulator --organizations 20 --size fleet --rate-limit 500

Calendly is another machine, so the simulator gets its own process (and its own core time): the
site, the workers and the benchmark reach its API over loopback HTTP like they would Calendly's.
The benchmark also needs what only Calendly knows (who the users are, a token for each, how many
requests each user spent, how many events each organization holds) and to act as invitees
(book, cancel: the simulator then sends its signed webhooks). That goes through a second, small
JSON port, so nothing but HTTP crosses between the processes.

Per-user request counts come from the simulator's own rate limiter, counted as it charges each
request to a user (allowed or refused with a 429): the same key Calendly's limit is kept by.

A simulator without several organizations (``organizations=``) serves one; the benchmark then
runs with one organization.
"""

from __future__ import annotations

import argparse
import inspect
import json
import random
import signal
import sys
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from calendly_integration.testing.simulator import CalendlySimulator
from calendly_integration.testing.simulator.ratelimit import Budget, RateLimiter
from calendly_integration.testing.simulator.timeutil import iso


class CountingLimiter(RateLimiter):
    """Calendly's per-user budget, unchanged, that also counts what it charged to whom."""

    def __init__(self, limit_per_minute: int) -> None:
        super().__init__(limit_per_minute)
        self.allowed: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()

    def hit(self, key: str) -> Budget:
        budget = super().hit(key)
        with self._lock:
            (self.allowed if budget.allowed else self.refused)[key] += 1
        return budget

    def clear_counts(self) -> None:
        with self._lock:
            self.allowed.clear()
            self.refused.clear()


@dataclass(frozen=True)
class Org:
    uri: str
    name: str
    users: list[dict[str, str]]


def make_simulator(args: argparse.Namespace) -> CalendlySimulator:
    options: dict[str, Any] = {
        "seed": args.seed,
        "size": args.size,
        "port": args.port,
        "rate_limit_per_minute": args.rate_limit,
        "webhook_signing_key": args.signing_key,
    }
    if "organizations" in inspect.signature(CalendlySimulator).parameters:
        options["organizations"] = args.organizations
    elif args.organizations != 1:
        sys.exit("this simulator has one organization: run with --organizations 1")
    sim = CalendlySimulator(**options)
    sim.limiter = CountingLimiter(args.rate_limit)
    # Deliveries that fail are retried soon, as Calendly does, but not for long.
    return sim.start()


def organizations(sim: CalendlySimulator) -> list[Org]:
    found = getattr(sim, "organizations", None)
    if found is None:
        found = [sim]  # one organization: the simulator's own properties describe it
    orgs = []
    for org in found:
        uri = getattr(org, "uri", None) or sim.organization_uri
        name = getattr(org, "name", None) or sim.store.organization.get("name", "")
        people = [org.owner, org.admin, *org.members]
        users = [
            {"uri": u.uri, "uuid": u.uuid, "email": u.email, "name": u.name, "role": u.role}
            for u in people
        ]
        orgs.append(Org(uri, name, users))
    return orgs


class Control:
    """What the benchmark asks of Calendly's side, one method per control endpoint."""

    def __init__(self, sim: CalendlySimulator) -> None:
        self.sim = sim
        self.orgs = organizations(sim)
        self.org_of = {u["uri"]: o.uri for o in self.orgs for u in o.users}
        self.rng = random.Random(7)
        self.burst_count = 0

    @property
    def limiter(self) -> CountingLimiter:
        return self.sim.limiter  # type: ignore[return-value]

    def info(self, _: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.sim.url,
            "rate_limit_per_minute": self.sim.rate_limit_per_minute,
            "organizations": [{"uri": o.uri, "name": o.name, "users": o.users} for o in self.orgs],
        }

    def tokens(self, body: dict[str, Any]) -> dict[str, str]:
        return {uri: self.sim.create_token(uri) for uri in body["users"]}

    def reset_limits(self, body: dict[str, Any]) -> dict[str, Any]:
        """Open a fresh rate-limit window for every user and start counting from zero."""
        self.limiter.reset()
        self.limiter.clear_counts()
        if body.get("rate_limit"):
            self.sim.rate_limit_per_minute = int(body["rate_limit"])
        return {"rate_limit_per_minute": self.sim.rate_limit_per_minute}

    def set_rate_limit(self, body: dict[str, Any]) -> dict[str, Any]:
        self.sim.rate_limit_per_minute = int(body["rate_limit"])
        return {"rate_limit_per_minute": self.sim.rate_limit_per_minute}

    def requests(self, _: dict[str, Any]) -> dict[str, Any]:
        """Requests charged per user (uuid) since the last reset: allowed, refused (429)."""
        with self.limiter._lock:
            allowed = dict(self.limiter.allowed)
            refused = dict(self.limiter.refused)
        with self.sim.requests_lock:
            total = len(self.sim.requests)
        return {"allowed": allowed, "refused": refused, "recorded_total": total}

    def counts(self, _: dict[str, Any]) -> dict[str, dict[str, int]]:
        """Scheduled events and invitees per organization (by host), as Calendly holds them."""
        store = self.sim.store
        result: dict[str, Counter[str]] = {o.uri: Counter() for o in self.orgs}
        with store.lock:
            for uuid, event in store.events.items():
                org = self.org_of.get(store.host_uri(event))
                if org is None:
                    continue
                result[org]["events"] += 1
                result[org][f"events_{event['status']}"] += 1
                invitees = store.event_invitees.get(uuid, [])
                result[org]["invitees"] += len(invitees)
        return {org: dict(counter) for org, counter in result.items()}

    def burst(self, body: dict[str, Any]) -> dict[str, Any]:
        """For every organization, invitees book ``book`` meetings and cancel ``cancel`` of
        them, hosted by the connected users (``hosts``); the simulator sends the webhooks."""
        applied: Counter[str] = Counter()
        uris: list[str] = []
        now = self.sim.now()
        for org in self.orgs:
            hosts = [u["uri"] for u in org.users if u["uri"] in set(body["hosts"])]
            if not hosts:
                continue
            booked = []
            for _ in range(int(body.get("book", 5))):
                host = self.rng.choice(hosts)
                types = [
                    et
                    for et in self.sim.event_types_of(host)
                    if et["active"] and et["kind"] == "solo"
                ]
                if not types:
                    applied["no bookable type"] += 1
                    continue
                self.burst_count += 1
                n = self.burst_count
                day = now + timedelta(days=self.rng.randint(2, 40))
                start = day.replace(hour=self.rng.randint(8, 17), minute=0, second=0, microsecond=0)
                try:
                    uri = self.sim.book(
                        self.rng.choice(types)["uri"],
                        iso(start),
                        f"Fleet Invitee {n}",
                        f"fleet{n}@example.com",
                    )
                except ValueError:
                    applied["refused"] += 1
                    continue
                booked.append(uri)
                applied["booked"] += 1
            for uri in booked[: int(body.get("cancel", 2))]:
                self.sim.cancel_invitee(uri, reason="Fleet benchmark", canceler="invitee")
                applied["canceled"] += 1
            uris += booked
        return {"applied": dict(applied), "invitees": uris}

    def invitee_statuses(self, body: dict[str, Any]) -> dict[str, str | None]:
        found = {uri: self.sim.get(uri) for uri in body["invitees"]}
        return {uri: (row or {}).get("status") for uri, row in found.items()}

    def deliveries(self, body: dict[str, Any]) -> dict[str, Any]:
        """Webhook attempts so far (after waiting up to ``wait`` seconds for the queue)."""
        drained = self.sim.wait_for_deliveries(timeout=float(body.get("wait", 0)))
        attempts = self.sim.deliveries
        return {
            "drained": drained,
            "attempts": len(attempts),
            "ok": sum(a.ok for a in attempts),
            "retries": sum(a.attempt > 1 for a in attempts),
            "ok_by_event": dict(Counter(a.event for a in attempts if a.ok)),
            "distinct_ok": len({a.body for a in attempts if a.ok}),
        }


def serve_control(control: Control, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            name = self.path.strip("/")
            method = getattr(control, name, None)
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
                if method is None or name.startswith("_"):
                    raise LookupError(name)
                data, status = json.dumps(method(body)).encode(), 200
            except Exception as exc:  # the benchmark reads the message
                data, status = json.dumps({"error": repr(exc)}).encode(), 500
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organizations", type=int, default=1)
    parser.add_argument("--size", default="small")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--control-port", type=int, required=True)
    parser.add_argument("--rate-limit", type=int, default=500, help="Requests per user/minute.")
    parser.add_argument("--signing-key", default="fleet-signing-key")
    args = parser.parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    sim = make_simulator(args)
    control = serve_control(Control(sim), args.control_port)
    print(f"simulator {sim.url} control 127.0.0.1:{args.control_port}", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        control.shutdown()
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
