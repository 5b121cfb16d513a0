"""Croody API keys: generation, parsing, hashing and constant-time verification.

The CMS issues keys and stores only their hash; the services verify the keys robots and
analysts present against the record the CMS gives them (`croody_core.introspection`).

Key format
----------
``crd_<prefix>_<secret>``, e.g. ``crd_k3v9x2ab_Q2x…`` (56 characters):

- ``prefix``: 8 characters from ``a-z0-9``; public, unique, identifies the key in lists and logs.
- ``secret``: ``secrets.token_urlsafe(32)`` (256 random bits, 43 characters of ``A-Za-z0-9_-``).

Clients send it as ``Authorization: Bearer crd_…`` (or ``X-API-Key: crd_…``).

A fast hash is right here: the secret has 256 random bits, so it cannot be guessed offline and
needs no slow password hash. The comparison is constant-time (`hmac.compare_digest`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

KEY_TAG = "crd"
PREFIX_LENGTH = 8
PREFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"  # URL-safe, no "_" (the separator)
SECRET_BYTES = 32  # 256 bits

_PREFIX_PATTERN = re.compile(f"[{PREFIX_ALPHABET}]{{{PREFIX_LENGTH}}}")
_KEY_PATTERN = re.compile(
    rf"^{KEY_TAG}_(?P<prefix>[{PREFIX_ALPHABET}]{{{PREFIX_LENGTH}}})_(?P<secret>[A-Za-z0-9_-]{{43}})$"
)


@dataclass(frozen=True)
class NewKey:
    """A freshly generated key: show `key` once, store `prefix` and `key_hash`."""

    key: str
    prefix: str
    key_hash: str


@dataclass(frozen=True)
class ParsedKey:
    prefix: str
    secret: str


def generate_prefix() -> str:
    return "".join(secrets.choice(PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))


def is_prefix(text: str) -> bool:
    """Whether `text` could be a key's prefix (8 characters of a-z0-9)."""
    return _PREFIX_PATTERN.fullmatch(text) is not None


def generate_key(prefix: str | None = None) -> NewKey:
    """A new random key (with a new prefix unless one is given)."""
    prefix = prefix or generate_prefix()
    if not is_prefix(prefix):
        raise ValueError(f"prefix must be {PREFIX_LENGTH} characters of {PREFIX_ALPHABET}")
    key = f"{KEY_TAG}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    return NewKey(key=key, prefix=prefix, key_hash=hash_key(key))


def parse_key(key: str) -> ParsedKey | None:
    """The prefix and secret of a well-formed key, or None (surrounding whitespace ignored)."""
    if not isinstance(key, str):
        return None
    match = _KEY_PATTERN.fullmatch(key.strip())
    if match is None:
        return None
    return ParsedKey(prefix=match["prefix"], secret=match["secret"])


def hash_key(key: str) -> str:
    """Lowercase hex SHA-256 of the whole key: what `key_hash` stores."""
    return hashlib.sha256(key.strip().encode("utf-8")).hexdigest()


def verify_key(key: str, stored_hash: str, *, revoked: bool = False) -> bool:
    """True when `key` is well formed, not revoked and hashes to `stored_hash`.

    The hashes are compared in constant time, so timing does not reveal how much matched.
    """
    if parse_key(key) is None or not stored_hash:
        return False
    matches = hmac.compare_digest(hash_key(key), stored_hash.strip().lower())
    return matches and not revoked
