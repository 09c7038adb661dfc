"""The fleet benchmark's processes: the simulator, the site, the worker clusters, the database.

Every child is a separate OS process in its own process group (as it would be on its own host),
started with the same environment, so SIGKILL of a cluster takes its sentinel, pusher and workers
down at once, as a lost machine would. Their output goes to log files in a directory the
benchmark names. A sampler thread reads the resident memory of every process group once a second
for the peak-RSS figures.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
SIGNING_KEY = "fleet-signing-key"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def database_name(url: str) -> str:
    return urlsplit(url).path.strip("/") or "postgres"


def wait_for(url: str, timeout: float = 60.0) -> bool:
    """Poll until the URL answers at all (any HTTP status counts as up)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            time.sleep(0.2)
    return False


TICK = os.sysconf("SC_CLK_TCK")


def group_usage(pgid: int) -> tuple[int, int, float]:
    """Resident memory (bytes) of the processes in the group, summed and the largest one's, and
    the CPU seconds they (and their reaped children) used so far."""
    total = largest = 0
    ticks = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:
                continue
            ticks += sum(int(v) for v in fields[11:15])
            with open(f"/proc/{entry}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        rss = int(line.split()[1]) * 1024
                        total += rss
                        largest = max(largest, rss)
        except (OSError, IndexError, ValueError):
            continue
    return total, largest, ticks / TICK


def postgres_cpu() -> float:
    """CPU seconds used so far by the PostgreSQL server's processes (every database's)."""
    ticks = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                head, rest = stat.read().rsplit(")", 1)
            if head.split("(", 1)[1] in ("postgres", "postmaster"):
                ticks += sum(int(v) for v in rest.split()[11:15])
        except (OSError, IndexError, ValueError):
            continue
    return ticks / TICK


@dataclass
class Stack:
    """Names and owns everything the benchmark starts; ``close()`` undoes all of it."""

    logs: Path
    server_url: str
    redis_url: str
    database: str
    workers_per_cluster: int = 2
    sync_interval: int = 2
    lock_seconds: int = 60
    backfill_days: int = 200
    scheduler: dict[str, str] = field(default_factory=dict)
    simulator_url: str = ""
    control_port: int = field(default_factory=free_port)
    site_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    peak_rss: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    peak_process: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    cpu_seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    _sampling: threading.Event = field(default_factory=threading.Event)

    @property
    def database_url(self) -> str:
        return with_database(self.server_url, self.database)

    @property
    def queue(self) -> str:
        return f"calendly-{self.database}"

    @property
    def site_url(self) -> str:
        return f"http://127.0.0.1:{self.site_port}"

    def environment(self) -> dict[str, str]:
        """What every child (and this process, before ``django.setup()``) runs with."""
        return {
            "DJANGO_SETTINGS_MODULE": "tests.benchmarks.fleet_settings",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "FLEET_QUEUE": self.queue,
            "FLEET_WORKERS": str(self.workers_per_cluster),
            "FLEET_SYNC_INTERVAL": str(self.sync_interval),
            "FLEET_LOCK_SECONDS": str(self.lock_seconds),
            "FLEET_BACKFILL_DAYS": str(self.backfill_days),
            **{f"FLEET_{name}": value for name, value in self.scheduler.items()},
            "FLEET_SIGNING_KEY": SIGNING_KEY,
            # Loopback only: the simulator stands in for Calendly whatever the shell has set.
            "CALENDLY_SIMULATOR_URL": self.simulator_url,
            "CALENDLY_API_BASE_URL": self.simulator_url,
            "CALENDLY_AUTH_BASE_URL": self.simulator_url,
            "CALENDLY_CLIENT_ID": "demo-client",
            "CALENDLY_CLIENT_SECRET": "demo-secret",
            "CALENDLY_API_KEY": "",
            "CALENDLY_PUBLIC_BASE_URL": self.site_url,
            "PYTHONUNBUFFERED": "1",
        }

    # The database and the queue.

    def _admin(self) -> Any:
        import psycopg

        return psycopg.connect(with_database(self.server_url, "postgres"), autocommit=True)

    def create_database(self) -> None:
        """Drop what a previous run left under this name, then create it afresh."""
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self.database}"')

    def drop_database(self) -> None:
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def purge_queue(self) -> None:
        import redis

        client = redis.Redis.from_url(self.redis_url)
        try:
            keys = list(client.scan_iter(f"django_q:{self.queue}*"))
            if keys:
                client.delete(*keys)
        finally:
            client.close()

    # Children.

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(
            args,
            cwd=ROOT,
            env={**os.environ, **self.environment()},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.processes[name] = process
        return process

    def start_simulator(self, organizations: int, size: str, rate_limit: int, seed: int) -> None:
        sim_port = free_port()
        self._spawn(
            "simulator",
            [
                PYTHON,
                "-m",
                "tests.benchmarks.fleet_simulator",
                "--organizations",
                str(organizations),
                "--size",
                size,
                "--seed",
                str(seed),
                "--port",
                str(sim_port),
                "--control-port",
                str(self.control_port),
                "--rate-limit",
                str(rate_limit),
                "--signing-key",
                SIGNING_KEY,
            ],
        )
        self.simulator_url = f"http://127.0.0.1:{sim_port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.processes["simulator"].poll() is not None:
                raise RuntimeError(f"the simulator exited; see {self.logs / 'simulator.log'}")
            try:
                self.control("info")
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"the simulator did not start; see {self.logs / 'simulator.log'}")

    def control(self, name: str, timeout: float = 120, **body: Any) -> Any:
        """Ask the simulator's control port (see ``fleet_simulator.Control``)."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.control_port}/{name}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                return json.loads(answer.read())
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"control {name}: {exc.read().decode()}") from None

    def manage(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
        """Run a management command in a process of its own; its output comes back."""
        return subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env={**os.environ, **self.environment()},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def start_site(self) -> None:
        self._spawn(
            "site",
            [
                GUNICORN,
                "project.wsgi",
                "--bind",
                f"127.0.0.1:{self.site_port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--graceful-timeout",
                "5",
            ],
        )
        if not wait_for(f"{self.site_url}/"):
            raise RuntimeError(f"the site did not start; see {self.logs / 'site.log'}")

    def start_cluster(self, name: str) -> None:
        self._spawn(name, [PYTHON, "manage.py", "qcluster"])

    def kill(self, name: str) -> None:
        """SIGKILL a child's whole process group: no cleanup, no goodbye."""
        process = self.processes[name]
        self._sample_one(name, process)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def alive(self, name: str) -> bool:
        process = self.processes.get(name)
        return process is not None and process.poll() is None

    # Memory.

    def _sample_one(self, name: str, process: subprocess.Popen) -> None:
        if process.poll() is None:
            total, largest, cpu = group_usage(process.pid)
            self.cpu_seconds[name] = max(self.cpu_seconds[name], cpu)
            self.peak_rss[name] = max(self.peak_rss[name], total)
            self.peak_process[name] = max(self.peak_process[name], largest)

    def cpu_now(self) -> dict[str, float]:
        """CPU seconds each child's group used so far (a dead one's: as last sampled)."""
        for name, process in list(self.processes.items()):
            self._sample_one(name, process)
        return {**self.cpu_seconds, "postgresql": postgres_cpu()}

    def start_sampling(self, interval: float = 1.0) -> None:
        def run() -> None:
            while not self._sampling.wait(interval):
                for name, process in list(self.processes.items()):
                    self._sample_one(name, process)

        threading.Thread(target=run, daemon=True).start()

    def close(self, keep_database: bool = False) -> None:
        self._sampling.set()
        for process in self.processes.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        with contextlib.suppress(Exception):
            self.purge_queue()
        if not keep_database:
            with contextlib.suppress(Exception):
                self.drop_database()
