"""Callback tokens this site can recognize as its own, even after its database forgot them.

A token is 192 random bits followed by an HMAC of them under this site's ``SECRET_KEY``. The
random part makes the callback URL unguessable; the HMAC lets the subscription check tell a
subscription this site made (left over from a database reset or restore: safe to delete) from one
another site made for the same ``PUBLIC_BASE_URL`` and Calendly user (a staging copy, a second
deployment: not ours to touch). Tokens made before this scheme carry no HMAC and are never taken
for ours unless our database still has them.
"""

from __future__ import annotations

import base64
import secrets

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

_SALT = "calendly_integration.webhooks.callback_tokens"
_NONCE_LENGTH = 32  # token_urlsafe(24)
_MAC_BYTES = 12  # 16 URL-safe characters


def issue() -> str:
    """A new callback token (48 URL-safe characters) signed by this site."""
    nonce = secrets.token_urlsafe(24)
    return nonce + _mac(nonce, settings.SECRET_KEY)


def is_ours(token: str) -> bool:
    """Whether this site (its ``SECRET_KEY``, or one of ``SECRET_KEY_FALLBACKS``) issued ``token``."""
    nonce, mac = token[:_NONCE_LENGTH], token[_NONCE_LENGTH:]
    if len(nonce) != _NONCE_LENGTH or not mac:
        return False
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ())]
    return any(constant_time_compare(mac, _mac(nonce, key)) for key in keys)


def _mac(nonce: str, key: str) -> str:
    digest = salted_hmac(_SALT, nonce, secret=key, algorithm="sha256").digest()[:_MAC_BYTES]
    return base64.urlsafe_b64encode(digest).decode("ascii")
