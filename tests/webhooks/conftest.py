"""Fixtures for the webhook tests: the simulator, a connection, a recorder, signed posts, signals.

Two ways deliveries reach the receiver here, both with the simulator's own payloads:
- end to end, the simulator POSTs to a live Django server (``live_server``);
- captured, the simulator POSTs to a ``Recorder`` (a tiny local HTTP server) and the test posts
  those bodies to the receiver itself, freshly signed, in whatever order it wants to test.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from calendly_integration.models import Connection, WebhookSubscription
from calendly_integration.testing.simulator.timeutil import iso
from calendly_integration.webhooks.signature import signature_header
from calendly_integration.webhooks.subscriptions import ensure_subscriptions
from tests.calendly_helpers import make_oauth_connection, recording_signals

WEBHOOK_SIGNALS = (
    "invitee_created",
    "invitee_canceled",
    "invitee_rescheduled",
    "invitee_no_show_created",
    "invitee_no_show_deleted",
    "routing_form_submission_created",
    "webhook_received",
)


@dataclass
class Recorder:
    """A local HTTP endpoint that answers ``status`` and keeps every request it got."""

    url: str = ""
    status: int = 200
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def bodies(self, event: str | None = None) -> list[tuple[str, bytes]]:
        """(path, raw body) of the requests, optionally only those of one event."""
        with self.lock:
            found = [(r["path"], r["body"]) for r in self.requests]
        return [(p, b) for p, b in found if event is None or json.loads(b)["event"] == event]

    def json(self) -> list[Any]:
        with self.lock:
            return [json.loads(r["body"]) for r in self.requests]


def _serve(recorder: Recorder) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with recorder.lock:
                recorder.requests.append(
                    {"path": self.path, "headers": dict(self.headers.items()), "body": body}
                )
            self.send_response(recorder.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    recorder.url = f"http://127.0.0.1:{server.server_address[1]}"
    return server


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    recorder = Recorder()
    server = _serve(recorder)
    yield recorder
    server.shutdown()
    server.server_close()


@pytest.fixture
def sim_calendly(calendly_tasks_inline) -> dict[str, Any]:
    """No extra CALENDLY keys; tasks (webhook processing) run inline, in the receiver's request."""
    return {}


@pytest.fixture
def calendly(settings) -> Callable[..., dict[str, Any]]:
    """Change CALENDLY keys for one test: ``calendly(PUBLIC_BASE_URL=...)``."""

    def change(**values: Any) -> dict[str, Any]:
        settings.CALENDLY = {**(settings.CALENDLY or {}), **values}
        return settings.CALENDLY

    return change


@pytest.fixture
def captured(sim, recorder, calendly, owner, db) -> Connection:
    """An OAuth connection of the simulator's owner whose subscription delivers to the recorder."""
    calendly(PUBLIC_BASE_URL=recorder.url)
    connection = make_oauth_connection(sim, owner)
    ensure_subscriptions(connection)
    return connection


@pytest.fixture
def signal_log() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Every webhook signal sent during the test: (name, kwargs)."""
    with recording_signals(WEBHOOK_SIGNALS) as log:
        yield log


def names(log: list[tuple[str, dict[str, Any]]]) -> list[str]:
    return [name for name, _ in log if name != "webhook_received"]


def post_signed(
    client, path: str, body: bytes, key: str, *, timestamp: int | None = None, **headers: str
):
    """POST ``body`` to the receiver as Calendly would, signed with ``key``."""
    return client.post(
        path,
        data=body,
        content_type="application/json",
        headers={"Calendly-Webhook-Signature": signature_header(body, key, timestamp), **headers},
    )


def receiver_path(subscription: WebhookSubscription) -> str:
    return urlsplit(subscription.callback_url).path


def future_slot(sim, days: int = 3, hour: int = 15) -> str:
    return iso(
        (sim.now() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
    )


def solo_event_type(sim, user_uri: str | None = None) -> dict[str, Any]:
    return next(
        et
        for et in sim.event_types_of(user_uri or sim.owner.uri)
        if et["active"] and et["kind"] == "solo"
    )


def book(sim, *, days: int = 3, hour: int = 15, name: str = "Ada Lovelace", **extra: Any) -> str:
    """Book the owner's first solo event type; returns the invitee URI."""
    return sim.book(
        solo_event_type(sim)["uri"],
        future_slot(sim, days, hour),
        name=name,
        email=f"{name.split()[0].lower()}@example.com",
        **extra,
    )


#: The OAuth app's signing key in the receiver tests.
APP_KEY = "app-signing-key"


@pytest.fixture
def subscription(owner, calendly) -> WebhookSubscription:
    """An active subscription of a token-less connection, signed with ``APP_KEY``."""
    calendly(WEBHOOK_SIGNING_KEY=APP_KEY, PUBLIC_BASE_URL="https://example.com")
    connection = Connection.objects.create(
        owner=owner, calendly_user_uri="https://api.calendly.com/users/OWNER"
    )
    return WebhookSubscription.objects.create(
        connection=connection,
        callback_url="https://example.com/calendly/webhooks/x/",
        state="active",
        uri="https://api.calendly.com/webhook_subscriptions/S1",
    )


@pytest.fixture
def url(subscription) -> str:
    """The receiver's URL for ``subscription``."""
    return reverse("calendly_integration:webhook", kwargs={"token": subscription.token})
