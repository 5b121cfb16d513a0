"""Security events: one JSON line each on the `croody.security` logger, and a counter.

Framework-free: the CMS (cms/base/security_events.py) and the services
(apis/common/security_events.py) each pass what their request knows. Every event carries
`event` (one of EVENTS), `service`, `request_id` (the id on the access log line and the
X-Request-ID header) and `client` (the client's address), plus non-secret details such as the
username tried, a key's prefix, the path or a scope; never a password, key, token or cookie.

`croody_security_events_total{service,event}` counts them for the dashboard and the alerts.
"""

import logging
from typing import Any

from prometheus_client import Counter

LOGGER_NAME = "croody.security"
log = logging.getLogger(LOGGER_NAME)

# The fixed machine names, and how loud each is: refusals are warnings, key changes news.
EVENT_LEVELS = {
    "login_failed": logging.WARNING,
    "lockout": logging.WARNING,
    "key_created": logging.INFO,
    "key_revoked": logging.INFO,
    "permission_denied": logging.WARNING,
    "throttled": logging.WARNING,
    "csrf_failure": logging.WARNING,
}
EVENTS = tuple(EVENT_LEVELS)

SECURITY_EVENTS = Counter(
    "croody_security_events_total",
    "Security events (failed sign-ins, lockouts, key changes, refusals, throttling, CSRF "
    "failures), by service and event.",
    ["service", "event"],
)

# Field names that would carry a secret: refused outright, whatever the value.
SECRET_FIELDS = frozenset(
    {"password", "key", "api_key", "token", "secret", "authorization", "cookie", "credentials"}
)
MAX_TEXT = 200  # usernames and paths come from the client: keep one line short


def expect_service(service: str) -> None:
    """Start every event's count at 0 for `service`, so /metrics lists them before the first
    one, and a rate over the first event is not lost."""
    for event in EVENTS:
        SECURITY_EVENTS.labels(service, event)


def _value(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_TEXT:
        return value[:MAX_TEXT] + "…"
    if isinstance(value, (list, tuple, set, frozenset)):
        return [
            _value(item)
            for item in (sorted(value) if isinstance(value, (set, frozenset)) else value)
        ]
    return value


def security_event(
    event: str, *, service: str, request_id: str | None, client: str | None, **fields: Any
) -> None:
    """Log `event` as one JSON line on croody.security and count it.

    `fields` become top-level keys of the line; None values are left out. Raises ValueError for
    an event outside EVENTS or a field named like a secret (a bug to catch in tests).
    """
    level = EVENT_LEVELS.get(event)
    if level is None:
        raise ValueError(f"unknown security event {event!r}; add it to EVENT_LEVELS")
    secret = SECRET_FIELDS.intersection(name.lower() for name in fields)
    if secret:
        raise ValueError(f"security events never carry secrets: {sorted(secret)}")
    SECURITY_EVENTS.labels(service, event).inc()
    extra = {name: _value(value) for name, value in fields.items() if value is not None}
    extra.update(event=event, service=service, request_id=request_id or "-", client=client or "-")
    log.log(level, event, extra=extra)
