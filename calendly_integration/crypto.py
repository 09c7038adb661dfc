"""Encryption of stored secrets (tokens, webhook signing keys) with cryptography's MultiFernet.

It sits below the models and the oauth package, which both use it, and imports neither.

A database dump, a replica or a backup must not hand out working Calendly tokens, so every token is
encrypted before it reaches a column. ``CALENDLY["TOKEN_ENCRYPTION_KEYS"]`` lists Fernet keys, newest
first: the first encrypts, all of them decrypt, which is what makes key rotation possible (add a new
key in front, run ``calendly_rotate_keys``, then drop the old one).

Without configured keys a key is derived from ``SECRET_KEY`` with HKDF, so a fresh install works; a
system check warns because rotating ``SECRET_KEY`` would then make the tokens unreadable. Keys derived
from ``SECRET_KEY`` and ``SECRET_KEY_FALLBACKS`` always stay in the list as decrypt-only keys, so a site
that starts with the fallback and later configures keys can re-encrypt what it already stored.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils.encoding import force_bytes

from calendly_integration.conf import calendly_settings
from calendly_integration.exceptions import TokenDecryptionError

#: The module's first home; kept as the salt because keys derived from SECRET_KEY depend on it.
_HKDF_SALT = b"calendly_integration.oauth.crypto"
_HKDF_INFO = b"token-encryption-key"


def derive_key(secret: str) -> bytes:
    """A Fernet key derived from a Django secret key (HKDF-SHA256), never the secret itself."""
    material = HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=_HKDF_INFO).derive(
        force_bytes(secret)
    )
    return base64.urlsafe_b64encode(material)


def configured_keys() -> tuple[str, ...]:
    """The keys from ``TOKEN_ENCRYPTION_KEYS`` (a single string is accepted as one key)."""
    keys = calendly_settings.TOKEN_ENCRYPTION_KEYS
    if isinstance(keys, str | bytes):
        keys = [keys]
    return tuple(key.decode() if isinstance(key, bytes) else str(key) for key in keys if key)


def _secret_keys() -> tuple[str, ...]:
    return (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ()))


@lru_cache(maxsize=16)
def _build(keys: tuple[str, ...], secrets: tuple[str, ...]) -> MultiFernet:
    fernets = [Fernet(key) for key in keys]
    fernets += [Fernet(derive_key(secret)) for secret in secrets if secret]
    return MultiFernet(fernets)


def multi_fernet() -> MultiFernet:
    """The MultiFernet for the current settings: primary key first, then every key that decrypts."""
    return _build(configured_keys(), _secret_keys())


def encrypt(plaintext: str) -> str:
    """Encrypt with the primary key; the result is ASCII and safe to store in a text column."""
    return multi_fernet().encrypt(plaintext.encode()).decode("ascii")


def decrypt(ciphertext: str) -> str:
    """Decrypt with whichever configured key encrypted it."""
    try:
        return multi_fernet().decrypt(ciphertext.encode("ascii")).decode()
    except (InvalidToken, UnicodeError) as exc:
        raise TokenDecryptionError(
            "A stored Calendly token cannot be decrypted with any key in "
            "CALENDLY['TOKEN_ENCRYPTION_KEYS'] (or derived from SECRET_KEY): was a key removed "
            "before calendly_rotate_keys re-encrypted everything?"
        ) from exc


def rotate(ciphertext: str) -> str:
    """Re-encrypt with the primary key without the plaintext ever leaving this function."""
    try:
        return multi_fernet().rotate(ciphertext.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError) as exc:
        raise TokenDecryptionError(
            "A stored Calendly token cannot be decrypted with any configured key; it cannot be "
            "re-encrypted."
        ) from exc
