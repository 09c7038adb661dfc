"""Benchmark: the webhook receiver under gunicorn against a bare Django view, same server, same run.

    .venv/bin/python tests/benchmarks/bench_webhooks.py            # SQLite file, ORM broker
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python tests/benchmarks/bench_webhooks.py        # PostgreSQL, Redis broker

One gunicorn (gthread: a worker per core, 8 threads each) serves every endpoint with the same
settings (``webhook_settings``). The script migrates a scratch database (a temporary SQLite file,
or a throwaway PostgreSQL database next to the one ``DATABASE_URL`` names), makes one
subscription, then sends, over ``--clients`` keep-alive connections on loopback (``loadgen``: one
client thread, every request built before the clock starts, a few hundredths of a millisecond of
client CPU per request): ``--requests`` POSTs to the bare view, as many to a view that makes one
database query (``SELECT 1``: what any view that stores something pays at least, shown for
reference), then as many distinct, correctly signed deliveries to the receiver (which stores each
and wakes processing; no worker runs, so the queue only fills), alternating the endpoints in
``--slices`` slices so that all meet the same background load. It repeats that ``--rounds``
times and reports requests per second, p50 and p99 latency, the gunicorn workers' CPU per
request, the ratio receiver/bare (target: at least 0.5) and receiver/one-query view, and checks
that the receiver lost nothing: stored deliveries = deliveries sent, every answer 200, every
delivery ``received`` with a processing task queued. Exit status 2 when the ratio is under 0.5.
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


def start_gunicorn(port: int, workers: int, threads: int, env: dict[str, str]) -> subprocess.Popen:
    """The benchmarked server: the demo's WSGI app under gunicorn's gthread workers, up."""
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "project.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    wait_until_up(port, time.monotonic() + 30)
    return server


def stop_server(server: subprocess.Popen | None) -> None:
    if server is None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
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
        "--workers", type=int, default=os.cpu_count() or 1, help="gunicorn workers (one a core)."
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
    }
    os.environ.update(DATABASE_URL=database, DJANGO_SETTINGS_MODULE=env["DJANGO_SETTINGS_MODULE"])
    server = None
    try:
        receiver_path = prepare()
        from django.conf import settings
        from django.db import connection
        from django_q.brokers import get_broker

        from calendly_integration.models import WebhookDelivery

        get_broker().purge_queue()
        key = settings.CALENDLY["WEBHOOK_SIGNING_KEY"]
        port = free_port()
        server = start_gunicorn(port, args.workers, args.threads, env)
        warm = deliveries(200, "warmup")
        master = server.pid
        load("warm-bare", port, "/bench/bare/", warm, args.clients, None, master)
        load("warm-query", port, "/bench/one-query/", warm, args.clients, None, master)
        load("warm-receiver", port, receiver_path, warm, args.clients, key, master)

        results: list[tuple[Result, Result, Result, int]] = []
        queued_tasks = []
        for round_number in range(args.rounds):
            bodies = deliveries(args.requests, f"round{round_number}")
            before = WebhookDelivery.objects.count()
            get_broker().purge_queue()
            bare_parts, query_parts, receiver_parts = [], [], []
            step = -(-len(bodies) // args.slices)
            for start in range(0, len(bodies), step):
                part = bodies[start : start + step]
                bare_parts.append(
                    load("bare view", port, "/bench/bare/", part, args.clients, None, master)
                )
                query_parts.append(
                    load("one query", port, "/bench/one-query/", part, args.clients, None, master)
                )
                receiver_parts.append(
                    load("receiver", port, receiver_path, part, args.clients, key, master)
                )
            bare, query = combined(bare_parts), combined(query_parts)
            receiver = combined(receiver_parts)
            stored = WebhookDelivery.objects.count() - before
            queued_tasks.append(get_broker().queue_size())
            received = WebhookDelivery.objects.filter(
                status="received", payload_uri__contains=f"/round{round_number}/"
            ).count()
            if receiver.statuses != {200: args.requests} or stored != args.requests:
                print(f"LOST DELIVERIES: answers {receiver.statuses}, stored {stored}")
                return 1
            assert received == args.requests, received
            assert queued_tasks[-1] >= 1, "no processing task was queued"
            results.append((bare, query, receiver, stored))

        vendor = connection.vendor
        broker = type(get_broker()).__name__
        print(
            f"\nwebhook receiver benchmark: gunicorn {args.workers} workers x {args.threads} threads, "
            f"{args.clients} clients, {args.requests} requests per endpoint per round in "
            f"{args.slices} alternating slices, {vendor}, {broker} broker"
        )
        print(
            f"{'round':<6}{'endpoint':<12}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
            f"{'server CPU ms/req':>19}{'client CPU ms/req':>19}"
        )
        figures = []
        for n, (bare, query, receiver, stored) in enumerate(results, 1):
            for result in (bare, query, receiver):
                print(
                    f"{n:<6}{result.name:<12}{result.rps:>9.0f}"
                    f"{result.percentile(0.5):>9.1f}{result.percentile(0.99):>9.1f}"
                    f"{result.server_cpu / result.sent * 1000:>19.2f}"
                    f"{result.client_cpu / result.sent * 1000:>19.2f}"
                )
            figures.append(
                {
                    "bare_rps": bare.rps,
                    "receiver_rps": receiver.rps,
                    "ratio": receiver.rps / bare.rps,
                    "one_query_rps": query.rps,
                    "ratio_to_one_query": receiver.rps / query.rps,
                    "bare_p50_ms": bare.percentile(0.5),
                    "bare_p99_ms": bare.percentile(0.99),
                    "receiver_p50_ms": receiver.percentile(0.5),
                    "receiver_p99_ms": receiver.percentile(0.99),
                    "bare_server_cpu_ms": bare.server_cpu / bare.sent * 1000,
                    "receiver_server_cpu_ms": receiver.server_cpu / receiver.sent * 1000,
                    "client_cpu_ms": receiver.client_cpu / receiver.sent * 1000,
                    "sent": receiver.sent,
                    "stored": stored,
                    "tasks_queued": queued_tasks[n - 1],
                }
            )
        ratio = statistics.median(f["ratio"] for f in figures)
        print(f"ratio receiver/bare (median of rounds): {ratio:.2f} (target >= 0.5)")
        floor = statistics.median(f["one_query_rps"] / f["bare_rps"] for f in figures)
        print(f"ratio one-query view/bare (median of rounds): {floor:.2f}")
        to_query = statistics.median(f["ratio_to_one_query"] for f in figures)
        print(f"ratio receiver/one-query view (median of rounds): {to_query:.2f}")
        print(f"lost deliveries: 0 of {args.requests * args.rounds}")
        print(f"processing tasks queued per round of {args.requests} deliveries: {queued_tasks}")
        if args.json:
            Path(args.json).write_text(
                json.dumps({"database": vendor, "broker": broker, "rounds": figures}, indent=2)
            )
        return 0 if ratio >= 0.5 else 2
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
