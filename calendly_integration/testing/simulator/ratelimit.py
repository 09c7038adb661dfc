"""Calendly's per-user, per-minute request budget and the headers that report it.

A fixed one-minute window per key (the token's user, or the caller's address when there is no
valid token), measured on the monotonic clock so tests that freeze the simulator's clock for
token expiry do not freeze rate-limit windows too.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Budget:
    allowed: bool
    limit: int
    remaining: int
    reset: int

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }


class RateLimiter:
    window = 60.0

    def __init__(self, limit_per_minute: int) -> None:
        self.limit = limit_per_minute
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[float, int]] = {}

    def hit(self, key: str) -> Budget:
        """Count one request against ``key`` and say whether it is within the budget."""
        now = time.monotonic()
        with self._lock:
            started, used = self._windows.get(key, (now, 0))
            if now - started >= self.window:
                started, used = now, 0
            used += 1
            self._windows[key] = (started, used)
            reset = max(1, math.ceil(started + self.window - now))
            return Budget(used <= self.limit, self.limit, max(0, self.limit - used), reset)

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()
