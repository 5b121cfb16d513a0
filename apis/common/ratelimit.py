"""Per-principal rate limits for the APIs (moving window, the `limits` library).

Counters live in Redis when REDIS_URL is set, so every worker and replica shares them;
otherwise in process memory (one budget per worker). Each service sets its own rate, e.g.
TELEMETRY_RATE_LIMIT=1200/minute; an empty rate turns the limit off.
"""

from __future__ import annotations

import logging
import math
import os
import time
from typing import cast

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

log = logging.getLogger(__name__)


def parse_rate(rate: str) -> RateLimitItem | None:
    """`1200/minute`, `20/second`, `100 per hour`…; None for an empty rate (no limit).

    Raises ValueError for text that is not a rate, so a typo stops the service at start-up.
    """
    if not rate.strip():
        return None
    return parse(rate)


class RateLimiter:
    def __init__(self, rate: str, *, namespace: str, redis_url: str | None = None) -> None:
        self.item = parse_rate(rate)
        self.namespace = namespace
        redis_url = os.environ.get("REDIS_URL", "") if redis_url is None else redis_url
        self.storage: Storage
        if redis_url:
            # redis-py (not coredis, the library's default): the client the project already uses.
            # An async+ URL always gives an asyncio storage.
            self.storage = cast(
                Storage,
                storage_from_string(
                    f"async+{redis_url}", implementation="redispy", key_prefix="croody-ratelimit"
                ),
            )
        else:
            self.storage = MemoryStorage()
        self.strategy = MovingWindowRateLimiter(self.storage)

    async def retry_after(self, identifier: str) -> int | None:
        """Count one request; None when allowed, else the seconds to wait before retrying.

        When the shared store is unreachable the request is allowed: an outage of the limiter
        must not take the API down with it.
        """
        if self.item is None:
            return None
        try:
            if await self.strategy.hit(self.item, self.namespace, identifier):
                return None
            stats = await self.strategy.get_window_stats(self.item, self.namespace, identifier)
        except Exception as exc:  # any storage failure: fail open, loudly
            log.warning("rate limit store unavailable", extra={"error": type(exc).__name__})
            return None
        return max(1, math.ceil(stats.reset_time - time.time()))
