"""The HTTP layer: a standard-library ThreadingHTTPServer on a daemon thread and a free port.

Standard library only, so host sites can run the simulator in their tests without extra
dependencies. Keep-alive is on (HTTP/1.1), as with the real API; ``stop()`` closes open
connections too, so a client holding a pooled connection sees it fail instead of hanging.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from . import errors
from .messages import Request, Response

#: Far more than any Calendly request body; a larger one is refused before it is read.
MAX_BODY_BYTES = 10 * 1024 * 1024

if TYPE_CHECKING:
    from .app import Application


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: Application) -> None:
        self.app = app
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (a read timeout, a dropped connection) is not the server's
        error: say nothing. Anything else is printed as usual."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def close_connections(self) -> None:
        with self.connections_lock:
            connections = list(self.connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "CalendlySimulator/1.0"
    sys_version = ""
    server: _Server

    def setup(self) -> None:
        """Disable Nagle: headers and body go out in two writes, and waiting for the delayed
        ACK between them would add 40 ms to every keep-alive response."""
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request log lines; tests read ``sim.requests`` instead."""

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        declared = (self.headers.get("Content-Length") or "0").strip()
        if not (declared.isascii() and declared.isdigit()) or int(declared) > MAX_BODY_BYTES:
            # The body cannot be read, so neither can the next request on this connection.
            self.close_connection = True
            response = Response.json(400, errors.invalid_argument(
                ("Content-Length", f"must be a whole number of bytes up to {MAX_BODY_BYTES}")
            ).body())  # fmt: skip
            self._send(response)
            return
        length = int(declared)
        body = self.rfile.read(length) if length else b""
        request = Request(
            method=self.command,
            path=parts.path or "/",
            query=parse_qs(parts.query, keep_blank_values=True),
            headers=dict(self.headers.items()),
            body=body,
            raw_query=parts.query,
        )
        self._send(self.server.app.handle(request))

    def _send(self, response: Response) -> None:
        if response.drop_connection:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(response.status)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        for key, value in response.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _serve


class HttpServer:
    """Owns the listening socket and the serving thread."""

    def __init__(self, app: Application, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = _Server((host, port), app)
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="calendly-simulator-http",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.close_connections()
        self._server.server_close()
