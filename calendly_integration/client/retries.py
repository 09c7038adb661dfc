"""When a failed request is tried again, and how long to wait first.

Only requests that are safe to repeat (GET, DELETE) are retried after a dropped connection or a 5xx:
a POST that timed out may well have cancelled the event or created the subscription, and repeating it
could do so twice. Delays grow exponentially with *full jitter* (a random delay between zero and the
cap) so that many workers failing together do not come back together.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

RETRYABLE_METHODS = frozenset({"GET", "DELETE", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3
    backoff: float = 0.5
    backoff_max: float = 8.0

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must be 0 or more.")
        if self.backoff < 0 or self.backoff_max < 0:
            raise ValueError("backoff and backoff_max must be 0 or more seconds.")

    def may_retry(self, method: str, retries_done: int) -> bool:
        return method.upper() in RETRYABLE_METHODS and retries_done < self.max_retries

    def delay(self, retries_done: int, rng: random.Random) -> float:
        """Full jitter: uniform in [0, min(backoff_max, backoff * 2**retries_done)]."""
        cap = min(self.backoff_max, self.backoff * (2**retries_done))
        return rng.uniform(0, cap)
