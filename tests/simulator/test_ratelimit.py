"""The rate-limit window and its ``X-RateLimit-Reset`` header, driven by a fake monotonic clock.

``X-RateLimit-Reset`` is the number of seconds until the window resets, so it is never more than
the window (60) and never less than 1 while the window is open.
"""

from __future__ import annotations

import pytest

from calendly_integration.testing.simulator.ratelimit import RateLimiter, seconds_until_reset

# A monotonic reading where ``started + 60.0 - now`` with ``now == started`` gives
# 60.00000000000091 in binary floating point, which rounded up to 61 before the fix.
ROUNDING_READING = 8191.610680565681


class FakeClock:
    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("start", [0.0, 1.0, ROUNDING_READING, 123456.789, 9.87654321e8])
def test_first_request_of_a_window_announces_the_whole_window(start):
    limiter = RateLimiter(5, clock=FakeClock(start))
    assert limiter.hit("user:a").reset == 60


def test_reset_counts_down_and_the_window_reopens_at_sixty_seconds():
    clock = FakeClock(ROUNDING_READING)
    limiter = RateLimiter(2, clock=clock)
    assert limiter.hit("k").remaining == 1
    clock.now += 0.5
    assert limiter.hit("k").reset == 60
    clock.now += 0.5
    over = limiter.hit("k")
    assert (over.allowed, over.remaining, over.reset) == (False, 0, 59)
    clock.now = ROUNDING_READING + 59.999
    assert limiter.hit("k").reset == 1
    clock.now = ROUNDING_READING + 60
    fresh = limiter.hit("k")
    assert (fresh.allowed, fresh.remaining, fresh.reset) == (True, 1, 60)


@pytest.mark.parametrize(
    ("elapsed", "expected"),
    [(0.0, 60), (1e-9, 60), (0.999, 60), (1.0, 59), (30.5, 30), (59.0, 1), (59.999999, 1)],
)
def test_seconds_until_reset_at_the_window_edges(elapsed, expected):
    assert seconds_until_reset(ROUNDING_READING, ROUNDING_READING + elapsed, 60.0) == expected


def test_seconds_until_reset_stays_within_bounds_for_odd_clocks():
    assert seconds_until_reset(100.0, 99.0, 60.0) == 60
    assert seconds_until_reset(100.0, 1000.0, 60.0) == 1
    for step in range(2000):
        start = ROUNDING_READING + step * 7919.123
        assert 1 <= seconds_until_reset(start, start, 60.0) <= 60
