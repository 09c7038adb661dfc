"""The wheel, embedded in a brand-new ``startproject`` site by the steps of docs/installation.md.

The wheel is built from this checkout and installed with its ``[testing]`` extra into a fresh
virtualenv; everything after that runs in that virtualenv, in a directory outside the repository,
so only what the wheel ships and what the page says is there. The page's marked code blocks are
applied as written (only the simulator's and the server's ports are swapped for free ones). Then,
over real HTTP against ``runserver`` and the simulator that ``calendly_simulator`` serves: a staff
user connects a personal access token, a django-q2 worker runs the first sync, ``calendly_sync``
syncs again, and the events are read through the REST API and the admin; a newcomer signs up
with Calendly while the mail server refuses connections; and the site's own tests run on the
simulator fixtures.

A step the page forgot (an app, a setting, a template) fails here: fix the page, not the test.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests

from tests.calendly_helpers import authorize_at_simulator
from tests.embed.docs_blocks import blocks, shell_commands

pytestmark = pytest.mark.embed

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "embed-Password-1"
KEPT_OUT_OF_THE_SITE = ("DJANGO_SETTINGS_MODULE", "PYTHONPATH", "VIRTUAL_ENV", "DATABASE_URL")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(predicate, timeout: float, what: str, interval: float = 0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@dataclass
class Site:
    root: Path
    python: Path
    env: dict[str, str]
    site_url: str
    sim_url: str
    outputs: dict[str, str] = field(default_factory=dict)
    processes: list[tuple[subprocess.Popen, int, Path]] = field(default_factory=list)

    def manage(self, *args: str, timeout: float = 300, check: bool = True, **env: str) -> str:
        result = subprocess.run(
            [str(self.python), "manage.py", *args],
            cwd=self.root,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        output = result.stdout + result.stderr
        if check:
            assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{output}"
        return output

    def start(self, name: str, *args: str, stop_signal: int = signal.SIGTERM) -> Path:
        log = self.root / f"{name}.log"
        process = subprocess.Popen(
            [str(self.python), "manage.py", *args],
            cwd=self.root,
            env=self.env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append((process, stop_signal, log))
        return log

    def stop_all(self) -> None:
        for process, stop_signal, _ in reversed(self.processes):
            if process.poll() is None:
                # SIGINT goes to the main process only, as systemd's KillMode=mixed sends it.
                if stop_signal == signal.SIGINT:
                    os.kill(process.pid, stop_signal)
                else:
                    os.killpg(process.pid, stop_signal)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()

    def logs(self) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text()[-3000:]}" for _, _, log in self.processes
        )

    def sql(self, expression: str) -> str:
        """A Python expression evaluated in the site's shell (to read what the worker wrote)."""
        return self.manage("shell", "-c", f"print({expression})").strip().splitlines()[-1]


def quietly(command: list[str], timeout: float, **kwargs) -> None:
    """Run a step whose output only matters when it fails."""
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, check=False, **kwargs
    )
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}"


def build_wheel(out: Path) -> Path:
    quietly([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out), str(REPO)], 300)
    (wheel,) = out.glob("django_calendly_integration-*.whl")
    return wheel


def fresh_virtualenv(path: Path, wheel: Path) -> Path:
    interpreter = os.environ.get("EMBED_PYTHON", sys.executable)
    quietly([interpreter, "-m", "venv", str(path)], 120)
    python = path / "bin" / "python"
    requirements = [f"{wheel}[testing]"]
    if os.environ.get("EMBED_DJANGO"):
        requirements.append(f"Django~={os.environ['EMBED_DJANGO']}.0")
    quietly([str(python), "-m", "pip", "install", *requirements], 900)
    return python


def site_environment(venv: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in KEPT_OUT_OF_THE_SITE}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


def with_ports(simulator_block: str, sim_url: str, site_url: str) -> str:
    for documented in ("http://127.0.0.1:8765", "http://127.0.0.1:8000"):
        assert documented in simulator_block, f"the simulator block no longer names {documented}"
    return simulator_block.replace("http://127.0.0.1:8765", sim_url).replace(
        "http://127.0.0.1:8000", site_url
    )


def mail_server_down(port: int, *, mailers: bool) -> str:
    """The test's condition, not a documented step: SMTP to a port nothing listens on. Django
    6.1's startproject configures MAILERS (console backend); older ones the EMAIL_* settings
    (SMTP to localhost:25, which a fresh machine refuses)."""
    smtp = "django.core.mail.backends.smtp.EmailBackend"
    if mailers:
        options = f'{{"host": "127.0.0.1", "port": {port}, "timeout": 2}}'
        return f'\nMAILERS = {{"default": {{"BACKEND": "{smtp}", "OPTIONS": {options}}}}}\n'
    return (
        f'\nEMAIL_BACKEND = "{smtp}"\n'
        f'EMAIL_HOST, EMAIL_PORT, EMAIL_TIMEOUT = "127.0.0.1", {port}, 2\n'
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    docs = blocks()
    work = tmp_path_factory.mktemp("embed")
    wheel = build_wheel(work / "wheel")
    python = fresh_virtualenv(work / "venv", wheel)
    env = site_environment(work / "venv")
    root = work / "site"
    root.mkdir()
    quietly(
        [str(work / "venv" / "bin" / "django-admin"), "startproject", "mysite", str(root)],
        60,
        env=env,
    )
    sim_url, site_url = f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}"
    settings = root / "mysite" / "settings.py"
    startproject_settings = settings.read_text()
    settings.write_text(
        startproject_settings
        + "\n"
        + docs["settings"]
        + "\n"
        + with_ports(docs["simulator"], sim_url, site_url)
        + mail_server_down(free_port(), mailers="MAILERS" in startproject_settings)
    )
    urls = root / "mysite" / "urls.py"
    urls.write_text(urls.read_text() + "\n" + docs["urls"])

    embedded = Site(root=root, python=python, env=env, site_url=site_url, sim_url=sim_url)
    try:
        for command in shell_commands(docs["setup"]):
            assert command[:2] == ["python", "manage.py"], command
            embedded.outputs[command[2]] = embedded.manage(*command[2:])
        # The small dataset, and no rate limit: this is about the site, not Calendly's limits.
        sim_port = sim_url.rsplit(":", 1)[1]
        sim_log = embedded.start(
            "simulator",
            "calendly_simulator",
            "--port",
            sim_port,
            "--size",
            "small",
            "--rate-limit",
            "100000",
        )
        wait_until(lambda: "Press Ctrl-C" in sim_log.read_text(), 60, "the simulator")
        embedded.outputs["simulator"] = sim_log.read_text()
        embedded.start("runserver", "runserver", site_url.removeprefix("http://"), "--noreload")
        (worker,) = shell_commands(docs["workers"])
        # SIGINT, as the production page's systemd unit sends: qcluster can hang on SIGTERM.
        embedded.start("qcluster", *worker[2:], stop_signal=signal.SIGINT)
        wait_until(lambda: _answers(f"{site_url}/admin/login/"), 60, "runserver")
        yield embedded
    except BaseException:
        print(embedded.logs())
        raise
    finally:
        embedded.stop_all()


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.ConnectionError:
        return False


def signed_in_staff(site: Site) -> requests.Session:
    site.manage(
        "createsuperuser",
        "--noinput",
        "--username",
        "admin",
        "--email",
        "admin@example.com",
        DJANGO_SUPERUSER_PASSWORD=PASSWORD,
    )
    browser = requests.Session()
    browser.get(f"{site.site_url}/admin/login/", timeout=10)
    answer = browser.post(
        f"{site.site_url}/admin/login/?next=/admin/",
        data={
            "username": "admin",
            "password": PASSWORD,
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        },
        headers={"Referer": f"{site.site_url}/admin/login/"},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text[:2000]
    return browser


def test_the_site_runs_the_installed_wheel_not_this_checkout(site):
    where = site.sql("__import__('calendly_integration').__file__")
    assert str(site.python.parent.parent) in where
    assert not where.startswith(str(REPO))
    assert site.sql("__import__('calendly_integration').__version__") == "0.1.0"


def test_check_deploy_warns_about_nothing_but_djangos_own_production_settings(site):
    output = site.outputs["check"]
    found = set(re.findall(r"\(([\w.]+\.[EW]\d+)\)", output))
    assert found, output  # DEBUG is on in a startproject site: Django warns
    assert {message_id for message_id in found if not message_id.startswith("security.")} == set()


def test_a_token_connection_syncs_and_its_events_show_in_the_api_and_the_admin(site):
    token = re.search(r"Personal access token \(owner\): (\S+)", site.outputs["simulator"])[1]
    browser = signed_in_staff(site)

    page = browser.get(f"{site.site_url}/calendly/connections/", timeout=10)
    assert page.status_code == 200
    answer = browser.post(
        f"{site.site_url}/calendly/connections/token/",
        data={"token": token, "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
        headers={"Referer": f"{site.site_url}/calendly/connections/"},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text[:2000]
    assert answer.url == f"{site.site_url}/calendly/connections/"

    # The worker runs the first sync the connection queued.
    wait_until(
        lambda: (
            site.sql(
                "__import__('calendly_integration.models').models.SyncRun.objects"
                ".filter(status='succeeded').count()"
            )
            != "0"
        ),
        240,
        "the worker's first sync",
        interval=3,
    )
    output = site.manage("calendly_sync", "--all", "--no-progress")
    assert re.search(r"Connection 1 \(.*\): succeeded in", output, re.IGNORECASE), output

    key = re.search(
        r"Generated token (\w+) for user admin", site.manage("drf_create_token", "admin")
    )[1]
    api = requests.get(
        f"{site.site_url}/api/scheduled-events/",
        headers={"Authorization": f"Token {key}"},
        timeout=30,
    )
    assert api.status_code == 200, api.text[:2000]
    events = api.json()["results"]
    assert events, api.json()

    changelist = browser.get(
        f"{site.site_url}/admin/calendly_integration/scheduledevent/", timeout=30
    )
    assert changelist.status_code == 200
    assert events[0]["name"] in changelist.text
    docs = requests.get(f"{site.site_url}/api/docs/", timeout=10)
    assert docs.status_code == 200


def test_signing_up_with_calendly_lands_on_the_connections_page_while_mail_is_down(site):
    browser = requests.Session()
    browser.get(f"{site.site_url}/accounts/login/", timeout=10)
    start = browser.post(
        f"{site.site_url}/accounts/calendly/login/",
        data={"process": "login", "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
        headers={"Referer": f"{site.site_url}/accounts/login/"},
        allow_redirects=False,
        timeout=10,
    )
    assert start.status_code == 302, start.text[:2000]
    assert start.headers["Location"].startswith(f"{site.sim_url}/oauth/authorize")

    callback = authorize_at_simulator(SimpleNamespace(url=site.sim_url), start.headers["Location"])
    landed = browser.get(callback, timeout=60)

    assert [r.status_code for r in landed.history] and landed.status_code == 200, landed.text[:3000]
    assert landed.url == f"{site.site_url}/calendly/connections/"
    assert "Disconnect" in landed.text or "disconnect" in landed.text


def test_the_sites_own_tests_run_on_the_simulator_fixtures_of_the_testing_extra(site):
    docs = blocks()
    (site.root / "pytest.ini").write_text(docs["pytest-ini"])
    (site.root / "conftest.py").write_text(docs["conftest"])
    (site.root / "test_calendly.py").write_text(docs["host-test"])
    result = subprocess.run(
        [str(site.python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_calendly.py"],
        cwd=site.root,
        env=site.env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
