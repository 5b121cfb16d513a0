"""What the APIs read from the CMS database: API keys (accounts_apikey) and robot ownership.

The CMS owns these tables (cms/accounts/models.py; contract in cms/accounts/keys.py); the
services only read them, apart from stamping a key's `last_used_at`. Lookups are cached in
process for at most `CACHE_SECONDS`, so a key revoked on the profile page is refused within
a minute everywhere.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    select,
    update,
)
from sqlalchemy.exc import SQLAlchemyError

from apis.common.database import make_engine, var_dir

log = logging.getLogger(__name__)

CACHE_SECONDS = 30.0
# An unknown prefix is looked up again sooner: a key created a moment ago must work at once.
MISS_CACHE_SECONDS = 2.0
# Robot lists are cheap to read; a robot added on the profile page shows up within seconds.
ROBOTS_CACHE_SECONDS = 5.0
CACHE_ENTRIES = 10_000

_metadata = MetaData()
apikey_table = Table(
    "accounts_apikey",
    _metadata,
    Column("id", BigInteger, primary_key=True),
    Column("user_id", Integer),
    Column("robot_id", String(50)),
    Column("prefix", String(8)),
    Column("key_hash", String(64)),
    Column("scopes", String(100)),
    Column("last_used_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
)
user_table = Table(
    "auth_user",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("is_active", Boolean),
    Column("is_staff", Boolean),
)
group_table = Table("auth_group", _metadata, Column("id", Integer), Column("name", String(150)))
user_groups_table = Table(
    "auth_user_groups", _metadata, Column("user_id", Integer), Column("group_id", Integer)
)
robot_table = Table(
    "accounts_robot",
    _metadata,
    Column("id", BigInteger, primary_key=True),
    Column("owner_id", Integer),
    Column("robot_id", String(50)),
)


@dataclass(frozen=True)
class KeyRecord:
    """One row of accounts_apikey with its owner's standing."""

    id: int
    user_id: int
    key_hash: str
    scopes: str
    robot_id: str | None
    revoked: bool
    user_active: bool
    user_is_staff: bool
    user_groups: frozenset[str]


def accounts_database_url() -> str:
    return (
        os.environ.get("ACCOUNTS_DATABASE_URL")
        or os.environ.get("DATABASE_URL")
        or f"sqlite:///{var_dir() / 'cms.sqlite3'}"
    )


T = TypeVar("T")


class TtlCache(Generic[T]):
    """A small thread-safe LRU whose entries expire; `clock` is swappable for tests."""

    def __init__(self, max_entries: int = CACHE_ENTRIES) -> None:
        self.max_entries = max_entries
        self.clock: Callable[[], float] = time.monotonic
        self._entries: OrderedDict[object, tuple[float, T]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: object) -> tuple[bool, T | None]:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] <= self.clock():
                return False, None
            self._entries.move_to_end(key)
            return True, entry[1]

    def put(self, key: object, value: T, ttl: float) -> None:
        with self._lock:
            self._entries[key] = (self.clock() + ttl, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class AccountsReader:
    """Cached reads of the CMS database through its own small engine."""

    def __init__(self, url: str | None = None) -> None:
        self._url = url
        self._engine: Engine | None = None
        self._engine_lock = threading.Lock()
        self.keys: TtlCache[KeyRecord | None] = TtlCache()
        self.robots: TtlCache[frozenset[str]] = TtlCache()

    @property
    def engine(self) -> Engine:
        with self._engine_lock:
            if self._engine is None:
                self._engine = make_engine(self._url or accounts_database_url())
            return self._engine

    def cached_key(self, prefix: str) -> tuple[bool, KeyRecord | None]:
        return self.keys.get(prefix)

    def load_key(self, prefix: str) -> KeyRecord | None:
        """Read the key from the database (bypassing the cache) and cache the answer."""
        query = (
            select(
                apikey_table.c.id,
                apikey_table.c.user_id,
                apikey_table.c.key_hash,
                apikey_table.c.scopes,
                apikey_table.c.robot_id,
                apikey_table.c.revoked_at,
                user_table.c.is_active,
                user_table.c.is_staff,
            )
            .join(user_table, user_table.c.id == apikey_table.c.user_id)
            .where(apikey_table.c.prefix == prefix)
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
            groups: frozenset[str] = frozenset()
            if row is not None:
                groups = frozenset(
                    connection.scalars(
                        select(group_table.c.name)
                        .join(user_groups_table, user_groups_table.c.group_id == group_table.c.id)
                        .where(user_groups_table.c.user_id == row.user_id)
                    )
                )
        record = None
        if row is not None:
            record = KeyRecord(
                id=row.id,
                user_id=row.user_id,
                key_hash=row.key_hash,
                scopes=row.scopes,
                robot_id=row.robot_id,
                revoked=row.revoked_at is not None,
                user_active=bool(row.is_active),
                user_is_staff=bool(row.is_staff),
                user_groups=groups,
            )
        self.keys.put(prefix, record, CACHE_SECONDS if record else MISS_CACHE_SECONDS)
        return record

    def touch_key(self, key_id: int) -> None:
        """Record the key's use; a read-only or busy CMS database must not fail the request."""
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    update(apikey_table)
                    .where(apikey_table.c.id == key_id)
                    .values(last_used_at=datetime.now(UTC))
                )
        except SQLAlchemyError as exc:
            log.warning("could not record last_used_at", extra={"error": type(exc).__name__})

    def robots_of(self, user_id: int) -> frozenset[str]:
        """The public ids of the robots the user owns."""
        found, robots = self.robots.get(user_id)
        if found and robots is not None:
            return robots
        with self.engine.connect() as connection:
            robots = frozenset(
                connection.scalars(
                    select(robot_table.c.robot_id).where(robot_table.c.owner_id == user_id)
                )
            )
        self.robots.put(user_id, robots, ROBOTS_CACHE_SECONDS)
        return robots

    def reset(self) -> None:
        """Forget cached answers and the engine (tests point the reader at another database)."""
        self.keys.clear()
        self.robots.clear()
        with self._engine_lock:
            if self._engine is not None:
                self._engine.dispose()
            self._engine = None


accounts = AccountsReader()
