"""Fleet benchmark: "sync all" of many organizations' connections, against the rate-limit floor.

    .venv/bin/python tests/benchmarks/bench_fleet.py [--orgs 20] [--users-per-org 10]   # make bench-fleet
    .venv/bin/python tests/benchmarks/bench_fleet.py --orgs 2 --users-per-org 2          # smoke run

Needs PostgreSQL and Redis: ``DATABASE_URL`` names the server (default
postgres://postgres@127.0.0.1:5432/test; the benchmark drops and creates ``<name>_bench`` there,
never touches ``<name>`` itself, and drops it at the end), ``REDIS_URL`` the broker (default
redis://127.0.0.1:6379/0; only keys of the run's own queue are written and purged).

Every part runs as its own OS process, as on separate hosts: the Calendly simulator (with its
per-user rate limit, 500 a minute as Calendly's), the site under gunicorn receiving webhooks, and
two or more ``manage.py qcluster`` on the Redis broker. Each Calendly user of every organization
is connected with a personal access token by a site user of their own; webhook subscriptions are
made as the site makes them. Then, from an empty mirror, the benchmark queues
``tasks.sync_all_connections`` (what the periodic schedule queues) and measures until every
connection's first sync succeeded, while invitees book and cancel at every organization (the
simulator sends signed webhooks to the site) and one cluster is killed with SIGKILL.

It prints one markdown table, the floor computation and the checks: no connection synced twice at
once, the mirror's rows per organization equal to Calendly's, ``calendly_doctor --verify`` on a
sample of connections, every webhook stored and processed once, and every connection synced in the
end despite the killed cluster. Exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks.fleet_stack import Stack, database_name

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f}s] {message}", flush=True)


@dataclass
class Conn:
    pk: int
    org: str
    user_uri: str
    user_uuid: str
    role: str


@dataclass
class Results:
    rows: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checks: list[tuple[str, bool, str]] = field(default_factory=list)

    def row(self, name: str, value: Any) -> None:
        self.rows.append((name, str(value)))

    def check(self, name: str, ok: bool, detail: str) -> None:
        self.checks.append((name, ok, detail))
        log(f"[{'PASS' if ok else 'FAIL'}] {name}: {detail}")

    @property
    def passed(self) -> bool:
        return all(ok for _, ok, _ in self.checks)

    def print(self) -> None:
        print("\n| Figure | Value |\n| --- | --- |")
        for name, value in self.rows:
            print(f"| {name} | {value} |")
        print()
        for note in self.notes:
            print(f"- {note}")
        print("\nChecks")
        for name, ok, detail in self.checks:
            print(f"  [{'PASS' if ok else 'FAIL'}] {name}: {detail}")
        print(f"\nFleet benchmark {'PASSED' if self.passed else 'FAILED'}")


# Preconditions.


def require_services(database_url: str, redis_url: str) -> None:
    """Refuse early, in plain words, when PostgreSQL or Redis is not there."""
    if not database_url.startswith(("postgres://", "postgresql://")):
        sys.exit(f"bench-fleet runs on PostgreSQL: DATABASE_URL must name one, not {database_url}")
    try:
        import psycopg

        from tests.benchmarks.fleet_stack import with_database

        psycopg.connect(with_database(database_url, "postgres"), connect_timeout=3).close()
    except Exception as exc:
        sys.exit(f"PostgreSQL is not reachable at {database_url} ({exc}); set DATABASE_URL")
    try:
        import redis

        client = redis.Redis.from_url(redis_url, socket_connect_timeout=3)
        client.ping()
        client.close()
    except Exception as exc:
        sys.exit(f"Redis is not reachable at {redis_url} ({exc}); set REDIS_URL")


def simulator_capabilities() -> tuple[bool, set[str]]:
    import inspect

    from calendly_integration.testing.simulator import CalendlySimulator
    from calendly_integration.testing.simulator.dataset import SIZES

    return "organizations" in inspect.signature(CalendlySimulator).parameters, set(SIZES)


# Setting up.


def connect_all(stack: Stack, orgs: list[dict[str, Any]], users_per_org: int) -> list[Conn]:
    """One site user per Calendly user, connected with a personal access token Calendly issued."""
    from django.contrib.auth import get_user_model

    from calendly_integration.oauth.connect import connect_personal_access_token

    chosen = [(org, user) for org in orgs for user in org["users"][:users_per_org]]
    tokens = stack.control("tokens", users=[user["uri"] for _, user in chosen])
    User = get_user_model()
    conns = []
    for index, (org, user) in enumerate(chosen, 1):
        site_user = User.objects.create_user(f"fleet-{index}", f"fleet-{index}@example.com")
        connection = connect_personal_access_token(site_user, tokens[user["uri"]])
        conns.append(Conn(connection.pk, org["uri"], user["uri"], user["uuid"], user["role"]))
    return conns


def wait_subscribed(conns: list[Conn], timeout: float = 300) -> int:
    """Every connection's webhook subscription made at Calendly (by the workers)."""
    from calendly_integration.models import WebhookSubscription

    deadline = time.monotonic() + timeout
    ids = [c.pk for c in conns]
    active = 0
    while time.monotonic() < deadline:
        active = (
            WebhookSubscription.objects.filter(
                connections__in=ids, state=WebhookSubscription.State.ACTIVE
            )
            .values("connections")
            .distinct()
            .count()
        )
        if active >= len(ids):
            return active
        time.sleep(1)
    raise RuntimeError(f"only {active} of {len(ids)} connections subscribed after {timeout}s")


# The measured run.


@dataclass
class Run:
    t0: datetime
    t0_monotonic: float
    finished: dict[int, float] = field(default_factory=dict)
    burst: dict[str, Any] = field(default_factory=dict)
    burst_at: float | None = None
    killed_at: float | None = None
    running_at_kill: int = 0
    end: float = 0.0
    cpu_busy: float | None = None
    cpu: dict[str, float] = field(default_factory=dict)


def first_successes(t0: datetime) -> dict[int, float]:
    from django.db.models import Min

    from calendly_integration.models import SyncRun

    rows = (
        SyncRun.objects.filter(status=SyncRun.Status.SUCCEEDED, started_at__gte=t0)
        .values("connection_id")
        .annotate(first=Min("finished_at"))
    )
    return {r["connection_id"]: (r["first"] - t0).total_seconds() for r in rows}


def cpu_times() -> tuple[float, float]:
    """Busy and total CPU time of the whole machine so far (from /proc/stat), in ticks."""
    with open("/proc/stat") as stat:
        values = [float(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def measure(stack: Stack, conns: list[Conn], args: argparse.Namespace) -> Run:
    from django.db import connection as db
    from django.utils import timezone

    from calendly_integration import queueing
    from calendly_integration.models import SyncRun

    stack.control("reset_limits")
    busy0, total0 = cpu_times()
    cpu0 = stack.cpu_now()
    run = Run(timezone.now(), time.monotonic())
    queueing.broker()  # connect before the clock matters
    from django_q.tasks import async_task

    async_task(queueing.SYNC_ALL, group=queueing.SYNC_GROUP)
    log(f"queued {queueing.SYNC_ALL}; waiting for {len(conns)} first syncs")
    hosts = [c.user_uri for c in conns]
    deadline = run.t0_monotonic + args.timeout
    last_report = 0.0
    while time.monotonic() < deadline:
        run.finished = first_successes(run.t0)
        done = len(run.finished) / len(conns)
        elapsed = time.monotonic() - run.t0_monotonic
        if run.burst_at is None and (done >= args.burst_at or elapsed > args.timeout / 4):
            run.burst = stack.control(
                "burst", book=args.burst_book, cancel=args.burst_cancel, hosts=hosts
            )
            run.burst_at = time.monotonic() - run.t0_monotonic
            log(f"webhook burst at {run.burst_at:.0f}s: {run.burst['applied']}")
        if run.killed_at is None and args.kill and done >= args.kill_at:
            running = SyncRun.objects.filter(status=SyncRun.Status.RUNNING).count()
            if running:
                stack.kill("cluster-1")
                run.killed_at = time.monotonic() - run.t0_monotonic
                run.running_at_kill = running
                log(f"cluster-1 killed with SIGKILL at {run.killed_at:.0f}s; {running} running")
        if len(run.finished) == len(conns):
            break
        if elapsed - last_report >= 15:
            last_report = elapsed
            counts = Counter(SyncRun.objects.values_list("status", flat=True))
            log(f"{len(run.finished)}/{len(conns)} synced; runs {dict(counts)}")
        db.close()
        time.sleep(0.5)
    run.end = time.monotonic() - run.t0_monotonic
    busy1, total1 = cpu_times()
    run.cpu = {k: v - cpu0.get(k, 0.0) for k, v in stack.cpu_now().items()}
    run.cpu_busy = (busy1 - busy0) / max(total1 - total0, 1)
    return run


# Judging.


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


def busy_seconds(sync_run: Any, run: Run) -> float:
    """How long a sync run kept a worker busy: its duration, but a run the killed cluster held
    only until the kill (its recorded duration runs on to when a later run closed it)."""
    from datetime import timedelta

    from calendly_integration.models import SyncRun

    seconds = sync_run.duration.total_seconds() if sync_run.duration else 0.0
    if sync_run.status == SyncRun.Status.INTERRUPTED and run.killed_at is not None:
        killed = run.t0 + timedelta(seconds=run.killed_at)
        seconds = min(seconds, max(0.0, (killed - sync_run.started_at).total_seconds()))
    return seconds


def overlapping_runs() -> list[tuple[int, int, int]]:
    """Pairs of runs of one connection whose [started, finished] intervals overlap."""
    from django.utils import timezone

    from calendly_integration.models import SyncRun

    now = timezone.now()
    per: dict[int, list[tuple[datetime, datetime, int]]] = defaultdict(list)
    rows = SyncRun.objects.exclude(status=SyncRun.Status.SKIPPED).values_list(
        "pk", "connection_id", "started_at", "finished_at"
    )
    for pk, connection_id, start, end in rows:
        per[connection_id].append((start, end or now, pk))
    found = []
    for connection_id, runs in per.items():
        runs.sort()
        latest_end, latest_pk = runs[0][1], runs[0][2]
        for start, end, pk in runs[1:]:
            if start < latest_end:
                found.append((connection_id, latest_pk, pk))
            if end > latest_end:
                latest_end, latest_pk = end, pk
    return found


def common_window(t0: datetime) -> tuple[datetime, datetime]:
    """The start-time window every measured successful sync covered (their intersection)."""
    from django.db.models import Max, Min

    from calendly_integration.models import SyncRun

    bounds = SyncRun.objects.filter(status=SyncRun.Status.SUCCEEDED, started_at__gte=t0).aggregate(
        start=Max("window_start"), end=Min("window_end")
    )
    return bounds["start"], bounds["end"]


def calendly_counts(stack: Stack, window: tuple[datetime, datetime]) -> dict[str, dict[str, int]]:
    since, until = window
    return stack.control("counts", since=since.isoformat(), until=until.isoformat())


def mirror_counts(
    org_uris: list[str], window: tuple[datetime, datetime]
) -> dict[str, dict[str, int]]:
    from django.db.models import Count

    from calendly_integration.models import Invitee, ScheduledEvent

    since, until = window
    result: dict[str, dict[str, int]] = {uri: Counter() for uri in org_uris}
    for model, key, start in (
        (ScheduledEvent, "events", "start_time"),
        (Invitee, "invitees", "event__start_time"),
    ):
        rows = (
            model.objects.filter(
                removed_at__isnull=True, **{f"{start}__gte": since, f"{start}__lt": until}
            )
            .values_list("organization__uri")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for uri, n in rows:
            if uri in result:
                result[uri][key] = n
    return result


def wait_deliveries_settled(timeout: float) -> dict[str, int]:
    from django.db.models import Count

    from calendly_integration.models import WebhookDelivery

    Status = WebhookDelivery.Status
    deadline = time.monotonic() + timeout
    while True:
        rows = dict(
            WebhookDelivery.objects.values_list("status").annotate(n=Count("pk")).order_by()
        )
        waiting = rows.get(Status.RECEIVED, 0) + rows.get(Status.FAILED, 0)
        if not waiting or time.monotonic() > deadline:
            return rows
        time.sleep(2)


def doctor(stack: Stack, pk: int) -> tuple[int, bool, str]:
    result = stack.manage("calendly_doctor", "--verify", "--connection", str(pk))
    with (stack.logs / f"doctor-{pk}.log").open("w") as out:
        out.write(f"exit {result.returncode}\n{result.stdout}{result.stderr}")
    problems = [line.strip() for line in result.stdout.splitlines() if "[FAIL]" in line]
    return pk, result.returncode == 0, " | ".join(problems[:4]) or "equal"


def judge(
    stack: Stack, conns: list[Conn], run: Run, info: dict[str, Any], args: argparse.Namespace
) -> Results:
    from django.db.models import Sum

    from calendly_integration.models import Invitee, SyncRun, WebhookDelivery

    res = Results()
    limit = int(info["rate_limit_per_minute"])
    per_second = limit / 60
    workers = args.clusters * args.workers
    org_uris = [o["uri"] for o in info["organizations"]]
    by_pk = {c.pk: c for c in conns}
    all_synced = len(run.finished) == len(conns)
    wall = max(run.finished.values()) if all_synced else run.end

    # Requests: what each connection's first sync needed, and what the simulator charged.
    needed: dict[int, int] = {}
    for c in conns:
        qs = SyncRun.objects.filter(connection_id=c.pk, started_at__gte=run.t0)
        if c.pk in run.finished:
            first = (
                SyncRun.objects.filter(connection_id=c.pk, status=SyncRun.Status.SUCCEEDED)
                .order_by("finished_at")
                .values_list("finished_at", flat=True)
                .first()
            )
            qs = qs.filter(started_at__lte=first)
        needed[c.pk] = qs.aggregate(n=Sum("http_requests"))["n"] or 0
    charged = stack.control("requests")
    allowed, refused = charged["allowed"], charged["refused"]
    busiest = max(conns, key=lambda c: needed[c.pk])
    rate_floor = needed[busiest.pk] / per_second
    window_floor = (math.ceil(needed[busiest.pk] / limit) - 1) * 60
    sync_runs = SyncRun.objects.filter(started_at__gte=run.t0).exclude(
        status=SyncRun.Status.SKIPPED
    )
    busy = sum(busy_seconds(r, run) for r in sync_runs.only("started_at", "duration", "status"))
    worker_floor = busy / workers
    total_needed = sum(needed.values())
    cores = os.cpu_count() or 1
    cpu_floor = sum(run.cpu.values()) / cores
    floors = {"rate limit": rate_floor, "worker capacity": worker_floor, "CPU": cpu_floor}
    binding = max(floors, key=lambda k: floors[k])
    floor = floors[binding]

    times = list(run.finished.values())
    org_finish: dict[str, float] = {}
    for pk, seconds in run.finished.items():
        org = by_pk[pk].org
        org_finish[org] = max(org_finish.get(org, 0.0), seconds)
    window = common_window(run.t0)
    sim_counts = calendly_counts(stack, window)
    largest = max(org_uris, key=lambda u: sim_counts[u].get("events", 0))
    smallest = min(org_uris, key=lambda u: sim_counts[u].get("events", 0))

    res.row("Organizations x connections", f"{len(org_uris)} x {len(conns) // len(org_uris)}")
    res.row(
        "Scheduled events / invitees in the sync window",
        f"{sum(c.get('events', 0) for c in sim_counts.values()):,} / "
        f"{sum(c.get('invitees', 0) for c in sim_counts.values()):,}",
    )
    res.row("Workers", f"{args.clusters} clusters x {args.workers} = {workers}")
    res.row("Rate limit", f"{limit}/min per Calendly user")
    res.row(
        "Sync all, first sync of every connection",
        f"**{wall:.1f} s**" + ("" if all_synced else f" (only {len(run.finished)} done)"),
    )
    res.row("Rate-limit floor (busiest user)", f"{rate_floor:.1f} s")
    res.row("Worker-capacity floor", f"{worker_floor:.1f} s")
    res.row("CPU floor (our processes' CPU / cores)", f"{cpu_floor:.1f} s")
    res.row(f"Ratio to the binding floor ({binding})", f"**{wall / floor:.2f}x**")
    res.row(
        "Finish times min / median / p90 / max",
        f"{min(times):.1f} / {statistics.median(times):.1f} / {percentile(times, 0.9):.1f} / "
        f"{max(times):.1f} s"
        if times
        else "-",
    )
    res.row(
        "Largest / smallest organization done at",
        f"{org_finish.get(largest, float('nan')):.1f} s ({sim_counts[largest].get('events', 0)} "
        f"events) / {org_finish.get(smallest, float('nan')):.1f} s "
        f"({sim_counts[smallest].get('events', 0)} events)",
    )
    res.row(
        "Requests: sync (first syncs) / charged to users / 429s",
        f"{total_needed:,} / {sum(allowed.values()):,} / {sum(refused.values()):,}",
    )
    status_counts = Counter(sync_runs.values_list("status", flat=True))
    res.row("Sync runs by status", ", ".join(f"{k} {v}" for k, v in sorted(status_counts.items())))
    cores = os.cpu_count() or 1
    ours = sum(run.cpu.values())
    res.row(
        "CPU during the sync",
        f"machine {100 * (run.cpu_busy or 0):.0f}% busy ({cores} cores, shared); ours "
        f"{ours:.0f} s: "
        + ", ".join(f"{k} {v:.0f}" for k, v in sorted(run.cpu.items()))
        + " (PostgreSQL: the whole server's)",
    )
    res.row(
        "Peak RSS",
        ", ".join(
            f"{name} {rss / 2**20:.0f} MB (largest process {stack.peak_process[name] / 2**20:.0f})"
            for name, rss in sorted(stack.peak_rss.items())
        ),
    )

    res.notes.append(
        f"Rate-limit floor: the busiest Calendly user's first sync needed "
        f"{needed[busiest.pk]:,} requests ({busiest.role}); at {limit}/min = "
        f"{per_second:.2f}/s that is {needed[busiest.pk]:,} / {per_second:.2f} = "
        f"{rate_floor:.1f} s. Users run in parallel, so the floor is the maximum over users. "
        f"Calendly's window is fixed (a minute), so a client that spent each window's budget "
        f"at once could finish in {window_floor} s plus the time the last window's requests "
        f"take: the floor above is the sustained rate's."
    )
    res.notes.append(
        f"Worker-capacity floor: the sync runs kept workers busy {busy:.0f} s in all; / {workers} "
        f"workers = {worker_floor:.1f} s"
        + (
            f" (the cluster killed at {run.killed_at:.0f} s lowers the real capacity after it)"
            if run.killed_at is not None
            else ""
        )
        + ". The binding floor is "
        f"the largest of the three (with the CPU floor, {cpu_floor:.1f} s: the CPU our processes and "
        f"the PostgreSQL server used during the sync / {cores} cores), {binding}: {floor:.1f} s; "
        f"measured {wall:.1f} s = {wall / floor:.2f}x."
    )
    interrupted = set(
        SyncRun.objects.filter(status=SyncRun.Status.INTERRUPTED, started_at__gte=run.t0)
        .values_list("connection_id", flat=True)
        .distinct()
    )
    top = sorted(conns, key=lambda c: -needed[c.pk])[:3]
    res.notes.append(
        "Busiest users: "
        + "; ".join(
            f"{c.role} of an organization, {needed[c.pk]} requests, done at "
            f"{run.finished.get(c.pk, float('nan')):.1f} s"
            + (" (its run was on the killed cluster)" if c.pk in interrupted else "")
            for c in top
        )
    )
    unaffected = [c for c in conns if c.pk not in interrupted]
    if interrupted and unaffected:
        busiest_unaffected = max(needed[c.pk] for c in unaffected)
        res.notes.append(
            f"Without the {len(interrupted)} connection(s) whose run the killed cluster held "
            f"(they redo part of a page), the busiest user needed {busiest_unaffected} requests: "
            f"rate-limit floor {busiest_unaffected / per_second:.1f} s."
        )
    per_role: dict[str, list[int]] = defaultdict(list)
    for c in conns:
        per_role[c.role].append(needed[c.pk])
    res.notes.append(
        "Requests per first sync by role: "
        + "; ".join(
            f"{role} {min(v)}-{max(v)} (median {statistics.median(v):.0f})"
            for role, v in sorted(per_role.items())
        )
    )

    # Checks.
    res.check(
        "every connection's first sync succeeded",
        all_synced,
        f"{len(run.finished)} of {len(conns)} within {args.timeout}s",
    )
    overlaps = overlapping_runs()
    res.check(
        "no connection synced twice at once",
        not overlaps,
        f"{len(overlaps)} overlapping run pairs" + (f": {overlaps[:3]}" if overlaps else ""),
    )
    if args.kill:
        res.check(
            "a cluster was killed mid-sync",
            run.killed_at is not None and run.running_at_kill > 0,
            f"{run.running_at_kill} runs in flight at {run.killed_at or 0:.0f}s",
        )
        survivors = [n for n in stack.processes if n.startswith("cluster-") and stack.alive(n)]
        res.check(
            "the other clusters ran to the end",
            len(survivors) == args.clusters - 1,
            f"{len(survivors)} alive",
        )

    log("waiting for webhooks to be delivered and processed")
    sim_deliveries = stack.control("deliveries", wait=60)
    statuses = wait_deliveries_settled(180)
    Status = WebhookDelivery.Status
    stored = sum(statuses.values())
    settled = statuses.get(Status.PROCESSED, 0) + statuses.get(Status.DUPLICATE, 0)
    res.row(
        "Webhooks: sent 2xx / stored by status",
        f"{sim_deliveries['ok']} / " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())),
    )
    res.check(
        "every webhook Calendly delivered is stored",
        stored >= sim_deliveries["ok"] and sim_deliveries["drained"],
        f"{sim_deliveries['ok']} answered 2xx ({sim_deliveries['attempts']} attempts), "
        f"{stored} stored",
    )
    res.check(
        "every stored webhook processed (or recognised as a duplicate)",
        settled == stored,
        f"{settled} of {stored}",
    )
    twice = (
        WebhookDelivery.objects.filter(status=Status.PROCESSED)
        .values_list("event", "payload_uri", "event_created_at")
        .order_by()
    )
    doubled = [k for k, n in Counter(twice).items() if n > 1]
    res.check("no webhook processed twice", not doubled, f"{len(doubled)} processed twice")
    booked = run.burst.get("invitees", [])
    at_calendly = stack.control("invitee_statuses", invitees=booked) if booked else {}
    mirrored = dict(Invitee.objects.filter(uri__in=booked).values_list("uri", "status"))
    wrong = [u for u in booked if mirrored.get(u) != at_calendly.get(u)]
    res.check(
        "the mirror reflects every booking and cancellation of the burst",
        bool(booked) and not wrong,
        f"{len(booked) - len(wrong)} of {len(booked)} invitees as at Calendly",
    )

    log("counting the mirror against Calendly")
    sim_counts = calendly_counts(stack, window)
    mirror = mirror_counts(org_uris, window)
    differ = [
        (uri, sim_counts[uri], dict(mirror[uri]))
        for uri in org_uris
        if (sim_counts[uri].get("events", 0), sim_counts[uri].get("invitees", 0))
        != (mirror[uri].get("events", 0), mirror[uri].get("invitees", 0))
    ]
    res.check(
        "mirror rows per organization equal Calendly's (events, invitees)",
        not differ,
        f"{len(org_uris) - len(differ)} of {len(org_uris)} equal"
        + (f"; first: {differ[0]}" if differ else ""),
    )
    stack.control("set_rate_limit", rate_limit=1_000_000)  # the doctor is not measured
    sample = conns[:: max(1, len(conns) // args.doctor_sample)][: args.doctor_sample]
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda c: doctor(stack, c.pk), sample))
    bad = [(pk, detail) for pk, ok, detail in answers if not ok]
    res.check(
        f"calendly_doctor --verify on {len(sample)} connections",
        not bad,
        f"{len(sample) - len(bad)} equal" + (f"; {bad[:2]}" if bad else ""),
    )
    return res


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=20, help="Calendly organizations (20).")
    parser.add_argument("--users-per-org", type=int, default=10, help="Connected users each.")
    parser.add_argument("--size", help="Simulator dataset ('fleet' when it has one).")
    parser.add_argument("--clusters", type=int, default=2, help="qcluster processes (2).")
    parser.add_argument("--workers", type=int, default=2, help="Workers per cluster (2).")
    parser.add_argument("--rate-limit", type=int, default=500, help="Per user and minute.")
    parser.add_argument("--sync-interval", type=int, default=2, help="Minutes (2; prod 15).")
    parser.add_argument(
        "--backfill-days",
        type=int,
        default=200,
        help="SYNC_BACKFILL_DAYS (200: the window holds all the simulator's events; prod 30).",
    )
    parser.add_argument("--max-per-org", type=int, help="SYNC_MAX_PER_ORGANIZATION (app's).")
    parser.add_argument("--round-size", type=int, help="SYNC_ROUND_SIZE (app's default).")
    parser.add_argument("--round-minutes", type=float, help="SYNC_ROUND_MINUTES (app's).")
    parser.add_argument("--burst-book", type=int, default=5, help="Bookings per organization.")
    parser.add_argument("--burst-cancel", type=int, default=2, help="Of them canceled.")
    parser.add_argument("--burst-at", type=float, default=0.2, help="Share synced (0.2).")
    parser.add_argument("--kill-at", type=float, default=0.4, help="Share synced (0.4).")
    parser.add_argument("--no-kill", dest="kill", action="store_false")
    parser.add_argument("--doctor-sample", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=720, help="Seconds for the sync.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep-logs", action="store_true")
    args = parser.parse_args(argv)
    if args.kill and args.clusters < 2:
        parser.error("killing a cluster needs --clusters 2 or more")
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    require_services(database_url, redis_url)
    multi, sizes = simulator_capabilities()
    if not multi:
        log("this simulator has one organization: each is emulated by a simulator of its own")
    size = args.size or ("fleet" if "fleet" in sizes else "demo")
    logs = Path(tempfile.mkdtemp(prefix="calendly-fleet-"))
    stack = Stack(
        logs=logs,
        server_url=database_url,
        redis_url=redis_url,
        database=f"{database_name(database_url)}_bench",
        workers_per_cluster=args.workers,
        sync_interval=args.sync_interval,
        backfill_days=args.backfill_days,
        scheduler={
            name: str(value)
            for name, value in (
                ("SYNC_MAX_PER_ORGANIZATION", args.max_per_org),
                ("SYNC_ROUND_SIZE", args.round_size),
                ("SYNC_ROUND_MINUTES", args.round_minutes),
            )
            if value is not None
        },
    )
    res = Results()
    try:
        log(f"logs in {logs}; database {stack.database}, queue {stack.queue}")
        stack.start_simulator(args.orgs, size, args.rate_limit, args.seed)
        stack.start_sampling()
        info = stack.control("info")
        info["organizations"] = info["organizations"][: args.orgs]
        log(f"simulator {stack.simulator_url}: {len(info['organizations'])} organizations")
        stack.create_database()
        os.environ.update(stack.environment())
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        stack.purge_queue()
        from calendly_integration import tasks

        stack.start_site()
        for n in range(1, args.clusters + 1):
            stack.start_cluster(f"cluster-{n}")
        conns = connect_all(stack, info["organizations"], args.users_per_org)
        log(f"{len(conns)} connections made; waiting for their webhook subscriptions")
        wait_subscribed(conns)
        tasks.ensure_schedules()
        tasks.ensure_webhook_schedules()
        _push_back_sync_schedule()
        log("every connection subscribed; sync all starts")
        run = measure(stack, conns, args)
        log(f"{len(run.finished)}/{len(conns)} first syncs done at {run.end:.1f}s")
        res = judge(stack, conns, run, info, args)
    finally:
        stack.close()
        if not args.keep_logs and res.passed and res.checks:
            for path in logs.iterdir():
                path.unlink()
            logs.rmdir()
    res.row("Benchmark wall time (setup to checks)", f"{time.monotonic() - STARTED:.0f} s")
    res.print()
    if not res.passed:
        print(f"Logs of every process: {logs}")
    return 0 if res.passed and res.checks else 1


def _push_back_sync_schedule() -> None:
    """The periodic "sync all" next runs one period from now: the run queues its first."""
    from datetime import timedelta

    from django.utils import timezone
    from django_q.models import Schedule

    from calendly_integration import tasks

    for schedule in Schedule.objects.filter(name=tasks.SYNC_ALL_SCHEDULE):
        schedule.next_run = timezone.now() + timedelta(minutes=schedule.minutes or 1)
        schedule.save(update_fields=["next_run"])


if __name__ == "__main__":
    sys.exit(main())
