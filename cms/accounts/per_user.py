"""Per-user values every signed-in page shows (theme, user bar, cart count), from the shared
cache rather than a query each.

Each value is kept under the user's id in the "shared" cache (Redis, else files: every worker
and so every device of the user sees the same entry). Whoever changes what a value is made of
drops it (`forget`): the next request, from any tab or device, reads it afresh. A change made
behind the owners' backs (`QuerySet.update()`, SQL by hand) or a read racing a change can
leave an entry stale for at most TIMEOUT seconds. Without the cache (a Redis outage) every
request reads the database, as it did before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar, Generic, TypeVar

from django.core.cache import caches
from django.db import transaction

CACHE_ALIAS = "shared"
TIMEOUT = 300
VERSION = 1  # raise when a value's shape changes
T = TypeVar("T")
_MISSING = object()


class PerUser(Generic[T]):
    """One value per user, computed by `compute(user)` when the cache has none."""

    every: ClassVar[list[PerUser[Any]]] = []

    def __init__(self, name: str, compute: Callable[[Any], T]) -> None:
        self.name = name
        self.compute = compute
        PerUser.every.append(self)

    def key(self, user_id: int) -> str:
        return f"user:{user_id}:{self.name}:{VERSION}"

    def get(self, user: Any) -> T:
        cache = caches[CACHE_ALIAS]
        key = self.key(user.pk)
        value = cache.get(key, _MISSING)
        if value is _MISSING:
            value = self.compute(user)
            cache.set(key, value, TIMEOUT)
        return value

    def forget(self, user_ids: Iterable[int]) -> None:
        """Drop the users' values now and again when the transaction commits: a request
        reading between the two still saw the old rows."""
        keys = [self.key(user_id) for user_id in user_ids]
        if not keys:
            return
        cache = caches[CACHE_ALIAS]
        cache.delete_many(keys)
        if transaction.get_connection().in_atomic_block:
            transaction.on_commit(lambda: cache.delete_many(keys))


def forget_user(user_id: int) -> None:
    """Every value of this user (a new account never inherits a reused id's entries)."""
    for value in PerUser.every:
        value.forget([user_id])
