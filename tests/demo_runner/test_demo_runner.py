"""``make demo``'s runner: it brings the whole stack up, and one Ctrl-C takes all of it down.

project/demo.py runs as a real subprocess on free ports with a scratch SQLite file and the ORM
broker; every process it started (and the worker's own pool) must be gone after SIGINT.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WAIT = 120.0

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/task").exists(), reason="finding child processes reads /proc (Linux)"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid``, from /proc's children lists."""
    found: set[int] = set()
    pending = [pid]
    while pending:
        parent = pending.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    pending.append(child)
    return found


def alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


class Demo:
    def __init__(self, tmp_path: Path) -> None:
        self.port, self.sim_port = free_port(), free_port()
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("CALENDLY_", "DATABASE_URL", "REDIS_URL", "DJANGO_PORT"))
        }
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
        env["Q_WORKERS"] = "1"
        self.output: list[str] = []
        self.process = subprocess.Popen(
            [
                sys.executable,
                "project/demo.py",
                "--port",
                str(self.port),
                "--sim-port",
                str(self.sim_port),
            ],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)

    @property
    def text(self) -> str:
        return "".join(self.output)

    def wait_for(self, predicate, what: str) -> None:
        deadline = time.monotonic() + WAIT
        while not predicate():
            assert self.process.poll() is None, f"the demo exited early:\n{self.text}"
            assert time.monotonic() < deadline, f"{what} never happened:\n{self.text}"
            time.sleep(0.2)


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    demo = Demo(tmp_path)
    yield demo
    if demo.process.poll() is None:  # a failed test must not leave the stack running
        leftovers = descendants(demo.process.pid)
        demo.process.send_signal(signal.SIGINT)
        try:
            demo.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            demo.process.kill()
        for pid in leftovers:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_the_demo_starts_everything_and_ctrl_c_stops_every_process(demo: Demo) -> None:
    site = f"http://127.0.0.1:{demo.port}"
    simulator = f"http://127.0.0.1:{demo.sim_port}"
    demo.wait_for(lambda: "Press Ctrl-C to stop everything" in demo.text, "the banner")
    demo.wait_for(lambda: "Q Cluster" in demo.text and "running." in demo.text, "the worker")
    assert answers(f"{site}/")
    assert answers(f"{simulator}/console/")
    assert f"{site}/admin/" in demo.text and "password 'admin'" in demo.text
    assert f"{simulator}/console/" in demo.text
    assert f"delivered to {site}/calendly/webhooks/" in demo.text
    children = descendants(demo.process.pid)
    assert len(children) >= 4, children  # simulator, server, worker and the worker's pool

    demo.process.send_signal(signal.SIGINT)
    assert demo.process.wait(timeout=60) == 0, demo.text
    assert [pid for pid in children if alive(pid)] == []
    assert not answers(f"{site}/") and not answers(f"{simulator}/console/")
    assert "Stopped everything" in demo.text
