"""Verifying the ``Calendly-Webhook-Signature`` header.

A pure function with no Django in it, so it can be tested against the published vectors and reused by
anything that receives Calendly webhooks. The header is ``t=<unix seconds>,v1=<hex HMAC-SHA256>``; the
digest covers ``"<t>.<raw body>"``. Checking the timestamp against a tolerance is what stops a captured
delivery from being replayed later.

The header comes from anyone who knows the URL, so reading it never raises: a timestamp is plain
ASCII digits (``untrusted.ascii_int``: no sign, no Unicode digits, no hundreds of digits that no
float can hold), a digest is 64 lowercase hex characters (``hmac.compare_digest`` raises on
non-ASCII text), a ``t`` given twice makes the header unreadable rather than picking one, and a
header longer than ``MAX_HEADER_LENGTH`` is not read at all. Anything else is simply not a match.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time

from calendly_integration.untrusted import ascii_int

DEFAULT_TOLERANCE = 180
#: Far longer than a real header (about 80 characters, a few more during a key rotation).
MAX_HEADER_LENGTH = 4096
_DIGEST = re.compile(r"[0-9a-f]{64}")


def compute_signature(body: bytes, signing_key: str, timestamp: int) -> str:
    """The hex digest Calendly sends as ``v1`` for this body and timestamp."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(signing_key.encode(), message, hashlib.sha256).hexdigest()


def signature_header(body: bytes, signing_key: str, timestamp: int | None = None) -> str:
    """A complete header value, for senders and tests."""
    ts = int(time.time()) if timestamp is None else timestamp
    return f"t={ts},v1={compute_signature(body, signing_key, ts)}"


def parse_signature_header(header: str) -> tuple[int | None, list[str]]:
    """The timestamp (None if absent, repeated or not plain digits) and every well-formed ``v1``
    digest in the header; never raises, whatever the text."""
    if not isinstance(header, str) or len(header) > MAX_HEADER_LENGTH:
        return None, []
    timestamps: list[str] = []
    digests: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            timestamps.append(value)
        elif key == "v1" and _DIGEST.fullmatch(value):
            digests.append(value)
    timestamp = ascii_int(timestamps[0]) if len(timestamps) == 1 else None
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
