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
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.process_stack import PYTHON, ProcessStack, free_port, wait_for, with_database

__all__ = ["Stack", "free_port", "wait_for", "with_database"]

SIGNING_KEY = "fleet-signing-key"


def database_name(url: str) -> str:
    return urlsplit(url).path.strip("/") or "postgres"


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
class Stack(ProcessStack):
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
            **self.calendly_environment(),
        }

    # The database and the queue.

    def create_database(self) -> None:
        """Drop what a previous run left under this name, then create it afresh."""
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self.database}"')

    def drop_database(self) -> None:
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

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

    def kill(self, name: str) -> None:
        """SIGKILL a cluster as ``ProcessStack.kill`` does, its memory and CPU sampled first."""
        self._sample_one(name, self.processes[name])
        super().kill(name)

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
        self.stop_children()
        if not keep_database:
            with contextlib.suppress(Exception):
                self.drop_database()
