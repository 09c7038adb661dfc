"""``SimContext``: what request handlers and Calendly-side actions get from a running simulator.

The store of resources, the clock, tokens, the rate limiter, faults, the webhook dispatcher, the
recorded requests and the spec validator. ``CalendlySimulator`` is a ``SimContext`` that also
builds the route table, starts the server and offers the public helpers; every module below it
(handlers, ``actions``, ``app``, ``oauth``) takes a ``SimContext`` and never imports the simulator,
so the package has no import cycle.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from .faults import Faults
from .messages import RecordedRequest
from .ratelimit import RateLimiter
from .state import Store
from .timeutil import Clock, now_from
from .tokens import TokenStore
from .webhook_delivery import WebhookDispatcher

DEFAULT_CLIENT_ID = "demo-client"
DEFAULT_CLIENT_SECRET = "demo-secret"


class SimContext:
    """The simulator's state; the store and the dispatcher exist once it is started."""

    def __init__(
        self,
        seed: int = 1,
        size: str = "small",
        host: str = "127.0.0.1",
        port: int = 0,
        rate_limit_per_minute: int = 500,
        validate: bool = False,
        webhook_retry_delays: Sequence[float] = (1, 2, 4),
        webhook_signing_key: str = "sim-app-signing-key",
        clock: Clock | None = None,
        organizations: int = 1,
    ) -> None:
        if organizations < 1:
            raise ValueError(f"organizations must be at least 1, not {organizations}")
        self.seed = seed
        self.size = size
        self.organization_count = organizations
        self.host = host
        self.port = port
        self.validate = validate
        self.webhook_retry_delays = tuple(webhook_retry_delays)
        self.webhook_signing_key = webhook_signing_key
        self.clock = clock
        self.time_offset = timedelta(0)
        self.token_issuance_limit_per_minute: int | None = 8
        self.limiter = RateLimiter(rate_limit_per_minute)
        self.tokens = TokenStore()
        self.tokens.clients[DEFAULT_CLIENT_ID] = DEFAULT_CLIENT_SECRET
        self.faults = Faults(revoke=self.tokens.revoke)
        self.requests: list[RecordedRequest] = []
        self.requests_lock = threading.Lock()
        self.validator: Any = None
        self._store: Store | None = None
        self._webhooks: WebhookDispatcher | None = None
        self.url = ""

    def now(self) -> datetime:
        """The simulator's "now": the clock (default: real time) plus any ``advance()``."""
        return now_from(self.clock) + self.time_offset

    def advance(self, seconds: float) -> None:
        """Move the simulator's clock forward, e.g. to expire access tokens in a test."""
        self.time_offset += timedelta(seconds=seconds)

    @property
    def store(self) -> Store:
        if self._store is None:
            raise RuntimeError("start() the simulator first")
        return self._store

    @property
    def webhooks(self) -> WebhookDispatcher:
        if self._webhooks is None:
            raise RuntimeError("start() the simulator first")
        return self._webhooks
