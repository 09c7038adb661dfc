"""Benchmark: the REST API's list endpoints under gunicorn against a bare DRF view, same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python tests/benchmarks/bench_api.py [--size demo|large]

The script makes a throwaway PostgreSQL database next to the one ``DATABASE_URL`` names (SQLite
works too, in a temporary file), migrates it, and fills the mirror the way a site does: the
simulator (its "demo" dataset: about 2,000 scheduled events with their invitees, event types
and members) is synced through the organization owner's personal-access-token connection. Then
one gunicorn serves, with the same settings (``api_settings``), the API and ``bench/bare-api/``
(a plain DRF ``APIView`` with the same authentication and permission, answering a constant).
From ``--clients`` keep-alive connections (``loadgen``: one thread, requests prebuilt) it sends
``--requests`` authenticated GETs (DRF token of the organization owner, who sees every event of
the organization) to the baseline, then to each list endpoint's first page (50 rows, the
default), and repeats that ``--rounds`` times. It reports requests per second, p50 and p99
latency, the gunicorn workers' CPU per request, and each endpoint's ratio to the baseline.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks import loadgen  # noqa: E402
from tests.benchmarks.bench_webhooks import (  # noqa: E402
    free_port,
    scratch_database,
    start_gunicorn,
    stop_server,
    worker_cpu,
)
from tests.benchmarks.loadgen import Result, build_request  # noqa: E402

BASELINE = ("bare DRF view", "/bench/bare-api/")
ENDPOINTS = (
    ("scheduled-events", "/api/scheduled-events/"),
    ("invitees", "/api/invitees/"),
    ("event-types", "/api/event-types/"),
)


def prepare(size: str) -> tuple[str, dict[str, int]]:
    """Migrate, sync the simulator's dataset through the owner; return the owner's API token
    and the row counts."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from calendly_integration.models import EventType, Invitee, ScheduledEvent
    from calendly_integration.oauth.connect import connect_personal_access_token
    from calendly_integration.sync import sync_connection
    from calendly_integration.testing.simulator import CalendlySimulator

    call_command("migrate", verbosity=0)
    sim = CalendlySimulator(size=size, rate_limit_per_minute=10**9).start()
    try:
        settings.CALENDLY = {**settings.CALENDLY, "API_BASE_URL": sim.url, "AUTH_BASE_URL": sim.url}
        owner = get_user_model().objects.create_user("bench-owner")
        connection = connect_personal_access_token(owner, sim.create_token(sim.owner.uri))
        started = time.perf_counter()
        run = sync_connection(connection.pk, full=True)
        assert run.status == "succeeded", run.error
        print(f"mirror synced in {time.perf_counter() - started:.1f} s", flush=True)
    finally:
        sim.stop()
    counts = {
        "scheduled-events": ScheduledEvent.objects.count(),
        "invitees": Invitee.objects.count(),
        "event-types": EventType.objects.count(),
    }
    return Token.objects.create(user=owner).key, counts


def requests_for(path: str, token: str, count: int) -> list[bytes]:
    request = build_request(
        "GET", path, headers=[("Authorization", f"Token {token}"), ("Accept", "application/json")]
    )
    return [request] * count


def queries_per_request(token: str) -> dict[str, int]:
    """SQL queries one GET of each endpoint makes (Django's test client, in this process)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT="application/json")
    counts = {}
    for name, path in (BASELINE, *ENDPOINTS):
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        counts[name] = len(captured.captured_queries)
    return counts


def check_answers(port: int, token: str) -> dict[str, int]:
    """Each endpoint answers 200 with rows (the figures are of real pages); rows per page."""
    import http.client

    rows = {}
    for name, path in (BASELINE, *ENDPOINTS):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", path, headers={"Authorization": f"Token {token}"})
        response = conn.getresponse()
        body = json.loads(response.read())
        conn.close()
        if response.status != 200:
            raise SystemExit(f"{path} answered {response.status}: {body}")
        rows[name] = len(body["results"])
        if name != BASELINE[0] and not rows[name]:
            raise SystemExit(f"{path} answered no rows")
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="demo", help="Simulator dataset: small, demo, large.")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="gunicorn workers (one a core)."
    )
    parser.add_argument("--threads", type=int, default=8, help="gunicorn gthread threads.")
    parser.add_argument("--json", help="Also write the figures to this file.")
    args = parser.parse_args()

    database, drop = scratch_database(os.environ.get("DATABASE_URL", ""))
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "DJANGO_SETTINGS_MODULE": "tests.benchmarks.api_settings",
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(DATABASE_URL=database, DJANGO_SETTINGS_MODULE=env["DJANGO_SETTINGS_MODULE"])
    server = None
    try:
        token, counts = prepare(args.size)
        queries = queries_per_request(token)
        from django.db import connection

        port = free_port()
        server = start_gunicorn(port, args.workers, args.threads, env)
        rows = check_answers(port, token)
        master = server.pid

        def measure(name: str, path: str, count: int) -> Result:
            before = worker_cpu(master)
            result = loadgen.run(name, port, requests_for(path, token, count), args.clients)
            result.server_cpu = worker_cpu(master) - before
            if result.statuses != {200: count}:
                raise SystemExit(f"{name}: answers {result.statuses}")
            return result

        for name, path in (BASELINE, *ENDPOINTS):  # warm every worker
            measure(name, path, 100)
        rounds: list[dict[str, Result]] = []
        for _ in range(args.rounds):
            rounds.append(
                {name: measure(name, path, args.requests) for name, path in (BASELINE, *ENDPOINTS)}
            )

        print(
            f"\nREST API benchmark: gunicorn {args.workers} workers x {args.threads} threads, "
            f"{args.clients} clients, {args.requests} GETs per endpoint per round, "
            f"{connection.vendor}; mirror: "
            + ", ".join(f"{n:,} {name}" for name, n in counts.items())
        )
        print(
            f"{'round':<6}{'endpoint':<18}{'rows':>5}{'queries':>8}{'req/s':>8}{'p50 ms':>9}"
            f"{'p99 ms':>9}{'CPU ms/req':>12}{'ratio':>7}"
        )
        figures = []
        for n, results in enumerate(rounds, 1):
            bare = results[BASELINE[0]]
            for name, result in results.items():
                ratio = result.rps / bare.rps
                print(
                    f"{n:<6}{name:<18}{rows[name]:>5}{queries[name]:>8}{result.rps:>8.0f}"
                    f"{result.percentile(0.5):>9.1f}{result.percentile(0.99):>9.1f}"
                    f"{result.server_cpu / result.sent * 1000:>12.2f}{ratio:>7.2f}"
                )
                figures.append(
                    {
                        "round": n,
                        "endpoint": name,
                        "rows": rows[name],
                        "queries": queries[name],
                        "rps": result.rps,
                        "p50_ms": result.percentile(0.5),
                        "p99_ms": result.percentile(0.99),
                        "server_cpu_ms": result.server_cpu / result.sent * 1000,
                        "client_cpu_ms": result.client_cpu / result.sent * 1000,
                        "ratio": ratio,
                    }
                )
        for name, _path in ENDPOINTS:
            ratios = [f["ratio"] for f in figures if f["endpoint"] == name]
            print(f"ratio {name}/bare DRF view (median of rounds): {statistics.median(ratios):.2f}")
        if args.json:
            Path(args.json).write_text(
                json.dumps(
                    {"database": connection.vendor, "mirror": counts, "rounds": figures}, indent=2
                )
            )
        return 0
    finally:
        stop_server(server)
        from django.db import connections

        with contextlib.suppress(Exception):
            connections.close_all()
        drop()


if __name__ == "__main__":
    sys.exit(main())
