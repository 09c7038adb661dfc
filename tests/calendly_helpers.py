"""Helpers for the connection tests: real OAuth grants from the simulator, and the login flow.

Everything goes over HTTP to the simulator; nothing of ours is mocked.
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import requests
from django.db import connection as db_connection
from django.dispatch import Signal
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.models import OrmQ
from django_q.signing import SignedPackage

from calendly_integration import signals
from calendly_integration.client import (
    CalendlyClient,
    OAuthClient,
    TokenResponse,
    code_challenge_s256,
    generate_code_verifier,
)
from calendly_integration.models import Connection
from calendly_integration.oauth.connect import save_connection

REDIRECT_URI = "http://testserver/accounts/calendly/login/callback/"
TOKEN_PATTERN = re.compile(r"sim_(?:at|rt|pat)_[A-Za-z0-9_\-]+")


def oauth_grant(sim, *, user_uri: str | None = None, scopes: str | None = None) -> TokenResponse:
    """Authorize at the simulator (with PKCE) and exchange the code: a fresh, real token pair."""
    verifier = generate_code_verifier()
    code = sim.authorize(
        "demo-client",
        REDIRECT_URI,
        "state",
        code_challenge_s256(verifier),
        scopes,
        user_uri=user_uri,
    )
    oauth = OAuthClient.from_settings()
    try:
        return oauth.exchange_code(code, REDIRECT_URI, verifier)
    finally:
        oauth.close()


def make_oauth_connection(
    sim, owner, *, user_uri: str | None = None, scopes: str | None = None
) -> Connection:
    tokens = oauth_grant(sim, user_uri=user_uri, scopes=scopes)
    with CalendlyClient.from_settings(tokens.access_token) as client:
        profile = client.get_current_user()
    return save_connection(
        owner=owner,
        kind=Connection.Kind.OAUTH,
        profile=profile,
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        expires_at=timezone.now() + timedelta(seconds=tokens.expires_in),
        scopes=tokens.scope,
        organization_uri=tokens.organization,
    )


def expire(connection: Connection, seconds_left: int = 60) -> None:
    """Make the stored access token expire within the refresh margin (the token itself still works)."""
    Connection.objects.filter(pk=connection.pk).update(
        expires_at=timezone.now() + timedelta(seconds=seconds_left)
    )


def raw_rows(table: str) -> list[tuple]:
    """Every row of a table exactly as the database returns it (no model, no decryption)."""
    with db_connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {db_connection.ops.quote_name(table)}")
        return cursor.fetchall()


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}
        self.options: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.action = values.get("action", "")
        elif tag == "input" and values.get("type") == "hidden":
            self.fields[values["name"]] = values.get("value", "")
        elif tag == "option":
            self.options.append(values.get("value", ""))


def authorize_at_simulator(
    sim, authorize_url: str, *, decision: str = "approve", user_uuid: str | None = None
) -> str:
    """Drive the simulator's authorize page like a browser; return where it redirects to."""
    page = requests.get(authorize_url, timeout=5)
    assert page.status_code == 200, page.text
    form = _FormParser()
    form.feed(page.text)
    data = {**form.fields, "decision": decision}
    if user_uuid:
        data["user"] = user_uuid
    answer = requests.post(sim.url + form.action, data=data, allow_redirects=False, timeout=5)
    assert answer.status_code in (302, 303), answer.text
    return answer.headers["Location"]


def start_login(client, **params: str) -> str:
    """POST to the provider's login URL (allauth 65 logs in by POST); return the authorize URL."""
    response = client.post("/accounts/calendly/login/", params)
    assert response.status_code == 302, response.content
    return response["Location"]


def callback_path(callback_url: str) -> str:
    parts = urlsplit(callback_url)
    assert parts.netloc == "testserver", callback_url
    return f"{parts.path}?{parts.query}"


def login_with_calendly(client, sim, *, user_uuid: str | None = None, **params: str):
    """The whole flow: login POST, the simulator's consent page, the callback. Returns the
    callback's response."""
    authorize_url = start_login(client, **params)
    callback_url = authorize_at_simulator(sim, authorize_url, user_uuid=user_uuid)
    return client.get(callback_path(callback_url))


def queued_packages() -> list[dict]:
    """Every task waiting in the broker, as django-q2 packed it, read without taking them.

    Works with the ORM broker (the test database) and Redis (a shared list, hence the
    before/after comparisons in the tests).
    """
    broker = get_broker()
    if type(broker).__name__ == "ORM":
        payloads = list(OrmQ.objects.values_list("payload", flat=True))
    else:
        payloads = broker.connection.lrange(broker.list_key, 0, -1)
    return [SignedPackage.loads(payload) for payload in payloads]


def queued_tasks() -> Counter:
    """(function, args) of every task waiting in the broker, read without taking them."""
    return Counter((task["func"], tuple(task["args"])) for task in queued_packages())


@contextlib.contextmanager
def recording_signals(names: Iterable[str]) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Record every send of the app's signals ``names`` while the block runs: (name, kwargs)."""
    log: list[tuple[str, dict[str, Any]]] = []
    connected: list[tuple[Signal, Callable[..., None]]] = []
    for name in names:
        signal: Signal = getattr(signals, name)

        def receiver(sender: Any, _name: str = name, **kwargs: Any) -> None:
            kwargs.pop("signal", None)
            log.append((_name, kwargs))

        signal.connect(receiver, weak=False)
        connected.append((signal, receiver))
    try:
        yield log
    finally:
        for signal, receiver in connected:
            signal.disconnect(receiver)
