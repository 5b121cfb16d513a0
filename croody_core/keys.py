"""Croody API keys: generation, parsing, hashing and constant-time verification.

Framework-free (standard library only) so the FastAPI services can import it to check the keys
the CMS issues. The CMS (`cms.accounts`) writes the keys; the services only read them.

Key format
----------
``crd_<prefix>_<secret>``, e.g. ``crd_k3v9x2ab_Q2x…`` (56 characters):

- ``prefix``: 8 characters from ``a-z0-9``; public, unique, identifies the key in lists and logs.
- ``secret``: ``secrets.token_urlsafe(32)`` (256 random bits, 43 characters of ``A-Za-z0-9_-``).

Clients send it as ``Authorization: Bearer crd_…`` (or ``X-API-Key: crd_…``).

Table contract (``accounts_apikey``; PostgreSQL or SQLite, the CMS database)
------------------------------------------------------------------------------
==============  =====================  =========================================================
column          type                   meaning
==============  =====================  =========================================================
id              bigint, primary key
user_id         int, FK auth_user.id   the owner
robot_id        varchar(50), NULL      public id of the robot the key is bound to (the value of
                                       ``accounts_robot.robot_id``, no join needed); always set
                                       for ``telemetry:write``, NULL when the key is not bound
name            varchar(100)           the owner's label
prefix          varchar(8), unique     the ``<prefix>`` part of the key: look keys up by it
key_hash        varchar(64)            lowercase hex SHA-256 of the whole key string (UTF-8);
                                       the key itself is never stored
scopes          varchar(100)           comma-separated, sorted, from `SCOPES`
                                       (read it with `parse_scopes`)
created_at      timestamp with tz
last_used_at    timestamp with tz, NULL  services may set it (UPDATE … WHERE id = …)
revoked_at      timestamp with tz, NULL  not NULL: the key is refused
==============  =====================  =========================================================

``accounts_robot`` (id, owner_id, name, robot_id unique, created_at) lists the robots; the
readings a ``telemetry:write`` key posts belong to the key's ``robot_id``.

Checking a presented key in a service::

    parsed = keys.parse_key(presented)                 # None: malformed, answer 401
    row = SELECT key_hash, scopes, robot_id, revoked_at FROM accounts_apikey
          WHERE prefix = :prefix                       # parsed.prefix; no row: 401
    keys.verify_key(presented, row.key_hash, revoked=row.revoked_at is not None)  # False: 401
    keys.has_scope(row.scopes, "telemetry:write")      # False: 403

A fast hash is right here: the secret has 256 random bits, so it cannot be guessed offline and
needs no slow password hash. The comparison is constant-time (`hmac.compare_digest`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

KEY_TAG = "crd"
PREFIX_LENGTH = 8
PREFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"  # URL-safe, no "_" (the separator)
SECRET_BYTES = 32  # 256 bits

SCOPE_TELEMETRY_WRITE = "telemetry:write"
SCOPE_TELEMETRY_READ = "telemetry:read"
SCOPE_IDS_SCORE = "ids:score"
SCOPE_IDS_ANALYST = "ids:analyst"
SCOPES: tuple[str, ...] = (
    SCOPE_TELEMETRY_WRITE,
    SCOPE_TELEMETRY_READ,
    SCOPE_IDS_SCORE,
    SCOPE_IDS_ANALYST,
)
SCOPES_NEEDING_ROBOT = frozenset({SCOPE_TELEMETRY_WRITE})
# Members of this Django group get `ids:analyst` when signed in (the APIs read it by name).
ANALYST_GROUP = "IDS analysts"

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


def generate_key(prefix: str | None = None) -> NewKey:
    """A new random key (with a new prefix unless one is given)."""
    prefix = prefix or generate_prefix()
    if not re.fullmatch(f"[{PREFIX_ALPHABET}]{{{PREFIX_LENGTH}}}", prefix):
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


def parse_scopes(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """Scopes from the stored comma-separated text (or any iterable), validated and sorted.

    Raises ValueError naming the unknown scopes.
    """
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    scopes = {item.strip() for item in items if item and item.strip()}
    unknown = sorted(scopes - set(SCOPES))
    if unknown:
        raise ValueError(f"unknown scope(s): {', '.join(unknown)}; known: {', '.join(SCOPES)}")
    return tuple(sorted(scopes))


def format_scopes(scopes: str | Iterable[str]) -> str:
    """The canonical stored form: validated, de-duplicated, sorted, comma-separated."""
    return ",".join(parse_scopes(scopes))


def has_scope(stored_scopes: str | Iterable[str], scope: str) -> bool:
    try:
        return scope in parse_scopes(stored_scopes)
    except ValueError:
        return False
