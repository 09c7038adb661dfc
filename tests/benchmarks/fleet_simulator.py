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

A simulator without several organizations (no ``organizations=``) is emulated: one simulator per
organization (seeds ``seed``, ``seed + 1``, ...), each building its dataset under one shared
address, behind a router that hands each request to the simulator that issued its token. Each
still counts and limits its own users' requests, signs and sends its own webhooks.
"""

from __future__ import annotations

import argparse
import inspect
import json
import random
import signal
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from calendly_integration.testing.simulator import CalendlySimulator, dataset
from calendly_integration.testing.simulator.app import Application
from calendly_integration.testing.simulator.messages import Request, Response
from calendly_integration.testing.simulator.ratelimit import Budget, RateLimiter
from calendly_integration.testing.simulator.server import HttpServer
from calendly_integration.testing.simulator.state import Store
from calendly_integration.testing.simulator.timeutil import day_start, iso, parse_iso
from calendly_integration.testing.simulator.webhook_delivery import WebhookDispatcher

#: Whether the simulator serves several organizations itself.
MULTI = "organizations" in inspect.signature(CalendlySimulator).parameters


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
    """One organization as the benchmark sees it, with the simulator that serves it."""

    sim: CalendlySimulator
    uri: str
    name: str
    users: list[dict[str, str]]


class Router:
    """One address for several simulators, each serving one organization (the emulation).

    A request goes to the simulator that issued its bearer token (each simulator checks tokens,
    counts its users' requests and rate-limits them as usual); one without a known token goes
    to the first, which answers 401 as Calendly would.
    """

    def __init__(self, sims: list[CalendlySimulator]) -> None:
        self.sims = sims
        self.apps = {id(sim): Application(sim) for sim in sims}
        self.by_token: dict[str, CalendlySimulator] = {}

    def handle(self, request: Request) -> Response:
        _, _, token = (request.header("Authorization") or "").partition(" ")
        sim = self.by_token.get(token.strip(), self.sims[0])
        return self.apps[id(sim)].handle(request)


def emulate(args: argparse.Namespace) -> tuple[list[CalendlySimulator], Router, HttpServer]:
    """Several one-organization simulators (seeds ``seed``, ``seed + 1``, ...) behind one port.

    Each builds its dataset under the shared URL, so every URI it hands out (pagination links
    included) comes back to the router. Only used when the simulator has no ``organizations``.
    """
    sims = [
        CalendlySimulator(
            seed=args.seed + index,
            size=args.size,
            rate_limit_per_minute=args.rate_limit,
            webhook_signing_key=args.signing_key,
        )
        for index in range(args.organizations)
    ]
    router = Router(sims)
    server = HttpServer(router, "127.0.0.1", args.port)  # type: ignore[arg-type]
    url = f"http://127.0.0.1:{server.address[1]}"
    for sim in sims:
        sim.limiter = CountingLimiter(args.rate_limit)
        sim.url = url
        data = dataset.generate(sim.seed, sim.size, url, day_start(sim.now()))
        sim._store = Store(data, url, sim.seed)
        sim._webhooks = WebhookDispatcher(
            sim._store, sim.webhook_signing_key, sim.webhook_retry_delays, sim.now
        )
    server.start()
    return sims, router, server


def make_simulator(args: argparse.Namespace) -> CalendlySimulator:
    sim = CalendlySimulator(
        seed=args.seed,
        size=args.size,
        port=args.port,
        rate_limit_per_minute=args.rate_limit,
        webhook_signing_key=args.signing_key,
        **({"organizations": args.organizations} if MULTI else {}),
    )
    sim.limiter = CountingLimiter(args.rate_limit)
    return sim.start()


def organizations(sims: list[CalendlySimulator]) -> list[Org]:
    orgs = []
    for sim in sims:
        for org in getattr(sim, "organizations", None) or [sim]:
            uri = sim.organization_uri if org is sim else org.uri
            name = sim.store.organization.get("name", "") if org is sim else org.name
            people = [org.owner, org.admin, *org.members]
            users = [
                {"uri": u.uri, "uuid": u.uuid, "email": u.email, "name": u.name, "role": u.role}
                for u in people
            ]
            orgs.append(Org(sim, uri, name, users))
    return orgs


class Control:
    """What the benchmark asks of Calendly's side, one method per control endpoint."""

    def __init__(self, sims: list[CalendlySimulator], router: Router | None) -> None:
        self.sims = sims
        self.router = router
        self.orgs = organizations(sims)
        self.org_of = {u["uri"]: o for o in self.orgs for u in o.users}
        self.rng = random.Random(7)
        self.burst_count = 0

    def info(self, _: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.sims[0].url,
            "emulated": self.router is not None,
            "rate_limit_per_minute": self.sims[0].rate_limit_per_minute,
            "organizations": [{"uri": o.uri, "name": o.name, "users": o.users} for o in self.orgs],
        }

    def tokens(self, body: dict[str, Any]) -> dict[str, str]:
        issued = {}
        for uri in body["users"]:
            sim = self.org_of[uri].sim
            issued[uri] = sim.create_token(uri)
            if self.router is not None:
                self.router.by_token[issued[uri]] = sim
        return issued

    def reset_limits(self, body: dict[str, Any]) -> dict[str, Any]:
        """Open a fresh rate-limit window for every user and start counting from zero."""
        for sim in self.sims:
            sim.limiter.reset()
            sim.limiter.clear_counts()  # type: ignore[attr-defined]
        return {"rate_limit_per_minute": self.sims[0].rate_limit_per_minute}

    def set_rate_limit(self, body: dict[str, Any]) -> dict[str, Any]:
        for sim in self.sims:
            sim.rate_limit_per_minute = int(body["rate_limit"])
        return {"rate_limit_per_minute": self.sims[0].rate_limit_per_minute}

    def requests(self, _: dict[str, Any]) -> dict[str, Any]:
        """Requests charged per user key since the last reset: allowed, refused (429)."""
        allowed: Counter[str] = Counter()
        refused: Counter[str] = Counter()
        total = 0
        for sim in self.sims:
            limiter: CountingLimiter = sim.limiter  # type: ignore[assignment]
            with limiter._lock:
                allowed.update(limiter.allowed)
                refused.update(limiter.refused)
            with sim.requests_lock:
                total += len(sim.requests)
        return {"allowed": dict(allowed), "refused": dict(refused), "recorded_total": total}

    def counts(self, body: dict[str, Any]) -> dict[str, dict[str, int]]:
        """Scheduled events and invitees per organization (by host), as Calendly holds them,
        of the events starting in [``since``, ``until``) when given."""
        since, until = body.get("since"), body.get("until")
        result: dict[str, Counter[str]] = {o.uri: Counter() for o in self.orgs}
        for sim in self.sims:
            store = sim.store
            with store.lock:
                for uuid, event in store.events.items():
                    org = self.org_of.get(store.host_uri(event))
                    start = parse_iso(event["start_time"])
                    if org is None or (since and start < parse_iso(since)):
                        continue
                    if until and start >= parse_iso(until):
                        continue
                    result[org.uri]["events"] += 1
                    result[org.uri]["invitees"] += len(store.event_invitees.get(uuid, []))
        return {org: dict(counter) for org, counter in result.items()}

    def burst(self, body: dict[str, Any]) -> dict[str, Any]:
        """For every organization, invitees book ``book`` meetings and cancel ``cancel`` of
        them, hosted by the connected users (``hosts``); the simulator sends the webhooks."""
        applied: Counter[str] = Counter()
        uris: list[str] = []
        wanted = set(body["hosts"])
        for org in self.orgs:
            sim = org.sim
            hosts = [u["uri"] for u in org.users if u["uri"] in wanted]
            booked = []
            for _ in range(int(body.get("book", 5)) if hosts else 0):
                host = self.rng.choice(hosts)
                types = [
                    et for et in sim.event_types_of(host) if et["active"] and et["kind"] == "solo"
                ]
                if not types:
                    applied["no bookable type"] += 1
                    continue
                self.burst_count += 1
                n = self.burst_count
                day = sim.now() + timedelta(days=self.rng.randint(2, 40))
                start = day.replace(hour=self.rng.randint(8, 17), minute=0, second=0, microsecond=0)
                try:
                    uri = sim.book(
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
                sim.cancel_invitee(uri, reason="Fleet benchmark", canceler="invitee")
                applied["canceled"] += 1
            uris += booked
        return {"applied": dict(applied), "invitees": uris}

    def invitee_statuses(self, body: dict[str, Any]) -> dict[str, str | None]:
        found: dict[str, str | None] = {}
        for uri in body["invitees"]:
            rows = [sim.get(uri) for sim in self.sims]
            found[uri] = next((row.get("status") for row in rows if row), None)
        return found

    def deliveries(self, body: dict[str, Any]) -> dict[str, Any]:
        """Webhook attempts so far (after waiting up to ``wait`` seconds for the queues)."""
        deadline = time.monotonic() + float(body.get("wait", 0))
        drained = all(
            sim.wait_for_deliveries(timeout=max(0.1, deadline - time.monotonic()))
            for sim in self.sims
        )
        attempts = [a for sim in self.sims for a in sim.deliveries]
        return {
            "drained": drained,
            "attempts": len(attempts),
            "ok": sum(a.ok for a in attempts),
            "retries": sum(a.attempt > 1 for a in attempts),
            "ok_by_event": dict(Counter(a.event for a in attempts if a.ok)),
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
    if MULTI or args.organizations == 1:
        sims, router, server = [make_simulator(args)], None, None
    else:
        sims, router, server = emulate(args)
    control = serve_control(Control(sims, router), args.control_port)
    how = "emulated by one simulator each" if router else "in one simulator"
    print(f"simulator {sims[0].url}, {args.organizations} organization(s) {how}", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        control.shutdown()
        if server is not None:
            server.stop()
        for sim in sims:
            sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
