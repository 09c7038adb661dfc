"""The soak's processes: a scratch PostgreSQL database, the site under gunicorn, two django-q2 clusters.

Every child runs ``tests.soak.settings`` with the same environment, in its own process group, so
killing a worker with SIGKILL takes its whole cluster (sentinel, pusher, workers) down at once, as
a lost machine would, and nothing it started lingers. Their output goes to log files whose path
the runner prints.
"""

from __future__ import annotations

import os
import signal
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from tests.process_stack import ROOT, ProcessStack, free_port, wait_for, with_database

__all__ = ["ROOT", "Stack", "free_port", "wait_for", "with_database"]

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/4"
#: The app's webhook signing key, shared by the simulator and the site (``tests.soak.settings``).
SIGNING_KEY = "soak-signing-key"
#: The site's read timeout: the simulator's injected slow answers take longer than this.
READ_TIMEOUT = 2.0


@dataclass
class Stack(ProcessStack):
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

    def environment(self) -> dict[str, str]:
        """What every child (and this process, before ``django.setup()``) runs with."""
        return {
            "DJANGO_SETTINGS_MODULE": "tests.soak.settings",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "SOAK_QUEUE": self.queue,
            **self.calendly_environment(),
        }

    # The scratch database and the queue.

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

    def pause(self, name: str, paused: bool = True) -> None:
        """SIGSTOP (or SIGCONT) a child's process group: it holds still, takes no tasks."""
        os.killpg(self.processes[name].pid, signal.SIGSTOP if paused else signal.SIGCONT)

    def close(self) -> None:
        self.stop_children()
        self.drop_database()
