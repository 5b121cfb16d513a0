"""Fan-out of new readings to live subscribers (the SSE streams of `GET live`).

In process by default. With REDIS_URL every worker and replica publishes each committed batch
to one Redis channel and delivers what it hears there, so a subscriber sees readings posted to
any worker. Nothing is lost for good when the fan-out stumbles: a subscriber whose queue
overflows, or that may have missed messages while Redis was away, gets a `GAP` and catches up
from the database (the stream tracks its last event id, as a reconnecting browser would).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

import redis.asyncio as aioredis

from apis.telemetry.store import Values, public, row_from

log = logging.getLogger("croody.telemetry.live")

# (reading id, robot id, the reading as JSON text): serialised once for every subscriber.
LiveItem = tuple[int, str, str]
GAP: list[LiveItem] = []  # sentinel batch: "you may have missed readings, catch up"
QUEUE_BATCHES = 1000
_COMPACT = (",", ":")


@dataclass(eq=False)
class Subscription:
    robots: frozenset[str] | None  # None: every robot
    queue: asyncio.Queue[list[LiveItem]] = field(
        default_factory=lambda: asyncio.Queue(QUEUE_BATCHES)
    )

    def offer(self, batch: list[LiveItem]) -> None:
        if batch is not GAP and self.robots is not None:
            batch = [item for item in batch if item[1] in self.robots]
            if not batch:
                return
        try:
            self.queue.put_nowait(batch)
        except asyncio.QueueFull:
            # Too slow a reader: drop what is queued; it catches up from the database.
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(GAP)


class LiveHub:
    def __init__(self, redis_url: str = "", channel: str = "croody:telemetry:live") -> None:
        self.redis_url = redis_url
        self.channel = channel
        self.subscriptions: set[Subscription] = set()
        self._redis: aioredis.Redis | None = None
        self._listener: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[LiveHub]:
        if self.redis_url:
            self._redis = aioredis.from_url(self.redis_url)
            self._listener = asyncio.create_task(self._listen(), name="telemetry-live")
            # Serve even when Redis is down; the listener keeps trying and publishing falls back.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._listening.wait(), timeout=5)
        try:
            yield self
        finally:
            if self._listener is not None:
                self._listener.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._listener
            if self._redis is not None:
                await self._redis.aclose()

    def subscribe(self, robots: frozenset[str] | None) -> Subscription:
        subscription = Subscription(robots)
        self.subscriptions.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self.subscriptions.discard(subscription)

    async def publish(self, stored: Sequence[tuple[int, Values]]) -> None:
        """Announce committed readings ((id, values) as the store returns) to every subscriber.

        Through Redis they go as the stored values, one JSON array for the batch: each worker
        turns them into the API's JSON only for the robots its own subscribers watch, and not
        at all while it has none (most of the time, for most workers).
        """
        if not stored:
            return
        if self._redis is not None:
            try:
                await self._redis.publish(self.channel, json.dumps([(i, *v) for i, v in stored]))
                return  # delivered here too, by the listener
            except Exception as exc:  # Redis down: at least this worker's subscribers hear it
                log.warning("live publish failed", extra={"error": type(exc).__name__})
        self._deliver(stored)

    def _deliver(self, stored: Sequence[tuple[int, Values]]) -> None:
        """Serialise what this worker's subscribers watch, once for all of them, and offer it."""
        if not self.subscriptions:
            return
        filters = [subscription.robots for subscription in self.subscriptions]
        watched = None if None in filters else {r for robots in filters if robots for r in robots}
        batch = [
            (
                reading_id,
                values[0],
                json.dumps(public(row_from(reading_id, values)), separators=_COMPACT),
            )
            for reading_id, values in stored
            if watched is None or values[0] in watched
        ]
        if batch:
            self._offer(batch)

    def _offer(self, batch: list[LiveItem]) -> None:
        for subscription in list(self.subscriptions):
            subscription.offer(batch)

    async def _listen(self) -> None:
        assert self._redis is not None  # noqa: S101 -- started only with Redis
        while True:
            try:
                async with self._redis.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self.channel)
                    if self._listening.is_set():
                        self._offer(GAP)  # back after an outage: everyone re-reads
                    self._listening.set()
                    async for message in pubsub.listen():
                        if message["type"] == "message" and self.subscriptions:
                            rows = json.loads(message["data"])
                            self._deliver([(row[0], tuple(row[1:])) for row in rows])
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("live subscriber reconnecting", extra={"error": type(exc).__name__})
                await asyncio.sleep(1)
