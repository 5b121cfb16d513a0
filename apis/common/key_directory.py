"""Who holds a key, as the CMS says (croody_core.introspection), cached and kept.

A service never reads the CMS's tables. It asks the CMS's internal endpoints and:

- answers from memory for FRESH_SECONDS, so a revoked key is refused within that time (the
  live stream re-checks its key more often than the rest of the margin to 30 s);
- keeps every good answer in its own database (`<service>_known_keys`), so when the CMS
  cannot be reached, keys it already knew keep working, across restarts too; a key it never
  saw gets `DirectoryUnavailable` (503: retry), never a wrong 401;
- asks once per key at a time, however many requests wait for the answer.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar, cast

import httpx
from sqlalchemy import BigInteger, Column, Engine, MetaData, String, Table, Text, delete, select
from starlette.concurrency import run_in_threadpool

from croody_core.introspection import KEY_PATH, OWNER_PATH, KeyRecord, Owner, RecordError

log = logging.getLogger(__name__)

FRESH_SECONDS = 20.0
# An unknown prefix is asked again soon: a key created a moment ago must work at once.
MISS_SECONDS = 2.0
# Owners (a signed-in user's robots) are cheap to ask: a robot added shows up within seconds.
OWNER_FRESH_SECONDS = 5.0
# While the CMS is unreachable, a kept answer is used this long before asking again.
RETRY_SECONDS = 5.0
CACHE_ENTRIES = 10_000


def known_keys_table(service: str, metadata: MetaData) -> Table:
    """The service's copy of the key records it has verified (one row per key prefix)."""
    return Table(
        f"{service}_known_keys",
        metadata,
        Column("prefix", String(8), primary_key=True),
        Column("record", Text, nullable=False),  # KeyRecord.to_json()
        Column("fetched_ms", BigInteger, nullable=False),
    )


class DirectoryUnavailable(Exception):
    """The CMS could not be asked and nothing is known about this key or user."""


class _Unreachable(Exception):
    pass


T = TypeVar("T")


class _Cache(Generic[T]):
    """A bounded LRU whose entries expire; `clock` is swappable for tests."""

    def __init__(self) -> None:
        self.clock: Callable[[], float] = time.monotonic
        self._entries: OrderedDict[object, tuple[float, T]] = OrderedDict()

    def get(self, key: object) -> tuple[bool, T | None]:
        """(fresh, value): the value is returned even when stale, for use during outages."""
        entry = self._entries.get(key)
        if entry is None:
            return False, None
        self._entries.move_to_end(key)
        return entry[0] > self.clock(), entry[1]

    def put(self, key: object, value: T, ttl: float) -> None:
        self._entries[key] = (self.clock() + ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > CACHE_ENTRIES:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()


class KeyDirectory:
    """One per service process (app.state.keys), living on the service's event loop."""

    def __init__(
        self,
        *,
        cms_url: str,
        secret: str,
        engine: Engine,
        table: Table,
        timeout: float = 3.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=cms_url,
            transport=transport,
            timeout=timeout,
            headers={"Authorization": f"Bearer {secret}"},
        )
        self._engine = engine
        self._table = table
        self.keys: _Cache[KeyRecord | None] = _Cache()
        self.owners: _Cache[Owner | None] = _Cache()
        self._asking: dict[object, asyncio.Future[Any]] = {}

    async def aclose(self) -> None:
        await self._http.aclose()

    async def key(self, prefix: str) -> KeyRecord | None:
        """The key's record; None when the CMS has no such key."""
        fresh, record = self.keys.get(prefix)
        if fresh:
            return record
        return await self._once(("key", prefix), lambda: self._refresh_key(prefix, record))

    async def owner(self, user_id: int) -> Owner | None:
        """The user's standing and robots; None when the CMS has no such user."""
        fresh, owner = self.owners.get(user_id)
        if fresh:
            return owner
        return await self._once(("owner", user_id), lambda: self._refresh_owner(user_id, owner))

    async def _once(self, what: object, ask: Callable[[], Awaitable[T]]) -> T:
        """Concurrent requests for the same record share one question to the CMS, asked in
        a task of its own: a client that hangs up does not cancel it for the others."""
        task = self._asking.get(what)
        if task is None:
            task = asyncio.ensure_future(ask())
            self._asking[what] = task
            task.add_done_callback(lambda done: self._forget(what, done))
        return cast(T, await asyncio.shield(task))

    def _forget(self, what: object, done: asyncio.Future[Any]) -> None:
        del self._asking[what]
        if not done.cancelled():
            done.exception()  # retrieved: if every waiter hung up, nobody else would

    async def _ask(self, path: str) -> dict[str, Any] | None:
        """The CMS's JSON answer, None for 404; _Unreachable for anything else."""
        try:
            response = await self._http.get(path)
        except httpx.HTTPError as error:
            raise _Unreachable(type(error).__name__) from error
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise _Unreachable(f"HTTP {response.status_code}")
        try:
            answer: dict[str, Any] = response.json()
        except ValueError as error:
            raise _Unreachable("not JSON") from error
        return answer

    async def _refresh_key(self, prefix: str, stale: KeyRecord | None) -> KeyRecord | None:
        try:
            data = await self._ask(KEY_PATH.format(prefix=prefix))
            record = None if data is None else KeyRecord.from_json(data)
        except (_Unreachable, RecordError) as error:
            record = stale or await run_in_threadpool(self._kept, prefix)
            log.warning(
                "CMS key introspection failed",
                extra={"error": str(error), "prefix": prefix, "kept": record is not None},
            )
            if record is None:
                raise DirectoryUnavailable(str(error)) from error
            self.keys.put(prefix, record, RETRY_SECONDS)
            return record
        self.keys.put(prefix, record, FRESH_SECONDS if record else MISS_SECONDS)
        if record is None or record != stale:  # a key the CMS no longer has is forgotten
            await run_in_threadpool(self._keep, prefix, record)
        return record

    async def _refresh_owner(self, user_id: int, stale: Owner | None) -> Owner | None:
        try:
            data = await self._ask(OWNER_PATH.format(user_id=user_id))
            owner = None if data is None else Owner.from_json(data)
        except (_Unreachable, RecordError) as error:
            log.warning("CMS user introspection failed", extra={"error": str(error)})
            if stale is None:
                raise DirectoryUnavailable(str(error)) from error
            self.owners.put(user_id, stale, RETRY_SECONDS)
            return stale
        self.owners.put(user_id, owner, OWNER_FRESH_SECONDS if owner else MISS_SECONDS)
        return owner

    def _kept(self, prefix: str) -> KeyRecord | None:
        with self._engine.connect() as connection:
            text = connection.scalar(
                select(self._table.c.record).where(self._table.c.prefix == prefix)
            )
        try:
            return None if text is None else KeyRecord.from_json(json.loads(text))
        except (ValueError, RecordError):
            return None

    def _keep(self, prefix: str, record: KeyRecord | None) -> None:
        """Replace the kept record (delete it when the CMS no longer has the key)."""
        with self._engine.begin() as connection:
            connection.execute(delete(self._table).where(self._table.c.prefix == prefix))
            if record is not None:
                connection.execute(
                    self._table.insert().values(
                        prefix=prefix,
                        record=json.dumps(record.to_json()),
                        fetched_ms=int(time.time() * 1000),
                    )
                )
