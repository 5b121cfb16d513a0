"""How a service learns who holds a key: the CMS's internal introspection endpoints.

The CMS owns users, robots and API keys. A service asks it, with `INTERNAL_API_SECRET`:

- ``GET /internal/keys/<prefix>/`` → `KeyRecord` as JSON, 404 when no key has that prefix;
- ``GET /internal/users/<id>/`` → `Owner` as JSON, 404 when there is no such user.

Both answer ``Cache-Control: no-store``. The record carries the key's hash, never the key,
so the service verifies the presented key itself (`KeyRecord.admits`) and can keep the last
good answer: a CMS outage does not stop robots whose keys it already knows.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from croody_core import keys
from croody_core.scopes import parse_scopes

KEY_PATH = "/internal/keys/{prefix}/"
OWNER_PATH = "/internal/users/{user_id}/"
SECRET_VARIABLE = "INTERNAL_API_SECRET"  # noqa: S105  (a variable's name)
SECRET_FILE = "internal-api-secret"  # noqa: S105  (a file name)


class RecordError(ValueError):
    """An answer that is not a record of this contract."""


def authorized(header: str | None, secret: str) -> bool:
    """Whether an Authorization header carries the internal secret (constant time)."""
    scheme, _, presented = (header or "").partition(" ")
    return (
        bool(secret)
        and scheme.lower() == "bearer"
        and hmac.compare_digest(presented.strip().encode(), secret.encode())
    )


@dataclass(frozen=True)
class Owner:
    """A user as the services need them: standing, groups and the robots they own."""

    user_id: int
    active: bool
    staff: bool
    groups: frozenset[str]
    robots: frozenset[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "active": self.active,
            "staff": self.staff,
            "groups": sorted(self.groups),
            "robots": sorted(self.robots),
        }

    @classmethod
    def from_json(cls, data: Any) -> Owner:
        try:
            owner = cls(
                user_id=data["user_id"],
                active=data["active"],
                staff=data["staff"],
                groups=frozenset(data["groups"]),
                robots=frozenset(data["robots"]),
            )
        except (KeyError, TypeError) as error:
            raise RecordError(f"not an owner record: {error}") from None
        if not (
            type(owner.user_id) is int
            and type(owner.active) is bool
            and type(owner.staff) is bool
            and all(isinstance(name, str) for name in owner.groups | owner.robots)
        ):
            raise RecordError("not an owner record: wrong types")
        return owner


@dataclass(frozen=True)
class KeyRecord:
    """One API key: its hash, scopes, the robot it is bound to, and its owner."""

    prefix: str
    key_hash: str
    scopes: tuple[str, ...]
    robot_id: str | None
    revoked: bool
    owner: Owner

    def admits(self, presented: str) -> bool:
        """The presented key hashes to this record, is not revoked, and its owner is active."""
        return self.owner.active and keys.verify_key(presented, self.key_hash, revoked=self.revoked)

    def to_json(self) -> dict[str, Any]:
        return {
            "prefix": self.prefix,
            "key_hash": self.key_hash,
            "scopes": list(self.scopes),
            "robot_id": self.robot_id,
            "revoked": self.revoked,
            "owner": self.owner.to_json(),
        }

    @classmethod
    def from_json(cls, data: Any) -> KeyRecord:
        try:
            record = cls(
                prefix=data["prefix"],
                key_hash=data["key_hash"],
                scopes=parse_scopes(data["scopes"]),
                robot_id=data["robot_id"],
                revoked=data["revoked"],
                owner=Owner.from_json(data["owner"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise RecordError(f"not a key record: {error}") from None
        if not (
            isinstance(record.prefix, str)
            and isinstance(record.key_hash, str)
            and (record.robot_id is None or isinstance(record.robot_id, str))
            and type(record.revoked) is bool
        ):
            raise RecordError("not a key record: wrong types")
        return record
