"""Child processes for the soak and the fleet benchmark: the site under gunicorn, django-q2
clusters and management commands, each a separate OS process in its own process group, as on its
own host, with its output in a log file; and the scratch database and Redis queue they share.

A process group per child means SIGKILL of a cluster takes its sentinel, pusher and workers down
at once, as a lost machine would, and nothing it started lingers.
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
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


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


class ProcessStack:
    """What a stack does with its children; the dataclass that uses it names them.

    Expects ``logs``, ``server_url``, ``redis_url``, ``site_port``, ``processes`` and the
    ``queue``, ``site_url`` and ``environment()`` every child runs with.
    """

    logs: Path
    server_url: str
    redis_url: str
    site_port: int
    processes: dict[str, subprocess.Popen]
    queue: str

    simulator_url: str

    @property
    def site_url(self) -> str:
        return f"http://127.0.0.1:{self.site_port}"

    def environment(self) -> dict[str, str]:
        raise NotImplementedError

    def calendly_environment(self) -> dict[str, str]:
        """The part of every child's environment that points the app at the simulator: loopback
        only, whatever the shell has set."""
        return {
            "CALENDLY_SIMULATOR_URL": self.simulator_url,
            "CALENDLY_API_BASE_URL": self.simulator_url,
            "CALENDLY_AUTH_BASE_URL": self.simulator_url,
            "CALENDLY_CLIENT_ID": "demo-client",
            "CALENDLY_CLIENT_SECRET": "demo-secret",
            "CALENDLY_API_KEY": "",
            "CALENDLY_PUBLIC_BASE_URL": self.site_url,
            "PYTHONUNBUFFERED": "1",
        }

    def _admin(self) -> Any:
        import psycopg

        return psycopg.connect(with_database(self.server_url, "postgres"), autocommit=True)

    def purge_queue(self) -> None:
        import redis

        client = redis.Redis.from_url(self.redis_url)
        try:
            keys = list(client.scan_iter(f"django_q:{self.queue}*"))
            if keys:
                client.delete(*keys)
        finally:
            client.close()

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
        bind = f"127.0.0.1:{self.site_port}"
        options = ["--workers", "2", "--threads", "4", "--graceful-timeout", "5"]
        self._spawn("site", [GUNICORN, "project.wsgi", "--bind", bind, *options])
        if not wait_for(f"{self.site_url}/"):
            raise RuntimeError(f"the site did not start; see {self.logs / 'site.log'}")

    def start_cluster(self, name: str) -> None:
        self._spawn(name, [PYTHON, "manage.py", "qcluster"])

    def kill(self, name: str) -> None:
        """SIGKILL a child's whole process group: no cleanup, no goodbye."""
        process = self.processes[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def alive(self, name: str) -> bool:
        process = self.processes.get(name)
        return process is not None and process.poll() is None

    def stop_children(self) -> None:
        """SIGTERM every child's group, SIGKILL what is left after 15 s, then empty the queue."""
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
