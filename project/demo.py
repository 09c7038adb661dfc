"""Run the whole demo until Ctrl-C: the Calendly simulator, the Django server, a django-q2 worker.

``make demo`` runs this. It migrates, creates the demo superuser and the periodic schedules, then
supervises the other processes, so that one Ctrl-C (or SIGTERM) stops everything it started and a
child that dies takes the rest down with a message saying which one, instead of leaving half a
stack running. Each child runs in its own session (process group): the terminal's Ctrl-C reaches
only this supervisor, which stops the children in order, and a child's own subprocesses (the
worker's pool) go with it.

With ``CALENDLY_CLIENT_ID`` or ``CALENDLY_API_KEY`` set, the settings point at api.calendly.com and
no simulator is started; with ``CALENDLY_API_KEY`` the demo superuser is connected with that token.
``--organizations N`` (or ``CALENDLY_SIMULATOR_ORGANIZATIONS``) seeds N Calendly organizations in
the simulator; the banner then shows one owner token per organization.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
STARTUP_TIMEOUT = 90.0
STOP_TIMEOUT = 15.0
PAT_LINE = "Personal access token (owner): "
#: The simulator command's line for the owner token of a second or later organization.
EXTRA_PAT = re.compile(r"Personal access token \(owner of organization (\d+), (.*)\): (\S+)")


class Stop(Exception):
    """Ctrl-C or SIGTERM reached the supervisor."""


@dataclass
class Child:
    """One supervised process; its output is relayed line by line with its name in front."""

    name: str
    process: subprocess.Popen
    lines: list[str] = field(default_factory=list)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def signal_group(self, signum: int) -> None:
        """Signal the child's whole process group (it leads its own session)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signum)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("DJANGO_PORT", "8000")))
    parser.add_argument(
        "--sim-port", type=int, default=int(os.environ.get("CALENDLY_SIMULATOR_PORT", "8765"))
    )
    parser.add_argument("--username", default=os.environ.get("DEMO_USERNAME", "admin"))
    parser.add_argument("--password", default=os.environ.get("DEMO_PASSWORD", "admin"))
    parser.add_argument(
        "--organizations",
        type=int,
        default=int(os.environ.get("CALENDLY_SIMULATOR_ORGANIZATIONS", "1")),
        help="Calendly organizations the simulator seeds (default 1).",
    )
    args = parser.parse_args(argv)
    if args.organizations < 1:
        parser.error(f"--organizations must be at least 1, not {args.organizations}")
    return args


def check_port_free(port: int, option: str) -> None:
    """Fail before starting anything when a port is taken (often: a demo still running)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers bind
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            raise RuntimeError(
                f"Port {port} on 127.0.0.1 is in use (another demo still running?); "
                f"stop that or pick another port with {option}."
            ) from None


def raise_stop(signum: int, frame: Any) -> None:
    """SIGINT and SIGTERM both end the demo through the same ``finally``."""
    raise Stop


def setup_django(args: argparse.Namespace) -> Any:
    """Point the settings at this run's ports, then load Django in this process."""
    os.environ["DJANGO_PORT"] = str(args.port)
    os.environ["CALENDLY_SIMULATOR_URL"] = f"http://127.0.0.1:{args.sim_port}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    os.environ.setdefault("CALENDLY_WEBHOOK_ORGANIZATION_SCOPE", "1")
    os.environ["PYTHONUNBUFFERED"] = "1"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    return settings


def prepare_database(args: argparse.Namespace) -> None:
    """Migrate, create (or reset) the demo superuser and the django-q2 schedules."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(
        username=args.username, defaults={"email": f"{args.username}@example.com"}
    )
    user.is_staff = user.is_superuser = True
    user.set_password(args.password)
    user.save()
    call_command("calendly_setup_schedules", stdout=io.StringIO())


def connect_demo_user_with_token(args: argparse.Namespace, token: str) -> str:
    """With a personal access token configured, connect the demo superuser with it."""
    from django.contrib.auth import get_user_model

    from calendly_integration.exceptions import InvalidPersonalAccessToken
    from calendly_integration.oauth.connect import connect_personal_access_token

    user = get_user_model().objects.get(username=args.username)
    try:
        connection = connect_personal_access_token(user, token)
    except InvalidPersonalAccessToken as exc:
        return f"CALENDLY_API_KEY was not accepted: {exc}"
    return f"{args.username!r} is connected to Calendly as {connection.name or connection.email}"


def relay(child: Child, stream: IO[str]) -> None:
    """Copy a child's output to ours, prefixed, and keep it (the banner reads the simulator's)."""
    for line in stream:
        child.lines.append(line)
        sys.stdout.write(f"[{child.name}] {line}")
        sys.stdout.flush()


def start(name: str, args: list[str]) -> Child:
    """Run ``manage.py <args>`` in a session of its own, with its output relayed."""
    process = subprocess.Popen(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
        start_new_session=True,
    )
    child = Child(name, process)
    assert process.stdout is not None
    threading.Thread(target=relay, args=(child, process.stdout), daemon=True).start()
    return child


def answers(url: str) -> bool:
    """True when the URL answers at all (any HTTP status counts as up)."""
    try:
        with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (a loopback URL built here)
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def wait_until_up(children: list[Child], urls: list[str]) -> None:
    """Wait for every URL to answer; fail as soon as a child dies or the time is up."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    pending = list(urls)
    while pending:
        dead = first_dead(children)
        if dead is not None:
            raise RuntimeError(died_message(dead))
        if time.monotonic() > deadline:
            raise RuntimeError(f"{pending[0]} did not answer within {STARTUP_TIMEOUT:.0f} s.")
        if answers(pending[0]):
            pending.pop(0)
        else:
            time.sleep(0.2)


def first_dead(children: list[Child]) -> Child | None:
    return next((child for child in children if not child.alive), None)


def died_message(child: Child) -> str:
    return f"The {child.name} process exited (code {child.process.returncode}); stopping the demo."


def stop_all(children: list[Child]) -> None:
    """SIGINT every child's group, the simulator last; SIGKILL whatever is left after that.

    The server and the worker stop together, while the simulator they may be talking to is still
    up, so a task in flight finishes instead of failing on a refused connection.
    """
    waves = [
        [c for c in children if c.name != "simulator"],
        [c for c in children if c.name == "simulator"],
    ]
    for wave in waves:
        for child in wave:
            if child.alive:
                child.signal_group(signal.SIGINT)
        deadline = time.monotonic() + STOP_TIMEOUT
        for child in wave:
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"The {child.name} process did not stop in time; killing it.", flush=True)
            child.signal_group(signal.SIGKILL)  # stragglers: the leader's own subprocesses
            child.process.wait()


def describe_stack(settings: Any) -> str:
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        db = f"SQLite {database['NAME']}"
    else:
        db = f"{database['ENGINE'].rsplit('.', 1)[-1]} database {database['NAME']!r}"
    broker = "Redis" if "redis" in settings.Q_CLUSTER else "the ORM (database) broker"
    return f"{db}, django-q2 on {broker}"


def banner(args: argparse.Namespace, settings: Any, sim: Child | None, notes: list[str]) -> str:
    # Calendly accepts plain-http redirect URIs on "localhost" only (Sandbox apps), and allauth
    # builds the redirect URI from the address in the browser.
    host = "127.0.0.1" if sim is not None else "localhost"
    site = f"http://{host}:{args.port}"
    calendly = settings.CALENDLY
    lines = [
        "",
        "The Calendly integration demo is running",
        f"  ({describe_stack(settings)}).",
        f"  Site              {site}/",
        f"  Sign in           {site}/accounts/login/",
        f"  Connect Calendly  {site}/calendly/connections/",
        f"  Admin             {site}/admin/  (user {args.username!r}, password {args.password!r})",
        f"  API docs          {site}/api/docs/",
    ]
    if sim is not None:
        sim_url = settings.SIMULATOR_URL
        token = next((ln.split(PAT_LINE, 1)[1].strip() for ln in sim.lines if PAT_LINE in ln), "")
        lines += [
            f"  Simulator         {sim_url}/console/  (book, cancel, reschedule as an invitee)",
            "  Calendly          the built-in simulator stands in for api.calendly.com and",
            "                    auth.calendly.com; on its sign-in page pick a user and Approve",
            "                    (no password).",
        ]
        if token:
            lines.append(
                f"  Token             {token}  (the simulator owner's; for a token connection)"
            )
        for line in sim.lines:
            match = EXTRA_PAT.search(line)
            if match:
                index, name, extra = match.groups()
                lines.append(
                    f"  Token             {extra}  (the owner's of organization {index}, {name})"
                )
    else:
        lines.append(
            f"  Calendly          {calendly['API_BASE_URL']}; the simulator is not started."
        )
        if calendly["CLIENT_ID"]:
            lines.append(
                f"  OAuth redirect    {site}/accounts/calendly/login/callback/  (register it "
                "in your Calendly app)"
            )
        else:
            lines.append(
                "  Sign in with Calendly needs CALENDLY_CLIENT_ID and CALENDLY_CLIENT_SECRET."
            )
    webhooks = calendly["PUBLIC_BASE_URL"]
    lines.append(
        f"  Webhooks          delivered to {webhooks.rstrip('/')}/calendly/webhooks/<token>/"
        if webhooks
        else "  Webhooks          off: set CALENDLY_PUBLIC_BASE_URL to a public https URL"
    )
    lines += [f"  {note}" for note in notes]
    return "\n".join(lines)


def start_children(args: argparse.Namespace, settings: Any, children: list[Child]) -> list[str]:
    """Start the simulator (unless real Calendly is configured), the server and the worker.

    Each is added to ``children`` as soon as it runs, so a Ctrl-C meanwhile stops it too.
    Returns the URLs that answer once they are ready.
    """
    urls = []
    if settings.CALENDLY_DEMO_USES_SIMULATOR:
        simulator_args = ["calendly_simulator", "--port", str(args.sim_port), "--size", "demo"]
        simulator_args += ["--organizations", str(args.organizations)]
        # A generous rate limit, so the first sync of the seeded organization runs in one go.
        simulator_args += ["--rate-limit", "3000"]
        simulator_args += ["--signing-key", settings.CALENDLY["WEBHOOK_SIGNING_KEY"]]
        children.append(start("simulator", simulator_args))
        urls.append(f"{settings.SIMULATOR_URL}/console/")
    children.append(start("django", ["runserver", f"127.0.0.1:{args.port}", "--noreload"]))
    children.append(start("worker", ["qcluster"]))
    urls.append(f"http://127.0.0.1:{args.port}/")
    return urls


def supervise(children: list[Child]) -> int:
    """Wait until a child dies (1) or Ctrl-C/SIGTERM raises ``Stop``."""
    while True:
        dead = first_dead(children)
        if dead is not None:
            print(died_message(dead), flush=True)
            return 1
        time.sleep(0.5)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    began = time.monotonic()
    signal.signal(signal.SIGINT, raise_stop)
    signal.signal(signal.SIGTERM, raise_stop)
    children: list[Child] = []
    code = 0
    try:
        settings = setup_django(args)
        check_port_free(args.port, "--port")
        if settings.CALENDLY_DEMO_USES_SIMULATOR:
            check_port_free(args.sim_port, "--sim-port")
        print("Preparing the database (migrations, demo superuser, schedules)...", flush=True)
        prepare_database(args)
        notes = []
        if not settings.CALENDLY_DEMO_USES_SIMULATOR:
            print(
                "CALENDLY_CLIENT_ID or CALENDLY_API_KEY is set: using api.calendly.com.", flush=True
            )
            token = settings.CALENDLY["PERSONAL_ACCESS_TOKEN"]
            if token:
                notes.append(connect_demo_user_with_token(args, token))
        from django.db import connections

        connections.close_all()  # the children open their own
        urls = start_children(args, settings, children)
        wait_until_up(children, urls)
        sim = next((child for child in children if child.name == "simulator"), None)
        print(banner(args, settings, sim, notes), flush=True)
        elapsed = time.monotonic() - began
        print(f"Started in {elapsed:.1f} s. Press Ctrl-C to stop everything.\n", flush=True)
        code = supervise(children)
    except Stop:
        print("\nStopping the demo...", flush=True)
    except RuntimeError as exc:
        print(str(exc), flush=True)
        code = 1
    except Exception:
        traceback.print_exc()
        print("The demo could not start (see the error above); stopping.", flush=True)
        code = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stopping = time.monotonic()
        stop_all(children)
        if children:
            print(f"Stopped everything in {time.monotonic() - stopping:.1f} s.", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
