"""The IDS service's refusals as security events, from a real server: its JSON log and /metrics."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.security_log import scraped_counts, security_records
from tests.servers import Server, drop_database, fresh_database_url

from ..support import normal_record
from .conftest import Seeded, start_ids

PREDICT, MODEL = "/api/ids/predict", "/api/ids/model"


@pytest.fixture(scope="module")
def ids_server(tmp_path_factory: pytest.TempPathFactory, accounts: Seeded) -> Iterator[Server]:
    """The IDS API alone, at 2 requests a minute per caller."""
    var = tmp_path_factory.mktemp("ids-security")
    url = fresh_database_url("ids_security") or f"sqlite:///{var / 'ids.sqlite3'}"
    server = start_ids(var, accounts, url, IDS_RATE_LIMIT="2/minute")
    yield server
    server.stop()
    drop_database(url)


def test_401_403_and_429_are_logged_and_counted(ids_server: Server, accounts: Seeded) -> None:
    with httpx.Client(base_url=ids_server.base_url, timeout=60) as http:
        no_key = http.post(PREDICT, json=normal_record())
        wrong_scope = http.get(MODEL, headers={"X-API-Key": accounts.key("telemetry")})
        limited = [
            http.get(MODEL, headers={"Authorization": f"Bearer {accounts.key('analyst')}"})
            for _ in range(3)
        ]
        metrics = http.get("/metrics")  # from loopback, no token configured
    assert (no_key.status_code, wrong_scope.status_code) == (401, 403)
    assert [response.status_code for response in limited] == [200, 200, 429]

    log = ids_server.log()
    events = {record["request_id"]: record for record in security_records(log)}
    denied = events[no_key.headers["x-request-id"]]
    assert (denied["event"], denied["status"], denied["credential"]) == (
        "permission_denied",
        401,
        "none",
    )
    scope = events[wrong_scope.headers["x-request-id"]]
    assert (scope["event"], scope["status"]) == ("permission_denied", 403)
    assert scope["principal"] == accounts.source("telemetry")
    assert scope["scopes"] == ["ids:score", "ids:analyst"]
    throttled = events[limited[-1].headers["x-request-id"]]
    assert throttled["event"] == "throttled"
    assert throttled["principal"] == accounts.source("analyst")
    assert (throttled["limit"], throttled["retry_after"]) == (
        "2/minute",
        int(limited[-1].headers["retry-after"]),
    )
    for record in (denied, scope, throttled):
        assert (record["service"], record["client"], record["logger"]) == (
            "ids",
            "127.0.0.1",
            "croody.security",
        )
    assert accounts.key("telemetry") not in log and accounts.key("analyst") not in log

    assert metrics.status_code == 200
    counted = scraped_counts(metrics.text, "ids")
    assert counted["permission_denied"] == 2
    assert counted["throttled"] == 1
    assert counted["csrf_failure"] == 0  # every event listed from zero
