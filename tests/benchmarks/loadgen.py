"""A small HTTP/1.1 load generator for the benchmarks: one thread, many keep-alive connections.

Why not threads and ``http.client``: on a 2-core machine the client shares the cores with the
server, and a Python thread per client spent about as much CPU per request as the bare view
itself, which made every endpoint look alike. Here every request is built as bytes before the
clock starts, and one ``selectors`` loop drives ``clients`` non-blocking sockets: a few tens of
microseconds of client CPU per request, the same for every endpoint measured. Each request is
sent exactly once, so "sent" is a number the benchmark can check against what the server stored.
"""

from __future__ import annotations

import selectors
import socket
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass
class Result:
    """What one load run measured."""

    name: str
    sent: int
    seconds: float
    latencies: list[float]
    statuses: dict[int, int]
    client_cpu: float = 0.0
    server_cpu: float = 0.0

    @property
    def rps(self) -> float:
        return self.sent / self.seconds

    def percentile(self, q: float) -> float:
        """The ``q`` quantile of the latencies, in milliseconds."""
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def build_request(
    method: str, path: str, *, body: bytes = b"", headers: Iterable[tuple[str, str]] = ()
) -> bytes:
    """One HTTP/1.1 keep-alive request as the bytes to send."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in headers]
    if body or method in {"POST", "PUT", "PATCH"}:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class _Connection:
    __slots__ = ("buffer", "close", "header_end", "need", "sock", "started", "status")

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.reset()

    def reset(self) -> None:
        self.buffer = b""
        self.need = -1
        self.header_end = -1
        self.status = 0
        self.close = False

    def feed(self, data: bytes) -> bool:
        """Add received bytes; True once the whole response is in."""
        self.buffer += data
        if self.header_end < 0:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return False
            self.header_end = end + 4
            head = self.buffer[:end].decode("latin-1").split("\r\n")
            self.status = int(head[0].split(" ", 2)[1])
            length = 0
            for line in head[1:]:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                if name == "content-length":
                    length = int(value)
                elif name == "connection" and value.strip().lower() == "close":
                    self.close = True
            self.need = self.header_end + length
        return len(self.buffer) >= self.need


def run(
    name: str, port: int, requests: Sequence[bytes], clients: int, timeout: float = 120
) -> Result:
    """Send every request once over ``clients`` keep-alive connections; time each one."""
    pending = iter(requests)
    selector = selectors.DefaultSelector()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    in_flight = 0

    def send_next(conn: _Connection) -> bool:
        nonlocal in_flight
        request = next(pending, None)
        if request is None:
            return False
        conn.reset()
        conn.started = time.perf_counter()
        conn.sock.setblocking(True)  # a request is small: this never waits for the server
        conn.sock.sendall(request)
        conn.sock.setblocking(False)
        in_flight += 1
        return True

    cpu_before = time.process_time()
    started = time.perf_counter()
    deadline = started + timeout
    for _ in range(min(clients, len(requests))):
        conn = _Connection(port)
        selector.register(conn.sock, selectors.EVENT_READ, conn)
        send_next(conn)
    while in_flight and time.perf_counter() < deadline:
        for key, _events in selector.select(timeout=1.0):
            conn = key.data
            try:
                data = conn.sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            if data and not conn.feed(data):
                continue
            latencies.append(time.perf_counter() - conn.started)
            status = conn.status if data else 0
            statuses[status] = statuses.get(status, 0) + 1
            in_flight -= 1
            if not data or conn.close:
                selector.unregister(conn.sock)
                conn.sock.close()
                conn = _Connection(port)
                selector.register(conn.sock, selectors.EVENT_READ, conn)
            if not send_next(conn):
                selector.unregister(conn.sock)
                conn.sock.close()
    seconds = time.perf_counter() - started
    if in_flight:
        statuses[0] = statuses.get(0, 0) + in_flight
    for key in list(selector.get_map().values()):
        key.fileobj.close()
    selector.close()
    return Result(
        name, len(requests), seconds, latencies, statuses, time.process_time() - cpu_before
    )
