"""Checks behind `/health/`: each returns nothing when healthy and raises when not."""

import logging
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

logger = logging.getLogger(__name__)


class CheckFailed(Exception):
    """A check ran but found the dependency unfit (as opposed to unreachable)."""


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    # django-redis ignores Redis errors (the site degrades to no cache); ask Redis directly
    # so an outage shows here as ConnectionError rather than as a missing value.
    client = getattr(cache, "client", None)
    if client is not None and hasattr(client, "get_client"):
        client.get_client(write=True).ping()
    key, value = f"health:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise CheckFailed("value written to the cache did not come back")
    cache.delete(key)


def check_storage() -> None:
    name = default_storage.save(f"health/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        if not default_storage.exists(name):
            raise CheckFailed("file written to media storage is missing")
    finally:
        default_storage.delete(name)


def check_disk() -> None:
    usage = shutil.disk_usage(settings.VAR_DIR if settings.VAR_DIR.exists() else settings.BASE_DIR)
    free_mb = usage.free // (1024 * 1024)
    if free_mb < settings.HEALTH_MIN_FREE_DISK_MB:
        raise CheckFailed(f"{free_mb} MB free, below {settings.HEALTH_MIN_FREE_DISK_MB} MB")


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "storage": check_storage,
    "disk": check_disk,
}


@dataclass
class CheckResult:
    ok: bool
    duration_ms: float
    error: str = ""

    def as_dict(self) -> dict[str, object]:
        result: dict[str, object] = {
            "status": "ok" if self.ok else "error",
            "duration_ms": self.duration_ms,
        }
        if self.error:
            result["error"] = self.error
        return result


def run_checks() -> dict[str, CheckResult]:
    results = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
        except CheckFailed as exc:
            results[name] = CheckResult(False, _ms(started), str(exc))
            logger.warning("health check failed", extra={"check": name, "reason": str(exc)})
        except Exception as exc:
            # The class name tells operators what broke without leaking hosts or credentials;
            # the full traceback goes to the log.
            results[name] = CheckResult(False, _ms(started), type(exc).__name__)
            logger.exception("health check failed", extra={"check": name})
        else:
            results[name] = CheckResult(True, _ms(started))
    return results


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
