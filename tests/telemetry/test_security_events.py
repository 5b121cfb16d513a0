"""The service's 401, 403 and 429 answers are security events (apis/common/security_events.py).

In process, wrapped by observability.instrument as deployed (request ids, /metrics), with keys
the real CMS server issued and answers for.
"""

import pytest
from fastapi.testclient import TestClient

from croody_core import keys
from observability import instrument
from tests.security_log import count, scraped_counts
from tests.telemetry.conftest import reading

LAST = "/api/telemetry/last"
INGEST = "/api/telemetry/ingest"
METRICS_TOKEN = "metrics-token-for-security-tests"


@pytest.fixture
def telemetry(make_api, monkeypatch):
    monkeypatch.setenv("METRICS_TOKEN", METRICS_TOKEN)
    with TestClient(instrument(make_api(rate_limit="2/minute"), "telemetry")) as client:
        yield client


def by_request_id(security_log) -> dict[str, dict]:
    return {record["request_id"]: record for record in security_log.records()}


def test_missing_and_unknown_keys_are_permission_denied_with_the_prefix_only(
    telemetry, security_log
):
    before = count("permission_denied", "telemetry")
    unknown = keys.generate_key()  # well formed, never issued
    answers = {
        "none": telemetry.get(LAST),
        "bearer": telemetry.get(LAST, headers={"Authorization": f"Bearer {unknown.key}"}),
        "x-api-key": telemetry.get(LAST, headers={"X-API-Key": "crd_garbage"}),
        "other": telemetry.get(LAST, headers={"Authorization": "Basic YW5hOnNlY3JldA=="}),
    }
    events = by_request_id(security_log)
    for credential, response in answers.items():
        assert response.status_code == 401
        record = events[response.headers["x-request-id"]]
        assert record["event"] == "permission_denied"
        assert record["level"] == "WARNING"
        assert (record["service"], record["status"], record["path"]) == ("telemetry", 401, LAST)
        assert record["client"] == "testclient"  # request.client.host
        assert record["credential"] == credential
    bearer = events[answers["bearer"].headers["x-request-id"]]
    assert bearer["key_prefix"] == unknown.prefix
    assert "key_prefix" not in events[answers["x-api-key"].headers["x-request-id"]]
    text = security_log.text()
    assert unknown.key not in text and keys.parse_key(unknown.key).secret not in text
    assert "YW5hOnNlY3JldA" not in text and "crd_garbage" not in text
    assert count("permission_denied", "telemetry") == before + 4


def test_a_missing_scope_and_the_routes_own_refusals_are_permission_denied(
    telemetry, seed, security_log
):
    wrong_scope = telemetry.get(LAST, headers=seed.key("ana_ids"))  # ids:score only
    others_robot = telemetry.get(  # HTTPException in apis/telemetry/access.py
        LAST, params={"robot": seed.robots["ana-rover-1"]}, headers=seed.key("bruno_read")
    )
    foreign_reading = telemetry.post(  # ApiError in the route
        INGEST, json=[reading(seed.robots["bruno-rover-1"])], headers=seed.key("ana1_write")
    )
    assert [r.status_code for r in (wrong_scope, others_robot, foreign_reading)] == [403] * 3
    events = by_request_id(security_log)
    scope = events[wrong_scope.headers["x-request-id"]]
    assert scope["principal"] == f"key:{seed.keys['ana_ids']['prefix']}"
    assert scope["scopes"] == ["telemetry:read"]
    for response, label in ((others_robot, "bruno_read"), (foreign_reading, "ana1_write")):
        record = events[response.headers["x-request-id"]]
        assert (record["event"], record["status"]) == ("permission_denied", 403)
        assert record["principal"] == f"key:{seed.keys[label]['prefix']}"
    assert events[foreign_reading.headers["x-request-id"]]["method"] == "POST"
    for label in ("ana_ids", "bruno_read", "ana1_write"):
        assert seed.keys[label]["key"] not in security_log.text()


def test_over_the_rate_limit_is_throttled_and_counted_on_metrics(telemetry, seed, security_log):
    before = count("throttled", "telemetry")
    answers = [telemetry.get(LAST, headers=seed.key("staff_read")) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 429]
    record = security_log.one("throttled")
    assert record["request_id"] == answers[-1].headers["x-request-id"]
    assert record["principal"] == f"key:{seed.keys['staff_read']['prefix']}"
    assert (record["limit"], record["retry_after"]) == (
        "2/minute",
        int(answers[-1].headers["retry-after"]),
    )
    assert (record["service"], record["client"]) == ("telemetry", "testclient")
    assert count("throttled", "telemetry") == before + 1

    refused = telemetry.get("/metrics")  # no token: refused, and that is an event too
    assert refused.status_code == 403
    denied = by_request_id(security_log)[refused.headers["x-request-id"]]
    assert (denied["event"], denied["path"]) == ("permission_denied", "/metrics")
    metrics = telemetry.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    counted = scraped_counts(metrics.text, "telemetry")
    assert counted["throttled"] == count("throttled", "telemetry") >= 1
    assert counted["lockout"] == 0  # every event listed, from zero
