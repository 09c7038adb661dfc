"""The soak's processes: a scratch PostgreSQL database, the site under gunicorn, two django-q2 clusters.

Every child runs ``tests.soak.settings`` with the same environment, in its own process group, so
killing a worker with SIGKILL takes its whole cluster (sentinel, pusher, workers) down at once, as
a lost machine would, and nothing it started lingers. Their output goes to log files whose path
the runner prints.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/4"
#: The app's webhook signing key, shared by the simulator and the site (``tests.soak.settings``).
SIGNING_KEY = "soak-signing-key"
#: The site's read timeout: the simulator's injected slow answers take longer than this.
READ_TIMEOUT = 2.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def wait_for(url: str, timeout: float = 30.0) -> bool:
    """Poll until the URL answers at all (any HTTP status counts as up)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            time.sleep(0.2)
    return False


@dataclass
class Stack:
    """Names and owns everything the soak starts; ``close()`` undoes all of it."""

    logs: Path
    simulator_url: str = ""
    server_url: str = os.environ.get("DATABASE_URL", "") or DEFAULT_DATABASE_URL
    redis_url: str = os.environ.get("REDIS_URL", "") or DEFAULT_REDIS_URL
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    site_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    database_created: bool = False

    @property
    def database_name(self) -> str:
        return f"soak_{self.run_id}"

    @property
    def database_url(self) -> str:
        return with_database(self.server_url, self.database_name)

    @property
    def queue(self) -> str:
        return f"calendly-soak-{self.run_id}"

    @property
    def site_url(self) -> str:
        return f"http://127.0.0.1:{self.site_port}"

    def environment(self) -> dict[str, str]:
        """What every child (and this process, before ``django.setup()``) runs with."""
        return {
            "DJANGO_SETTINGS_MODULE": "tests.soak.settings",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "SOAK_QUEUE": self.queue,
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

    # The scratch database and the queue.

    def _admin(self) -> Any:
        import psycopg

        return psycopg.connect(with_database(self.server_url, "postgres"), autocommit=True)

    def create_database(self) -> None:
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{self.database_name}"')
        self.database_created = True

    def drop_database(self) -> None:
        if not self.database_created:
            return
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.database_name}" WITH (FORCE)')
        self.database_created = False

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

    def manage(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        """Run a management command to completion; its output comes back in the result."""
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

    def start_worker(self, name: str) -> None:
        self._spawn(name, [PYTHON, "manage.py", "qcluster"])

    def kill(self, name: str) -> None:
        """SIGKILL a child's whole process group: no cleanup, no goodbye."""
        process = self.processes[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def pause(self, name: str, paused: bool = True) -> None:
        """SIGSTOP (or SIGCONT) a child's process group: it holds still, takes no tasks."""
        os.killpg(self.processes[name].pid, signal.SIGSTOP if paused else signal.SIGCONT)

    def alive(self, name: str) -> bool:
        process = self.processes.get(name)
        return process is not None and process.poll() is None

    def close(self) -> None:
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
        self.drop_database()
