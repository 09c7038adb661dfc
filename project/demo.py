"""Run the whole demo stack until Ctrl-C: the Calendly simulator, the Django server and a worker.

One process supervises the others so that a single Ctrl-C stops everything it started, and a child
that dies takes the demo down with a clear message instead of leaving half a stack running.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SIMULATOR_PORT = int(os.environ.get("CALENDLY_SIMULATOR_PORT", "8765"))
DJANGO_PORT = int(os.environ.get("DJANGO_PORT", "8000"))
DEMO_USERNAME = os.environ.get("DEMO_USERNAME", "admin")
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "admin")


def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, check=True)


def start(name: str, args: list[str]) -> subprocess.Popen:
    print(f"starting {name}", flush=True)
    return subprocess.Popen([PYTHON, "manage.py", *args], cwd=ROOT)


def wait_for(url: str, timeout: float = 30.0) -> bool:
    """Poll until the URL answers at all (any HTTP status counts as up)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 (loopback URL we built)
                return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            time.sleep(0.2)
    return False


def create_superuser() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=DEMO_USERNAME, defaults={"email": f"{DEMO_USERNAME}@example.com"}
    )
    if created or not user.is_superuser:
        user.is_staff = user.is_superuser = True
        user.set_password(DEMO_PASSWORD)
        user.save()


def main() -> int:
    simulator_url = f"http://127.0.0.1:{SIMULATOR_PORT}"
    os.environ.setdefault("CALENDLY_SIMULATOR_URL", simulator_url)
    os.environ.setdefault("CALENDLY_PUBLIC_BASE_URL", f"http://127.0.0.1:{DJANGO_PORT}")
    manage("migrate", "--noinput", "--verbosity", "0")
    create_superuser()
    manage("calendly_setup_schedules")
    children = [
        (
            "simulator",
            start(
                "the Calendly simulator",
                ["calendly_simulator", "--port", str(SIMULATOR_PORT), "--size", "demo"],
            ),
        ),
        ("django", start("Django", ["runserver", f"127.0.0.1:{DJANGO_PORT}", "--noreload"])),
        ("worker", start("a django-q2 worker", ["qcluster"])),
    ]
    wait_for(f"{simulator_url}/oauth/authorize")
    wait_for(f"http://127.0.0.1:{DJANGO_PORT}/")
    print(
        "\nThe demo is running:\n"
        f"  site       http://127.0.0.1:{DJANGO_PORT}/\n"
        f"  admin      http://127.0.0.1:{DJANGO_PORT}/admin/  "
        f"(user {DEMO_USERNAME!r}, password {DEMO_PASSWORD!r})\n"
        f"  simulator  {simulator_url}/  (a stand-in for api.calendly.com and auth.calendly.com)\n"
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
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    sys.exit(main())
