"""Calendly's per-user, per-minute request budget and the headers that report it.

A fixed one-minute window per key (the token's user, or the caller's address when there is no
valid token), measured on the monotonic clock so tests that freeze the simulator's clock for
token expiry do not freeze rate-limit windows too.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
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


def seconds_until_reset(started: float, now: float, window: float) -> int:
    """Whole seconds until the window opened at ``started`` closes, between 1 and ``window``.

    Rounded up so a client that waits that long is past the reset. Computed from the elapsed
    time rather than as ``started + window - now``: on large monotonic readings that sum rounds
    and a request at the very start of a window could announce ``window + 1`` seconds.
    """
    elapsed = min(max(0.0, now - started), window)
    return min(int(window), max(1, math.ceil(window - elapsed)))


class RateLimiter:
    window = 60.0

    def __init__(self, limit_per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit_per_minute
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[float, int]] = {}

    def hit(self, key: str) -> Budget:
        """Count one request against ``key`` and say whether it is within the budget."""
        now = self._clock()
        with self._lock:
            started, used = self._windows.get(key, (now, 0))
            if now - started >= self.window:
                started, used = now, 0
            used += 1
            self._windows[key] = (started, used)
            reset = seconds_until_reset(started, now, self.window)
            return Budget(used <= self.limit, self.limit, max(0, self.limit - used), reset)

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()
