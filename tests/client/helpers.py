"""Helpers shared by the client tests."""

from calendly_integration.client import CalendlyClient


def make_client(sim, token, **overrides) -> CalendlyClient:
    """A client on the simulator with timeouts and backoff small enough for tests."""
    options = {
        "base_url": sim.url,
        "connect_timeout": 2,
        "read_timeout": 2,
        "backoff": 0.01,
        "backoff_max": 0.05,
        "rate_limit_max_wait": 3,
        **overrides,
    }
    return CalendlyClient(token, **options)


def api_requests(sim, path: str | None = None) -> list:
    """The API requests the simulator recorded (OAuth ones left out), optionally for one path."""
    return [
        r
        for r in sim.requests
        if not r.path.startswith("/oauth") and (path is None or r.path == path)
    ]


def uuid_of(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1]
