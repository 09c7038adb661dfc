"""Benchmark: a full sync of 10,000 scheduled events (1 to 3 invitees each), against a naive
baseline, on SQLite and on PostgreSQL, in one run.

    make bench-sync                                  # or:
    .venv/bin/python -m tests.benchmarks.sync_benchmark [--docs] [--databases sqlite,postgres]

The Calendly simulator ("large" dataset, topped up so every event has 1 to 3 invitees, no rate
limit) runs in its own process, as Calendly would. Every measurement runs in a fresh worker
process with a fresh database (a SQLite file, or a throwaway PostgreSQL database beside the one
``DATABASE_URL`` names, default ``postgres://postgres@127.0.0.1:5432/test``), so memory figures
are the worker's own: peak resident memory minus resident memory before the sync.

For each engine: a full sync into the empty database, then the same full sync again with nothing
changed. Reported: wall time, HTTP requests, database queries, peak memory, and ratios baseline /
ours. Our engine also syncs the "demo" dataset (about 2,000 events) so that its peak memory at
2,000 and 10,000 events can be compared. ``--docs`` writes the tables into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/test"
BENCH_PG_NAME = "calendly_sync_bench"
BENCHMARKS_PAGE = ROOT / "docs" / "benchmarks.md"
FIGURES_START = "<!-- sync-benchmark:start -->"
FIGURES_END = "<!-- sync-benchmark:end -->"


# The simulator process -----------------------------------------------------------------------


def top_up_invitees(sim: Any, seed: int = 7) -> None:
    """Give every event 1 to 3 invitees (the seeded dataset has mostly one, group events up to 5).

    The simulator has no public knob for this yet, so extra invitees are cloned into its store
    the way its own booking code adds them: same event, new id, name and e-mail, counters kept.
    """
    rng = random.Random(seed)
    store = sim.store
    with store.lock:
        for event_uuid, invitee_ids in store.event_invitees.items():
            event = store.events[event_uuid]
            wanted = rng.choice((1, 2, 3))
            if not invitee_ids:
                continue
            while len(invitee_ids) > 3:  # group events seat up to five; keep three
                dropped = store.invitees.pop(invitee_ids.pop())
                event["invitees_counter"]["total"] -= 1
                if dropped["status"] == "active":
                    event["invitees_counter"]["active"] -= 1
            if len(invitee_ids) >= wanted:
                continue
            template = store.invitees[invitee_ids[0]]
            for n in range(wanted - len(invitee_ids)):
                uuid = store.new_uuid()
                clone = dict(template)
                clone.update(
                    uri=f"{event['uri']}/invitees/{uuid}",
                    name=f"Guest {n + 2} of {template['name']}",
                    email=f"guest{n + 2}.{uuid[:8]}@example.com",
                    cancel_url=f"{store.base}/cancellations/{uuid}",
                    reschedule_url=f"{store.base}/reschedulings/{uuid}",
                    no_show=None,
                    rescheduled=False,
                    new_invitee=None,
                    old_invitee=None,
                )
                store.invitees[uuid] = clone
                invitee_ids.append(uuid)
                counter = event["invitees_counter"]
                counter["total"] += 1
                if clone["status"] == "active":
                    counter["active"] += 1
                counter["limit"] = max(counter["limit"], len(invitee_ids))


def serve_simulator(size: str, conn: Any) -> None:
    from calendly_integration.testing.simulator import CalendlySimulator

    sim = CalendlySimulator(size=size, rate_limit_per_minute=10**9).start()
    top_up_invitees(sim)
    with sim.store.lock:
        events = len(sim.store.events)
        per_event = [len(ids) for ids in sim.store.event_invitees.values()]
    conn.send(
        {
            "url": sim.url,
            "token": sim.create_token(),
            "events": events,
            "invitees": sum(per_event),
            "min_invitees": min(per_event),
            "max_invitees": max(per_event),
        }
    )
    conn.recv()
    sim.stop()


class Simulator:
    def __init__(self, size: str) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=serve_simulator, args=(size, child), daemon=True)
        self._process.start()
        self.info = self._conn.recv()

    def stop(self) -> None:
        self._conn.send("stop")
        self._process.join(10)


# The worker process --------------------------------------------------------------------------


def _rss_kb() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


class PeakMemory:
    """Samples resident memory every few milliseconds on a thread; ``peak_mb`` is the highest
    figure seen above the level at the start."""

    def __enter__(self) -> PeakMemory:
        self.start = self.peak = _rss_kb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, _rss_kb())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_kb())

    @property
    def peak_mb(self) -> float:
        return round((self.peak - self.start) / 1024, 1)


def http_only(token: str) -> int:
    """The requests a full sync cannot avoid (event pages, then each event's invitees), made
    with the same client and thrown away: the floor under both engines' wall time."""
    from calendly_integration.client import CalendlyClient

    answered = [0]
    with CalendlyClient.from_settings(token) as client:
        client.session.hooks["response"].append(
            lambda r, *a, **k: answered.__setitem__(0, answered[0] + 1)
        )
        organization = client.get_current_user()["current_organization"]
        for page in client.list_scheduled_events(
            organization=organization, sort="start_time:asc"
        ).pages():
            for event in page.collection:
                list(client.list_event_invitees(event["uri"]))
    return answered[0]


def worker(engine: str, phase: str, token: str, expected_events: int) -> dict[str, Any]:
    """One phase in a fresh process (so its peak memory is its own): the full sync into the
    empty, migrated database, or the same sync again over what the full one left."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from calendly_integration.client import CalendlyClient
    from calendly_integration.models import Connection, Invitee, ScheduledEvent
    from calendly_integration.oauth.connect import connect_personal_access_token
    from calendly_integration.sync import sync_connection
    from tests.benchmarks.naive_sync import naive_sync

    if engine == "http":
        conn = None
    elif phase == "full":
        owner = get_user_model().objects.create_user("bench")
        conn = connect_personal_access_token(owner, token)
    else:
        conn = Connection.objects.get(owner__username="bench")
    queries = [0]
    page_marks: list[int] = []

    def count(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    def progress(p: Any) -> None:
        if p.step == "scheduled_events" and p.pages:
            page_marks.append(queries[0])

    started = time.perf_counter()
    with PeakMemory() as memory, connection.execute_wrapper(count):
        if engine == "http":
            requests, pages = http_only(token), None
        elif engine == "ours":
            run = sync_connection(conn.pk, full=True, progress=progress)
            assert run.status == "succeeded", run.error
            requests, pages = run.http_requests, run.pages
        else:
            client = CalendlyClient.from_settings(token)
            answered = [0]
            client.session.hooks["response"].append(
                lambda r, *a, **k: answered.__setitem__(0, answered[0] + 1)
            )
            naive_sync(client)
            client.close()
            requests, pages = answered[0], None
    seconds = time.perf_counter() - started
    events = ScheduledEvent.objects.count() if engine != "http" else expected_events
    assert events == expected_events, (events, expected_events)
    per_page = [b - a for a, b in itertools.pairwise(page_marks)]
    return {
        "engine": engine,
        "vendor": connection.vendor,
        "phase": phase,
        "events": events,
        "invitees": Invitee.objects.count() if engine != "http" else None,
        "seconds": round(seconds, 2),
        "http_requests": requests,
        "db_queries": queries[0],
        "pages": pages,
        "max_queries_per_page": max(per_page) if per_page else None,
        "peak_memory_mb": memory.peak_mb,
    }


# The orchestrator ----------------------------------------------------------------------------


def _pg_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def fresh_database(kind: str, tmp: Path, pg_base: str) -> str:
    if kind == "sqlite":
        path = tmp / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    parts = urlsplit(pg_base)
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{BENCH_PG_NAME}" WITH (FORCE)')
        pg.execute(f'CREATE DATABASE "{BENCH_PG_NAME}"')
    return _pg_url(pg_base, BENCH_PG_NAME)


def drop_database(pg_base: str) -> None:
    import psycopg

    parts = urlsplit(pg_base)
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{BENCH_PG_NAME}" WITH (FORCE)')


def _env(database_url: str, sim: Simulator) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "CALENDLY_SIMULATOR_URL": sim.info["url"],
        "CALENDLY_API_BASE_URL": sim.info["url"],
        "CALENDLY_AUTH_BASE_URL": sim.info["url"],
    }
    env.pop("REDIS_URL", None)
    return env


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args[:4])} failed:\n{done.stderr[-4000:]}")
    return done.stdout


def run_engine(engine: str, database_url: str, sim: Simulator) -> dict[str, Any]:
    """Migrate a fresh database, then run the full sync and the re-sync in fresh workers."""
    env = _env(database_url, sim)
    _run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], env)
    result: dict[str, Any] = {"engine": engine}
    for phase in ("full",) if engine == "http" else ("full", "resync"):
        args = [sys.executable, "-m", "tests.benchmarks.sync_benchmark", "--worker", engine]
        args += ["--phase", phase, "--token", sim.info["token"]]
        args += ["--expected-events", str(sim.info["events"])]
        figures = json.loads(_run(args, env).strip().splitlines()[-1])
        result.update(vendor=figures["vendor"], events=figures["events"])
        result.update(invitees=figures["invitees"])
        result[phase] = figures
    return result


def ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "n/a"
    return f"{a / b:.1f}x"


def render(
    results: list[dict[str, Any]], scaling: dict[str, Any], info: dict, floor: dict[str, Any]
) -> str:
    lines = [
        f"Dataset: {info['events']:,} scheduled events with {info['invitees']:,} invitees "
        f"({info['min_invitees']} to {info['max_invitees']} each), simulator in its own process "
        f"on loopback, no rate limit; the databases' default settings. Full sync = everything an "
        f"organization owner sees.",
        "",
        "| Database | Phase | Engine | Wall time | HTTP requests | DB queries | Peak memory |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    by_key = {(r["vendor"], r["engine"]): r for r in results}
    for vendor in dict.fromkeys(r["vendor"] for r in results):
        ours, naive = by_key.get((vendor, "ours")), by_key.get((vendor, "naive"))
        for phase, title in (("full", "full sync, empty database"), ("resync", "same sync again")):
            for engine, result in (("ours", ours), ("naive baseline", naive)):
                if result is None:
                    continue
                m = result[phase]
                memory = f"{m['peak_memory_mb']} MB" if m["peak_memory_mb"] is not None else "-"
                lines.append(
                    f"| {vendor} | {title} | {engine} | {m['seconds']:.1f} s | "
                    f"{m['http_requests']:,} | {m['db_queries']:,} | {memory} |"
                )
            if ours and naive:
                o, n = ours[phase], naive[phase]
                lines.append(
                    f"| {vendor} | {title} | **baseline / ours** | "
                    f"**{ratio(n['seconds'], o['seconds'])}** | "
                    f"{ratio(n['http_requests'], o['http_requests'])} | "
                    f"{ratio(n['db_queries'], o['db_queries'])} | "
                    f"{ratio(n['peak_memory_mb'], o['peak_memory_mb'])} |"
                )
    lines.append("")
    lines.append(
        f"- The requests alone (event pages and every event's invitees, same client, nothing "
        f"stored) take {floor['full']['seconds']:.1f} s for {floor['full']['http_requests']:,} "
        f"answers: the floor under both engines' full sync."
    )
    for result in results:
        if result["engine"] == "ours":
            full, resync = result["full"], result["resync"]
            lines.append(
                f"- {result['vendor']}: {full['pages']} pages of events; at most "
                f"{full['max_queries_per_page']} queries per page of 100 (new events with their "
                f"hosts and invitees) and {resync['max_queries_per_page']} per unchanged page. "
                f"The unchanged re-sync made {resync['http_requests']} requests: "
                f"{resync['pages']} event-list pages, none for invitees, and "
                f"{resync['http_requests'] - resync['pages']} for the user, organization, "
                f"memberships, event types, routing forms and availability."
            )
    for vendor, pair in scaling.items():
        small, large = pair["small"], pair["large"]
        lines.append(
            f"- {vendor}, peak memory of our full sync: {small['full']['peak_memory_mb']} MB for "
            f"{small['events']:,} events, {large['full']['peak_memory_mb']} MB for "
            f"{large['events']:,}."
        )
    return "\n".join(lines)


def write_figures(text: str, page: Path = BENCHMARKS_PAGE) -> None:
    """Replace the figures between the markers on the benchmarks page (adding a section if missing)."""
    content = page.read_text()
    block = f"{FIGURES_START}\n{text}\n{FIGURES_END}"
    if FIGURES_START in content:
        before, rest = content.split(FIGURES_START, 1)
        content = before + block + rest.split(FIGURES_END, 1)[1]
    else:
        content = content.rstrip() + f"\n\n## Scheduled-event sync\n\n{block}\n"
    page.write_text(content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", choices=("ours", "naive", "http"), help=argparse.SUPPRESS)
    parser.add_argument("--phase", choices=("full", "resync"), help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--expected-events", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--size", default="large", choices=("small", "demo", "large"))
    parser.add_argument(
        "--docs",
        "--readme",
        dest="docs",
        action="store_true",
        help="Write the figures into docs/benchmarks.md (--readme is the old name)",
    )
    parser.add_argument("--json", type=Path, help="Also write the raw figures to this file.")
    options = parser.parse_args()
    if options.worker:
        sys.path.insert(0, str(ROOT))
        figures = worker(options.worker, options.phase, options.token, options.expected_events)
        print(json.dumps(figures))
        return

    pg_base = os.environ.get("DATABASE_URL", DEFAULT_PG)
    if not pg_base.startswith("postgres"):
        pg_base = DEFAULT_PG
    started = time.perf_counter()
    sim = Simulator(options.size)
    info = sim.info
    print(
        f"simulator: {info['events']:,} events, {info['invitees']:,} invitees at {info['url']}",
        flush=True,
    )
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            print("the requests alone ...", end=" ", flush=True)
            floor = run_engine("http", fresh_database("sqlite", Path(tmp), pg_base), sim)
            print(f"{floor['full']['seconds']} s", flush=True)
            for kind in options.databases.split(","):
                for engine in ("ours", "naive"):
                    url = fresh_database(kind, Path(tmp), pg_base)
                    print(f"{kind}: {engine} ...", end=" ", flush=True)
                    result = run_engine(engine, url, sim)
                    print(
                        f"full {result['full']['seconds']} s, resync {result['resync']['seconds']} s",
                        flush=True,
                    )
                    results.append(result)
        finally:
            sim.stop()
        scaling = {}
        if options.size == "large":
            small_sim = Simulator("demo")
            try:
                for kind in options.databases.split(","):
                    print(f"{kind}: ours on the demo dataset (memory scaling) ...", flush=True)
                    url = fresh_database(kind, Path(tmp), pg_base)
                    small = run_engine("ours", url, small_sim)
                    large = next(
                        r
                        for r in results
                        if r["vendor"] == small["vendor"] and r["engine"] == "ours"
                    )
                    scaling[small["vendor"]] = {"small": small, "large": large}
            finally:
                small_sim.stop()
    if "postgres" in options.databases:
        drop_database(pg_base)
    text = render(results, scaling, info, floor)
    print()
    print(text)
    print(f"\n(benchmark took {time.perf_counter() - started:.0f} s)")
    if options.json:
        options.json.write_text(json.dumps({"info": info, "results": results}, indent=2))
    if options.docs:
        write_figures(text)
        print(f"{BENCHMARKS_PAGE.relative_to(ROOT)} updated.")


if __name__ == "__main__":
    main()
