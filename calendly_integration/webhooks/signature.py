"""Verifying the ``Calendly-Webhook-Signature`` header.

A pure function with no Django in it, so it can be tested against the published vectors and reused by
anything that receives Calendly webhooks. The header is ``t=<unix seconds>,v1=<hex HMAC-SHA256>``; the
digest covers ``"<t>.<raw body>"``. Checking the timestamp against a tolerance is what stops a captured
delivery from being replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import time

DEFAULT_TOLERANCE = 180


def compute_signature(body: bytes, signing_key: str, timestamp: int) -> str:
    """The hex digest Calendly sends as ``v1`` for this body and timestamp."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(signing_key.encode(), message, hashlib.sha256).hexdigest()


def signature_header(body: bytes, signing_key: str, timestamp: int | None = None) -> str:
    """A complete header value, for senders and tests."""
    ts = int(time.time()) if timestamp is None else timestamp
    return f"t={ts},v1={compute_signature(body, signing_key, ts)}"


def parse_signature_header(header: str) -> tuple[int | None, list[str]]:
    """The timestamp (None if absent or not a number) and every ``v1`` digest in the header."""
    timestamp: int | None = None
    digests: list[str] = []
    for part in (header or "").split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                timestamp = None
        elif key == "v1" and value:
            digests.append(value)
    return timestamp, digests


def verify_signature(
    body: bytes,
    header: str,
    signing_key: str,
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> bool:
    """True only when a ``v1`` digest matches and the timestamp is within ``tolerance`` seconds."""
    if not signing_key:
        return False
    timestamp, digests = parse_signature_header(header)
    if timestamp is None or not digests:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = compute_signature(body, signing_key, timestamp)
    return any(hmac.compare_digest(expected, digest) for digest in digests)
