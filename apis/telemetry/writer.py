"""Group commit: concurrent ingest requests share one transaction, so one disk sync.

Each request validates its readings, then waits here. A single writer task takes everything
waiting (up to MAX_GROUP_READINGS), stores it in one transaction in a worker thread and
answers each request with its own counts once the transaction is committed. An idle writer
starts at once, so a lone request waits for nothing; under load the syncs are shared instead
of queueing one after another (SQLite has a single writer anyway).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from apis.telemetry import store
from apis.telemetry.schemas import ReadingIn

MAX_GROUP_READINGS = 5000

Job = tuple[Sequence[ReadingIn], asyncio.Future[store.IngestOutcome]]


class GroupWriter:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._waiting: list[Job] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[GroupWriter]:
        self._task = asyncio.create_task(self._run(), name="telemetry-writer")
        try:
            yield self
        finally:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            if self._waiting:  # answered requests must not be dropped at shutdown
                await self._write(self._take())

    async def write(self, batch: Sequence[ReadingIn]) -> store.IngestOutcome:
        future: asyncio.Future[store.IngestOutcome] = asyncio.get_running_loop().create_future()
        self._waiting.append((batch, future))
        self._wake.set()
        return await future

    def _take(self) -> list[Job]:
        taken: list[Job] = []
        count = 0
        while self._waiting and (
            not taken or count + len(self._waiting[0][0]) <= MAX_GROUP_READINGS
        ):
            job = self._waiting.pop(0)
            taken.append(job)
            count += len(job[0])
        return taken

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._waiting:
                await self._write(self._take())

    async def _write(self, jobs: list[Job]) -> None:
        try:
            outcomes = await run_in_threadpool(
                store.insert_batches, self.engine, [batch for batch, _ in jobs]
            )
        except Exception as exc:  # each request answers it (503 for a database outage)
            for _, future in jobs:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, future), outcome in zip(jobs, outcomes, strict=True):
            if not future.done():  # its client may have gone: the readings are stored anyway
                future.set_result(outcome)
