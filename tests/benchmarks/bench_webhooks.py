"""Benchmark: the webhook receiver against a view that makes one query, same server, same run.

    .venv/bin/python tests/benchmarks/bench_webhooks.py            # SQLite file, ORM broker
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python tests/benchmarks/bench_webhooks.py --server gevent   # PostgreSQL, Redis

One server serves every endpoint with the same settings (``webhook_settings``), chosen by
``--server``: ``gthread`` (gunicorn, a worker per core, 8 threads each; the target's server),
``gevent`` (gunicorn's gevent worker) or ``uvicorn`` (the ASGI application, a worker per core).
Under gevent and uvicorn every request opens its own database connection (see the settings).

The script migrates a scratch database (a temporary SQLite file, or a throwaway PostgreSQL
database next to the one ``DATABASE_URL`` names), makes one subscription, then sends, over
``--clients`` keep-alive connections on loopback (``loadgen``: one client thread, every request
built before the clock starts, a few hundredths of a millisecond of client CPU per request),
``--requests`` POSTs to each of four endpoints:

- ``bare view``: answers 200 and nothing else;
- ``one query``: also runs ``SELECT 1``, the least any view that stores something pays (the
  target's baseline);
- ``receiver``: the app's receiver, as a site serves it (the hand-made INSERT shared by the
  deliveries of the moment, ``webhooks.batching``);
- ``orm receiver``: the same view class storing through ``WebhookDelivery.objects.create``
  (``orm_store``), with the same guarantees.

Each receiver gets distinct, correctly signed deliveries; it stores each and wakes processing (no
worker runs, so the queue only fills). The endpoints alternate in ``--slices`` slices, each slice
starting with the next endpoint, so all meet the same background load; that is repeated
``--rounds`` times. Reported per round: requests per second, p50 and p99 latency, the server
processes' CPU per request; then the median over the rounds of each throughput ratio. The
lost-delivery check, for both receivers, each round: every answer 200, every delivery sent stored
once, as ``received``, and a processing task queued. Exit status 1 on a lost delivery, 2 when
receiver/one-query is under 0.5 (the target).

Method for figures to quote: the ratios come from one run, so background load (other processes
on the machine, which on a 2-core machine is most of the noise) weighs on every endpoint alike;
still, a busy machine moves them by +-0.1 from run to run. Run each server at least twice
(``--json`` keeps the figures), quote the median of the runs' medians, and say how busy the
machine was.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks import loadgen  # noqa: E402
from tests.benchmarks.loadgen import Result, build_request  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def scratch_database(url: str) -> tuple[str, callable]:
    """A database URL for this run and a function that removes it afterwards."""
    if not url.startswith("postgres"):
        folder = tempfile.mkdtemp(prefix="calendly-bench-")
        return f"sqlite:///{folder}/bench.sqlite3", lambda: shutil.rmtree(folder, True)
    import psycopg

    name = f"calendly_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(url)

    def drop() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunsplit(parts._replace(path=f"/{name}")), drop


def prepare() -> str:
    """Migrate, create one subscription; return the receiver's path."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.urls import reverse

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    from calendly_integration.models import Connection, WebhookSubscription

    user = get_user_model().objects.create_user("bench")
    connection = Connection.objects.create(
        owner=user, calendly_user_uri="https://api.calendly.com/users/BENCH"
    )
    subscription = WebhookSubscription.objects.create(
        connection=connection,
        callback_url="http://127.0.0.1/",
        state="active",
        uri="https://api.calendly.com/webhook_subscriptions/BENCH",
    )
    return reverse("calendly_integration:webhook", kwargs={"token": subscription.token})


def deliveries(count: int, run: str) -> list[bytes]:
    bodies = []
    for n in range(count):
        envelope = {
            "event": "invitee.created",
            "created_at": f"2026-11-24T15:00:00.{n:06d}Z",
            "created_by": "https://api.calendly.com/users/BENCH",
            "payload": {
                "uri": f"https://api.calendly.com/scheduled_events/{run}/invitees/{n}",
                "event": f"https://api.calendly.com/scheduled_events/{run}",
                "status": "active",
                "name": "Bench Invitee",
                "email": "bench@example.com",
                "updated_at": "2026-11-24T15:00:00.000000Z",
            },
        }
        bodies.append(json.dumps(envelope).encode())
    return bodies


def signed_requests(path: str, bodies: list[bytes], key: str | None) -> list[bytes]:
    """The raw HTTP requests: each body POSTed as JSON, signed when ``key`` is given (now)."""
    from calendly_integration.webhooks.signature import signature_header

    return [
        build_request(
            "POST",
            path,
            body=body,
            headers=[("Content-Type", "application/json")]
            + ([("Calendly-Webhook-Signature", signature_header(body, key))] if key else []),
        )
        for body in bodies
    ]


def worker_cpu(master: int) -> float:
    """CPU seconds used so far by the gunicorn master's worker processes (Linux /proc)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return 0.0
    for pid in children:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def load(
    name: str, port: int, path: str, bodies: list[bytes], clients: int, key: str | None, master: int
) -> Result:
    """POST every body once from ``clients`` connections; time each request."""
    requests = signed_requests(path, bodies, key)
    before = worker_cpu(master)
    result = loadgen.run(name, port, requests, clients)
    result.server_cpu = worker_cpu(master) - before
    return result


def combined(parts: list[Result]) -> Result:
    """One endpoint's slices of a round as one result (requests over the summed seconds)."""
    statuses: dict[int, int] = {}
    for part in parts:
        for status, count in part.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    result = Result(
        parts[0].name,
        sum(p.sent for p in parts),
        sum(p.seconds for p in parts),
        [latency for p in parts for latency in p.latencies],
        statuses,
        sum(p.client_cpu for p in parts),
    )
    result.server_cpu = sum(p.server_cpu for p in parts)
    return result


def wait_until_up(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start")


SERVERS = ("gthread", "gevent", "uvicorn")


def server_command(server: str, port: int, workers: int, threads: int) -> list[str]:
    """The command that serves the demo's application with ``workers`` processes.

    ``gthread`` and ``gevent`` are gunicorn's worker classes on the WSGI application (gevent
    patches the standard library in each worker, so a request waits for PostgreSQL or Redis
    without holding the process); ``uvicorn`` serves the ASGI application, where Django runs each
    synchronous view in one thread per process.
    """
    bind = ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning"]
    gunicorn = [str(Path(sys.executable).with_name("gunicorn")), "project.wsgi:application", *bind]
    if server == "gthread":
        return [*gunicorn, "--worker-class", "gthread", "--threads", str(threads)]
    if server == "gevent":
        return [*gunicorn, "--worker-class", "gevent"]
    return [
        str(Path(sys.executable).with_name("uvicorn")),
        "project.asgi:application",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--lifespan",
        "off",
        "--no-access-log",
        "--log-level",
        "warning",
    ]


def start_server(
    server: str, port: int, workers: int, threads: int, env: dict[str, str]
) -> subprocess.Popen:
    """The benchmarked server, up and answering."""
    process = subprocess.Popen(server_command(server, port, workers, threads), cwd=ROOT, env=env)
    wait_until_up(port, time.monotonic() + 30)
    return process


def stop_server(server: subprocess.Popen | None) -> None:
    if server is None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()


@dataclass(frozen=True)
class Endpoint:
    """One endpoint measured: its name, path, and for a receiver the label of its deliveries."""

    name: str
    path: str
    receiver: str = ""  # the run label in the deliveries' URIs; "" for the reference views

    def bodies(self, count: int, round_number: int) -> list[bytes]:
        return deliveries(count, f"round{round_number}{self.receiver}")

    def label(self, round_number: int) -> str:
        return f"/round{round_number}{self.receiver}/"


def lost(endpoint: Endpoint, result: Result, round_number: int, sent: int) -> str:
    """What went wrong with one receiver's deliveries of a round, or "" when nothing was lost:
    every answer 200, every delivery stored once, as ``received`` (so processing will see it)."""
    from calendly_integration.models import WebhookDelivery

    rows = WebhookDelivery.objects.filter(payload_uri__contains=endpoint.label(round_number))
    stored = rows.count()
    received = rows.filter(status="received").count()
    if result.statuses != {200: sent} or stored != sent or received != sent:
        return f"{endpoint.name}: answers {result.statuses}, stored {stored}, received {received}"
    return ""


def median_ratio(figures: list[dict[str, float]], top: str, bottom: str) -> float:
    return statistics.median(f[top] / f[bottom] for f in figures)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", choices=SERVERS, default="gthread")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--slices",
        type=int,
        default=4,
        help="Alternate the endpoints in this many slices per round (same background load).",
    )
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="Server processes (one a core)."
    )
    parser.add_argument("--threads", type=int, default=8, help="gunicorn gthread threads.")
    parser.add_argument("--json", help="Also write the figures to this file.")
    args = parser.parse_args()

    original = os.environ.get("DATABASE_URL", "")
    database, drop = scratch_database(original)
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "DJANGO_SETTINGS_MODULE": "tests.benchmarks.webhook_settings",
        "PYTHONPATH": str(ROOT),
        "BENCH_SERVER": args.server,
    }
    os.environ.update(DATABASE_URL=database, DJANGO_SETTINGS_MODULE=env["DJANGO_SETTINGS_MODULE"])
    server = None
    try:
        receiver_path = prepare()
        from django.conf import settings
        from django.db import connection
        from django_q.brokers import get_broker

        token = receiver_path.rstrip("/").rsplit("/", 1)[1]
        endpoints = (
            Endpoint("bare view", "/bench/bare/"),
            Endpoint("one query", "/bench/one-query/"),
            Endpoint("receiver", receiver_path, receiver="hand"),
            Endpoint("orm receiver", f"/bench/orm-receiver/{token}/", receiver="orm"),
        )
        get_broker().purge_queue()
        key = settings.CALENDLY["WEBHOOK_SIGNING_KEY"]
        port = free_port()
        server = start_server(args.server, port, args.workers, args.threads, env)
        master = server.pid
        for endpoint in endpoints:
            signing = key if endpoint.receiver else None
            warm = deliveries(200, f"warmup{endpoint.receiver}")
            load("warm", port, endpoint.path, warm, args.clients, signing, master)

        rounds: list[dict[str, Result]] = []
        queued_tasks = []
        for round_number in range(args.rounds):
            get_broker().purge_queue()
            parts: dict[str, list[Result]] = {endpoint.name: [] for endpoint in endpoints}
            bodies = {e.name: e.bodies(args.requests, round_number) for e in endpoints}
            step = -(-args.requests // args.slices)
            for n, start in enumerate(range(0, args.requests, step)):
                # Each slice starts with the next endpoint, so none always follows the same one.
                for endpoint in endpoints[n % len(endpoints) :] + endpoints[: n % len(endpoints)]:
                    part = bodies[endpoint.name][start : start + step]
                    signing = key if endpoint.receiver else None
                    parts[endpoint.name].append(
                        load(
                            endpoint.name, port, endpoint.path, part, args.clients, signing, master
                        )
                    )
            results = {name: combined(slices) for name, slices in parts.items()}
            queued_tasks.append(get_broker().queue_size())
            for endpoint in endpoints:
                if endpoint.receiver:
                    problem = lost(endpoint, results[endpoint.name], round_number, args.requests)
                    if problem:
                        print(f"LOST DELIVERIES under {args.server}: {problem}")
                        return 1
            assert queued_tasks[-1] >= 1, "no processing task was queued"
            rounds.append(results)

        vendor = connection.vendor
        broker = type(get_broker()).__name__
        shape = (
            f"{args.workers} workers x {args.threads} threads"
            if args.server == "gthread"
            else f"{args.workers} workers"
        )
        print(
            f"\nwebhook receiver benchmark: {args.server}, {shape}, {args.clients} clients, "
            f"{args.requests} requests per endpoint per round in {args.slices} alternating "
            f"slices, {vendor}, {broker} broker"
        )
        print(
            f"{'round':<6}{'endpoint':<14}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
            f"{'server CPU ms/req':>19}{'client CPU ms/req':>19}"
        )
        figures = []
        for n, results in enumerate(rounds, 1):
            for result in results.values():
                print(
                    f"{n:<6}{result.name:<14}{result.rps:>9.0f}"
                    f"{result.percentile(0.5):>9.1f}{result.percentile(0.99):>9.1f}"
                    f"{result.server_cpu / result.sent * 1000:>19.2f}"
                    f"{result.client_cpu / result.sent * 1000:>19.2f}"
                )
            figure: dict[str, float] = {"tasks_queued": queued_tasks[n - 1]}
            for endpoint in endpoints:
                result = results[endpoint.name]
                slug = endpoint.name.replace(" ", "_")
                figure[f"{slug}_rps"] = result.rps
                figure[f"{slug}_p50_ms"] = result.percentile(0.5)
                figure[f"{slug}_p99_ms"] = result.percentile(0.99)
                figure[f"{slug}_server_cpu_ms"] = result.server_cpu / result.sent * 1000
            figures.append(figure)
        medians = {
            "receiver/one-query": median_ratio(figures, "receiver_rps", "one_query_rps"),
            "orm receiver/one-query": median_ratio(figures, "orm_receiver_rps", "one_query_rps"),
            "receiver/bare": median_ratio(figures, "receiver_rps", "bare_view_rps"),
            "orm receiver/bare": median_ratio(figures, "orm_receiver_rps", "bare_view_rps"),
            "one-query/bare": median_ratio(figures, "one_query_rps", "bare_view_rps"),
            "orm receiver/receiver": median_ratio(figures, "orm_receiver_rps", "receiver_rps"),
        }
        for name, ratio in medians.items():
            print(f"ratio {name} (median of rounds): {ratio:.2f}")
        print("target: receiver/one-query >= 0.5")
        sent = args.requests * args.rounds
        print(f"lost deliveries: receiver 0 of {sent}, orm receiver 0 of {sent}")
        print(f"processing tasks queued per round of {args.requests} deliveries: {queued_tasks}")
        if args.json:
            Path(args.json).write_text(
                json.dumps(
                    {
                        "server": args.server,
                        "database": vendor,
                        "broker": broker,
                        "medians": medians,
                        "rounds": figures,
                        "lost": 0,
                    },
                    indent=2,
                )
            )
        return 0 if medians["receiver/one-query"] >= 0.5 else 2
    finally:
        with contextlib.suppress(Exception):
            from django_q.brokers import get_broker

            get_broker().purge_queue()
        stop_server(server)
        from django.db import connections

        connections.close_all()
        drop()


if __name__ == "__main__":
    sys.exit(main())
