"""Run the whole demo stack until Ctrl-C: the Calendly simulator and the Django server.

One process supervises the others so that a single Ctrl-C stops everything it started, and a child
that dies takes the demo down with a clear message instead of leaving half a stack running.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SIMULATOR_PORT = int(os.environ.get("CALENDLY_SIMULATOR_PORT", "8765"))
DJANGO_PORT = int(os.environ.get("DJANGO_PORT", "8000"))


def start(name: str, args: list[str]) -> subprocess.Popen:
    print(f"starting {name}: {' '.join(args)}", flush=True)
    return subprocess.Popen([PYTHON, "manage.py", *args], cwd=ROOT)


def wait_for(url: str, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 (loopback URL we built)
                return True
        except OSError:
            time.sleep(0.2)
        except Exception:
            return True
    return False


def main() -> int:
    env_url = f"http://127.0.0.1:{SIMULATOR_PORT}"
    os.environ.setdefault("CALENDLY_SIMULATOR_URL", env_url)
    children = [
        (
            "simulator",
            start(
                "Calendly simulator",
                ["calendly_simulator", "--port", str(SIMULATOR_PORT), "--size", "demo"],
            ),
        ),
        ("django", start("Django", ["runserver", f"127.0.0.1:{DJANGO_PORT}", "--noreload"])),
    ]
    wait_for(f"{env_url}/oauth/authorize")
    wait_for(f"http://127.0.0.1:{DJANGO_PORT}/")
    print(
        "\nThe demo is running:\n"
        f"  site       http://127.0.0.1:{DJANGO_PORT}/\n"
        f"  admin      http://127.0.0.1:{DJANGO_PORT}/admin/\n"
        f"  simulator  {env_url}/  (a stand-in for api.calendly.com and auth.calendly.com)\n"
        "Press Ctrl-C to stop everything.\n",
        flush=True,
    )
    try:
        while True:
            for name, process in children:
                if process.poll() is not None:
                    print(f"{name} exited with code {process.returncode}; stopping.", flush=True)
                    return process.returncode or 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        return 0
    finally:
        for _, process in children:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for _, process in children:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    sys.exit(main())
