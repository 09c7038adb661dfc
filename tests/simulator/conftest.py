"""Helpers for the simulator's own tests: an HTTP client bound to a token, a webhook receiver."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from calendly_integration.testing.simulator import CalendlySimulator


class Api:
    """A requests session that talks to the simulator with one bearer token."""

    def __init__(self, sim: CalendlySimulator, token: str) -> None:
        self.sim = sim
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def url(self, path: str) -> str:
        return path if path.startswith("http") else f"{self.sim.url}{path}"

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.session.get(self.url(path), params=params, timeout=10)

    def post(self, path: str, body: Any = None) -> requests.Response:
        return self.session.post(self.url(path), json=body, timeout=10)

    def patch(self, path: str, body: Any = None) -> requests.Response:
        return self.session.patch(self.url(path), json=body, timeout=10)

    def delete(self, path: str) -> requests.Response:
        return self.session.delete(self.url(path), timeout=10)

    def all_pages(self, path: str, **params: Any) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        url: str | None = self.url(path)
        query: dict[str, Any] | None = params
        while url:
            response = self.session.get(url, params=query, timeout=10)
            assert response.status_code == 200, response.text
            data = response.json()
            rows += data["collection"]
            url, query = data["pagination"]["next_page"], None
        return rows


def path_of(uri: str, sim: CalendlySimulator) -> str:
    return uri.removeprefix(sim.url)


@pytest.fixture
def sim(calendly_simulator: CalendlySimulator) -> CalendlySimulator:
    return calendly_simulator


@pytest.fixture
def api(sim: CalendlySimulator) -> Api:
    """Full-scope API access as the organization owner."""
    return Api(sim, sim.create_token())


@pytest.fixture
def member_api(sim: CalendlySimulator) -> Api:
    """API access as a plain member (role "user")."""
    return Api(sim, sim.create_token(sim.members[0].uri))


@dataclass
class Receiver:
    """A local webhook endpoint that records deliveries and answers ``status``."""

    url: str = ""
    status: int = 200
    delay: float = 0.0
    received: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def events(self) -> list[str]:
        with self.lock:
            return [json.loads(r["body"])["event"] for r in self.received]

    def bodies(self) -> list[dict[str, Any]]:
        with self.lock:
            return [json.loads(r["body"]) for r in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with state.lock:
                state.received.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers.items()),
                        "body": body.decode(),
                    }
                )
            time.sleep(state.delay)
            self.send_response(state.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output clean."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/calendly"
    yield state
    server.shutdown()
    server.server_close()
