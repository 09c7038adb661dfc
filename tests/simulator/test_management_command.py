"""``manage.py calendly_simulator`` serves until stopped and prints what a developer needs."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def default_sigint() -> None:
    """Undo an inherited "ignore SIGINT" (pytest-xdist's workers ignore it), as a terminal would."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_the_command_serves_and_stops_on_ctrl_c() -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "calendly_simulator", "--port", str(port), "--size", "small"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=default_sigint,
    )
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "Press Ctrl-C" in line:
                break
        output = "".join(lines)
        assert f"http://127.0.0.1:{port}" in output
        assert "demo-client" in output and "demo-secret" in output
        token = re.search(r"Personal access token \(owner\): (\S+)", output).group(1)
        me = requests.get(
            f"http://127.0.0.1:{port}/users/me",
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )
        assert me.status_code == 200
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=15)
        assert process.returncode == 0, rest
        assert "stopped" in rest
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_the_command_stops_on_sigterm() -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "calendly_simulator", "--port", str(port), "--size", "small"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        while "Press Ctrl-C" not in (process.stdout.readline() or "Press Ctrl-C"):
            pass
        process.terminate()
        process.communicate(timeout=15)
        assert process.returncode == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
