"""Webhook deliveries: real signed HTTP POSTs from a background worker, with retry-then-disable.

Deliveries are queued by state changes and sent by one worker thread, never inside the request
that caused them (Calendly answers the API call first and delivers later). A failing callback is
retried after each of ``retry_delays`` seconds, while other deliveries keep flowing; when the
last retry fails the subscription becomes ``disabled``, as Calendly does after 24 hours.

Two delivery faults copy what Calendly's own queue does now and then: ``duplicate_next`` sends a
webhook twice, ``delay_next`` holds one back so that later ones overtake it (out of order).
"""

from __future__ import annotations

import dataclasses
import hashlib
import heapq
import hmac
import itertools
import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests

from .state import Store
from .timeutil import iso


def sign(body: bytes, key: str, timestamp: int) -> str:
    """Calendly's signature header value: ``t=<unix>,v1=<hex HMAC-SHA256 of "t.body">``."""
    digest = hmac.new(key.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


@dataclass
class DeliveryAttempt:
    """One POST to a callback URL (``status_code`` is None when the connection failed)."""

    url: str
    event: str
    status_code: int | None
    body: str
    subscription: str
    attempt: int
    signature: str
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(order=True)
class _Job:
    due: float
    sequence: int
    subscription_uuid: str = field(compare=False)
    url: str = field(compare=False)
    event: str = field(compare=False)
    body: bytes = field(compare=False)
    attempt: int = field(compare=False, default=0)


class WebhookDispatcher:
    def __init__(
        self,
        store: Store,
        signing_key: str,
        retry_delays: Sequence[float],
        now: Callable[[], datetime],
        timeout: float = 5.0,
        inspect: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.store = store
        self.signing_key = signing_key
        self.retry_delays = tuple(retry_delays)
        self.now = now
        self.timeout = timeout
        self.inspect = inspect
        self.deliveries: list[DeliveryAttempt] = []
        self._heap: list[_Job] = []
        self._sequence = itertools.count()
        self._busy = 0
        self._condition = threading.Condition()
        self._stopping = False
        self._duplicate = 0
        self._delays: list[float] = []
        self.duplicated = 0
        self.delayed = 0
        self._session = requests.Session()
        self._thread = threading.Thread(target=self._run, name="calendly-sim-webhooks", daemon=True)
        self._thread.start()

    def emit(
        self,
        event: str,
        payload: dict[str, Any],
        *,
        user_uri: str | None,
        organization_uri: str | None = None,
    ) -> int:
        """Queue ``event`` for every active subscription that should hear about it.

        Only subscriptions of the organization the event happened in (``organization_uri``, by
        default ``user_uri``'s) hear about it. Organization-scope subscriptions hear everything in
        the organization; user-scope ones only what concerns their user (``user_uri``, the event's
        host). The payload is serialized now, so later changes do not leak into an earlier
        delivery.
        """
        created_at = iso(self.now())
        queued = 0
        with self.store.lock:
            if organization_uri is None:
                user_uuid = user_uri.rsplit("/", 1)[1] if user_uri else ""
                organization_uri = self.store.organization_of(user_uuid)["uri"]
            targets = [
                (uuid, hook)
                for uuid, hook in self.store.webhooks.items()
                if hook["state"] == "active"
                and hook["organization"] == organization_uri
                and event in hook["events"]
                and (hook["scope"] == "organization" or (user_uri and hook["user"] == user_uri))
            ]
            for uuid, hook in targets:
                envelope = {
                    "event": event,
                    "created_at": created_at,
                    "created_by": hook["creator"] or organization_uri,
                    "payload": payload,
                }
                if self.inspect is not None:
                    self.inspect(envelope)
                body = json.dumps(envelope, separators=(",", ":")).encode()
                self._push_new(
                    _Job(
                        time.monotonic(),
                        next(self._sequence),
                        uuid,
                        hook["callback_url"],
                        event,
                        body,
                    )
                )
                queued += 1
        return queued

    def duplicate_next(self, n: int = 1) -> None:
        """Send each of the next ``n`` webhooks twice, the copy right after the original."""
        with self._condition:
            self._duplicate += n

    def delay_next(self, n: int = 1, seconds: float = 1.0) -> None:
        """Hold each of the next ``n`` webhooks back ``seconds``: later ones overtake them."""
        with self._condition:
            self._delays.extend([seconds] * n)

    def clear_faults(self) -> None:
        """Forget duplicates and delays asked for but not used yet."""
        with self._condition:
            self._duplicate = 0
            self._delays.clear()

    def _push_new(self, job: _Job) -> None:
        """Queue a first attempt, applying the delivery faults asked for."""
        with self._condition:
            if self._delays:
                job.due += self._delays.pop(0)
                self.delayed += 1
            if self._duplicate > 0:
                self._duplicate -= 1
                self.duplicated += 1
                heapq.heappush(self._heap, dataclasses.replace(job, sequence=next(self._sequence)))
        self._push(job)

    def _push(self, job: _Job) -> None:
        with self._condition:
            heapq.heappush(self._heap, job)
            self._condition.notify_all()

    def _run(self) -> None:
        while True:
            with self._condition:
                while not self._stopping:
                    if self._heap and self._heap[0].due <= time.monotonic():
                        break
                    wait = self._heap[0].due - time.monotonic() if self._heap else None
                    self._condition.wait(wait)
                if self._stopping:
                    return
                job = heapq.heappop(self._heap)
                self._busy += 1
            try:
                self._attempt(job)
            finally:
                with self._condition:
                    self._busy -= 1
                    self._condition.notify_all()

    def _attempt(self, job: _Job) -> None:
        with self.store.lock:
            hook = self.store.webhooks.get(job.subscription_uuid)
            if hook is None or hook["state"] != "active":
                return
            key = self.store.webhook_signing_keys.get(job.subscription_uuid) or self.signing_key
        signature = sign(job.body, key, int(time.time()))
        status: int | None = None
        error: str | None = None
        try:
            response = self._session.post(
                job.url,
                data=job.body,
                headers={
                    "Content-Type": "application/json",
                    "Calendly-Webhook-Signature": signature,
                    "User-Agent": "Calendly-Simulator-Webhooks/1.0",
                },
                timeout=self.timeout,
                allow_redirects=False,
            )
            status = response.status_code
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"
        attempt = DeliveryAttempt(
            job.url,
            job.event,
            status,
            job.body.decode(),
            f"{self.store.base}/webhook_subscriptions/{job.subscription_uuid}",
            job.attempt + 1,
            signature,
            error,
        )
        with self._condition:
            self.deliveries.append(attempt)
        if attempt.ok:
            return
        self._failed(job)

    def _failed(self, job: _Job) -> None:
        with self.store.lock:
            hook = self.store.webhooks.get(job.subscription_uuid)
            if hook is None:
                return
            if hook["retry_started_at"] is None:
                hook["retry_started_at"] = iso(self.now())
            if job.attempt < len(self.retry_delays):
                delay = self.retry_delays[job.attempt]
                job.due = time.monotonic() + delay
                job.sequence = next(self._sequence)
                job.attempt += 1
                self._push(job)
                return
            hook["state"] = "disabled"
            hook["updated_at"] = iso(self.now())

    def wait(self, timeout: float = 5.0) -> bool:
        """Block until nothing is queued or in flight; False when ``timeout`` ran out first."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while self._heap or self._busy:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._condition.wait(remaining)
        return True

    def stop(self) -> None:
        with self._condition:
            self._stopping = True
            self._heap.clear()
            self._condition.notify_all()
        self._thread.join(timeout=self.timeout + 1)
        self._session.close()
