"""Fault injection: the next N requests fail in a chosen way.

Each helper queues one rule; rules are used up in the order they were added. They apply to API
requests only, unless ``oauth=True`` (then they apply to /oauth/* requests as well), because most
tests want to break the API while still being able to authorize.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Fault:
    kind: str
    remaining: int
    oauth: bool
    params: dict[str, Any] = field(default_factory=dict)


class Faults:
    def __init__(self, revoke: Callable[[str], None] | None = None) -> None:
        self._lock = threading.Lock()
        self._queue: list[Fault] = []
        self._revoke = revoke

    def _add(self, kind: str, n: int, oauth: bool, **params: Any) -> None:
        if n < 1:
            raise ValueError("n must be at least 1")
        with self._lock:
            self._queue.append(Fault(kind, n, oauth, params))

    def fail_next(self, n: int = 1, status: int = 500, *, oauth: bool = False) -> None:
        """Answer the next ``n`` requests with ``status`` and Calendly's error body."""
        self._add("fail", n, oauth, status=status)

    def rate_limit_next(self, n: int = 1, retry_after: float = 1, *, oauth: bool = False) -> None:
        """Answer 429 with Retry-After and X-RateLimit-Reset set to ``retry_after`` seconds."""
        self._add("rate_limit", n, oauth, retry_after=retry_after)

    def slow_next(self, n: int = 1, seconds: float = 1.0, *, oauth: bool = False) -> None:
        """Wait ``seconds`` before answering normally (to exercise read timeouts)."""
        self._add("slow", n, oauth, seconds=seconds)

    def malformed_next(self, n: int = 1, *, oauth: bool = False) -> None:
        """Answer 200 with a body that is not JSON."""
        self._add("malformed", n, oauth)

    def drop_connection_next(self, n: int = 1, *, oauth: bool = False) -> None:
        """Close the socket without answering."""
        self._add("drop", n, oauth)

    def revoke_token(self, token: str) -> None:
        """Revoke a token, as if the user disconnected the app in Calendly."""
        if self._revoke is None:
            raise RuntimeError("revoke_token needs a running simulator")
        self._revoke(token)

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()

    @property
    def pending(self) -> int:
        with self._lock:
            return sum(fault.remaining for fault in self._queue)

    def take(self, is_oauth: bool) -> Fault | None:
        """Use up the first rule that applies to this request, if any."""
        with self._lock:
            for fault in self._queue:
                if fault.remaining > 0 and (fault.oauth or not is_oauth):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._queue.remove(fault)
                    return Fault(fault.kind, 1, fault.oauth, dict(fault.params))
        return None
