"""Reading security events back in tests: the JSON lines of `croody.security`, the counter."""

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from pythonjsonlogger.json import JsonFormatter


def count(event: str, service: str = "cms") -> float:
    """croody_security_events_total for this service and event, in this process."""
    value = REGISTRY.get_sample_value(
        "croody_security_events_total", {"service": service, "event": event}
    )
    return value or 0.0


def scraped_counts(metrics_text: str, service: str) -> dict[str, float]:
    """croody_security_events_total by event for one service, from a /metrics answer."""
    return {
        sample.labels["event"]: sample.value
        for family in text_string_to_metric_families(metrics_text)
        for sample in family.samples
        if sample.name == "croody_security_events_total" and sample.labels["service"] == service
    }


def security_records(lines: str, event: str | None = None) -> list[dict]:
    """The security events among JSON log lines (a server's log: other lines are skipped)."""
    records = [json.loads(line) for line in lines.splitlines() if line.startswith("{")]
    return [
        record
        for record in records
        if record.get("logger") == "croody.security" and event in (None, record["event"])
    ]


class SecurityLog:
    """What the configured JSON handler of `croody.security` wrote, read back."""

    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    def text(self) -> str:
        return self.stream.getvalue()

    def records(self, event: str | None = None) -> list[dict]:
        return security_records(self.text(), event)

    def one(self, event: str) -> dict:
        found = self.records(event)
        assert len(found) == 1, f"expected one {event} event, got {found}"
        return found[0]


@contextmanager
def capture_security_log() -> Iterator[SecurityLog]:
    """Point the handler the logging settings give `croody.security` (the JSON one, set up by
    Django's LOGGING in this process) at a buffer."""
    handlers = [  # pytest adds its own capturing handlers beside the configured one
        handler
        for handler in logging.getLogger("croody.security").handlers
        if type(handler) is logging.StreamHandler and isinstance(handler.formatter, JsonFormatter)
    ]
    assert handlers, "croody.security has no JSON handler: the logging settings lost it"
    stream = io.StringIO()
    previous = [handler.setStream(stream) for handler in handlers]
    try:
        yield SecurityLog(stream)
    finally:
        for handler, old in zip(handlers, previous, strict=True):
            handler.setStream(old)
