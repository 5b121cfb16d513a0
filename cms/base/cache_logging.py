"""Log a failing dependency once per interval instead of on every request that touches it.

django-redis logs each ignored Redis error (DJANGO_REDIS_LOGGER = "croody.cache"); during an
outage that is every cache read of every request. This filter lets the first record through,
drops the rest for `seconds`, then lets the next one through saying how many it dropped.
"""

import logging
import threading
import time


class OncePerInterval(logging.Filter):
    def __init__(self, seconds: float = 60, name: str = "") -> None:
        super().__init__(name)
        self.seconds = seconds
        self._lock = threading.Lock()
        self._next_at = 0.0
        self._dropped = 0

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        with self._lock:
            if now < self._next_at:
                self._dropped += 1
                return False
            self._next_at = now + self.seconds
            dropped, self._dropped = self._dropped, 0
        record.suppressed = dropped  # shown as a field in the JSON log line
        if dropped:
            record.msg = f"{record.msg} ({dropped} more in the last interval not logged)"
        return True
