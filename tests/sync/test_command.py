"""``manage.py calendly_sync``: a progress bar on a terminal and a summary at the end."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from calendly_integration.models import Connection, SyncRun
from calendly_integration.sync import SyncProgress
from calendly_integration.sync.lease import Lease
from calendly_integration.sync.progress import ProgressBar

pytestmark = pytest.mark.django_db


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_syncing_one_connection_prints_a_summary(sim, owner_connection):
    out = io.StringIO()
    call_command("calendly_sync", "--connection", str(owner_connection.pk), "--full", stdout=out)

    text = out.getvalue()
    run = SyncRun.objects.get()
    assert run.full and run.status == "succeeded"
    assert f"Connection {owner_connection.pk}" in text
    assert f"{run.created} created, 0 updated" in text
    assert f"{run.http_requests} HTTP requests" in text
    assert "scheduled_events: created" in text
    assert "1 connection(s) synced: 1 complete, 0 failed." in text
    assert "\r" not in text, "no progress bar when the output is not a terminal"


def test_a_terminal_gets_a_progress_bar(sim, owner_connection):
    out = Terminal()
    call_command("calendly_sync", "--connection", str(owner_connection.pk), stdout=out)

    text = out.getvalue()
    assert "\r" in text
    assert "scheduled_events" in text and "%" in text and "[" in text


def test_all_syncs_every_active_connection(sim, connect):
    first, second = connect(), connect(sim.members[0])
    Connection.objects.filter(pk=second.pk).update(status=Connection.Status.REVOKED)
    out = io.StringIO()

    call_command("calendly_sync", "--all", stdout=out)

    assert list(SyncRun.objects.values_list("connection_id", flat=True)) == [first.pk]


def test_since_and_until(sim, owner_connection):
    call_command(
        "calendly_sync",
        "--connection",
        str(owner_connection.pk),
        "--since",
        "2026-01-01",
        "--until",
        "2026-01-31",
        stdout=io.StringIO(),
    )
    run = SyncRun.objects.get()
    assert run.window_start.isoformat() == "2026-01-01T00:00:00+00:00"
    assert run.window_end.isoformat() == "2026-02-01T00:00:00+00:00"


def test_a_sync_already_running_is_reported_not_failed(sim, owner_connection):
    Lease(owner_connection.pk).acquire()
    out = io.StringIO()

    call_command("calendly_sync", "--connection", str(owner_connection.pk), stdout=out)

    assert "Another sync of this connection is running" in out.getvalue()


def test_a_failed_sync_fails_the_command(sim, owner_connection):
    Connection.objects.filter(pk=owner_connection.pk).update(status=Connection.Status.NEEDS_REAUTH)
    out = io.StringIO()
    with pytest.raises(CommandError, match="Some syncs failed"):
        call_command("calendly_sync", "--connection", str(owner_connection.pk), stdout=out)
    assert "NeedsReauth" in out.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--connection", "999"], "No connection with id 999"),
        (["--all", "--full", "--since", "2026-01-01"], "--full takes all history"),
        (["--all", "--since", "2026-02-01", "--until", "2026-01-01"], "--until must not be"),
        (["--all", "--since", "yesterday"], "Not a YYYY-MM-DD date"),
    ],
)
def test_bad_arguments_are_explained(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("calendly_sync", *args, stdout=io.StringIO())


def test_the_progress_bar_draws_a_window_fraction_and_clears_itself(monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")  # the bar fits the terminal; pytest-xdist's is 80 wide
    out = Terminal()
    bar = ProgressBar(out, label="#1")
    bar(SyncProgress("scheduled_events", 3, 300, 280, 290, fraction=0.5))
    bar.close()
    text = out.getvalue()
    assert "#1 scheduled_events" in text
    assert "[" + "#" * 12 + "-" * 12 + "]" in text and "50%" in text
    assert "300 events, 3 pages, 290 requests" in text
    assert text.endswith("\r")

    quiet = io.StringIO()
    ProgressBar(quiet)(SyncProgress("scheduled_events", 1, 1, 1, 1, fraction=None))
    assert quiet.getvalue() == ""


def test_a_rate_limit_is_waited_out_saying_how_long_and_until_when(sim, owner_connection, settings):
    settings.CALENDLY = {**settings.CALENDLY, "RATE_LIMIT_MAX_WAIT": 0}
    sim.faults.rate_limit_next(1, retry_after=2)
    out = io.StringIO()

    call_command("calendly_sync", "--connection", str(owner_connection.pk), stdout=out)

    stopped, resumed = SyncRun.objects.order_by("pk")
    assert (stopped.status, resumed.status) == ("rate_limited", "succeeded")
    text = out.getvalue()
    assert f"Connection {owner_connection.pk}" in text
    assert "stopped by Calendly's rate limit after" in text
    resume_at = timezone.localtime(stopped.retry_at).strftime("%H:%M:%S")
    assert re.search(rf"Waiting [12] s for Calendly; the sync resumes at {resume_at}\.", text), text
    assert "1 connection(s) synced: 1 complete, 0 failed." in text


def test_with_no_wait_it_stops_and_says_when_calendly_takes_requests_again(
    sim, owner_connection, settings
):
    sim.faults.rate_limit_next(1, retry_after=55)
    out = io.StringIO()

    call_command("calendly_sync", "--connection", str(owner_connection.pk), "--no-wait", stdout=out)

    run = SyncRun.objects.get()
    assert run.status == "rate_limited"
    text = out.getvalue()
    resume_at = timezone.localtime(run.retry_at).strftime("%H:%M:%S")
    assert re.search(
        rf"Calendly takes requests again in 5[45] s, at {resume_at}: run this command again then",
        text,
    ), text
    assert "continues in" not in text
    assert "1 connection(s) synced: 0 complete, 0 failed." in text
