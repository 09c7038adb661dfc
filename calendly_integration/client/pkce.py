"""PKCE (RFC 7636) for the authorization-code flow.

The verifier stays on our side (in the user's session); only its S256 hash goes to the authorize
page. A stolen authorization code is then useless without the verifier.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


def generate_code_verifier(length: int = 64) -> str:
    """A random verifier of ``length`` (43..128) unreserved characters."""
    if not 43 <= length <= 128:
        raise ValueError("A PKCE code verifier is 43 to 128 characters long.")
    return secrets.token_urlsafe(length)[:length]


def code_challenge_s256(verifier: str) -> str:
    """BASE64URL(SHA-256(verifier)) without padding, as sent with ``code_challenge_method=S256``."""
    if not isinstance(verifier, str) or not _VERIFIER.match(verifier):
        raise ValueError("A PKCE code verifier is 43 to 128 characters from [A-Za-z0-9-._~].")
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
