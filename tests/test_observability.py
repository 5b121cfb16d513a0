"""Request ids, JSON logs and Prometheus metrics on every service."""

import gc
import json
import re

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from apis.telemetry.main import api as telemetry_api
from observability import instrument
from observability.metrics import metrics_allowed
from tests.servers import REPO, base_env, start_server


@pytest.fixture
def telemetry():
    with TestClient(instrument(telemetry_api, "telemetry")) as client:
        yield client


def test_request_id_is_assigned_and_returned(telemetry):
    first = telemetry.get("/api/telemetry/healthz").headers["x-request-id"]
    second = telemetry.get("/api/telemetry/healthz").headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_request_id_from_the_gateway_is_kept(telemetry):
    response = telemetry.get("/healthz", headers={"X-Request-ID": "nginx-4f2a9c1e77"})
    assert response.headers["x-request-id"] == "nginx-4f2a9c1e77"


def test_malformed_request_id_is_replaced(telemetry):
    response = telemetry.get("/healthz", headers={"X-Request-ID": "<script>"})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


def test_metrics_need_the_token(monkeypatch):
    monkeypatch.setenv("METRICS_TOKEN", "s3cret-token")
    with TestClient(instrument(telemetry_api, "telemetry")) as client:
        client.get("/api/telemetry/healthz")
        assert client.get("/metrics").status_code == 403
        wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 403
        assert wrong.json()["error"] == "forbidden"
        ok = client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
    assert ok.status_code == 200
    assert 'croody_http_requests_total{method="GET",service="telemetry",status="200"}' in ok.text
    assert "croody_http_request_duration_seconds_bucket" in ok.text
    assert "croody_http_request_errors_total" in ok.text


@pytest.mark.parametrize(
    ("client", "allowed"),
    [(("127.0.0.1", 5000), True), (("::1", 5000), True), (("203.0.113.9", 5000), False)],
)
def test_without_a_token_only_loopback_reads_metrics(client, allowed):
    assert metrics_allowed({"client": client, "headers": []}, token="") is allowed


def test_unhandled_errors_are_counted_and_answered_500():
    from fastapi import FastAPI

    broken = FastAPI()

    @broken.get("/boom")
    def boom() -> None:
        raise RuntimeError("bug")

    with TestClient(instrument(broken, "broken-test"), raise_server_exceptions=False) as client:
        assert client.get("/boom").status_code == 500
        client.get("/boom")
    assert (
        REGISTRY.get_sample_value("croody_http_request_errors_total", {"service": "broken-test"})
        == 2
    )


def test_every_service_logs_json_lines_with_the_request_id(tmp_path):
    server = start_server("gateway", base_env(tmp_path), tmp_path / "server.log")
    try:
        ids = {
            path: httpx.get(server.base_url + path).headers["x-request-id"]
            for path in ("/health/", "/api/telemetry/healthz", "/api/ids/healthz")
        }
        metrics = httpx.get(server.base_url + "/metrics")  # loopback, no token configured
    finally:
        server.stop()
    access = {}
    for line in server.log().splitlines():
        record = json.loads(line)  # every line is JSON, including uvicorn's own
        if record["logger"] == "croody.access":
            access[record["path"]] = record
    for path, request_id in ids.items():
        assert access[path]["request_id"] == request_id
        assert access[path]["status"] == 200
    assert access["/api/ids/healthz"]["service"] == "ids"
    assert access["/health/"]["service"] == "cms"
    assert metrics.status_code == 200
    assert 'service="telemetry"' in metrics.text and 'service="cms"' in metrics.text


def test_every_metric_the_dashboards_and_alerts_query_is_exported():
    """A renamed counter would leave a Grafana panel empty and an alert that never fires."""
    import apis.ids.service  # noqa: F401  (registers the IDS counters)

    deploy = REPO / "deploy"
    queried = set()
    for path in [*deploy.glob("grafana/dashboards/*.json"), deploy / "prometheus/alerts.yml"]:
        queried |= set(re.findall(r"\bcroody_[a-z_]+", path.read_text()))
    suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_sum", "_count"]}
    exported = {  # counters with labels have no sample until first counted: use the families
        metric.name + suffix
        for metric in REGISTRY.collect()
        for suffix in suffixes.get(metric.type, [""])
    }
    assert queried, "no croody_ metric found in the dashboards"
    assert queried <= exported, f"queried but never exported: {sorted(queried - exported)}"


def test_attacks_are_counted_per_category():
    from apis.ids.service import count_alerts

    def alerts(category: str) -> float:
        return REGISTRY.get_sample_value("croody_ids_alerts_total", {"category": category}) or 0

    before = alerts("DoS"), alerts("Probe"), alerts("normal")
    count_alerts([True, True, False, True], [1, 1, 0, 2])  # DoS, DoS, normal, Probe
    assert (alerts("DoS") - before[0], alerts("Probe") - before[1]) == (2, 1)
    assert alerts("normal") == before[2]


def test_start_up_objects_are_frozen_out_of_collections_on_the_first_request(monkeypatch):
    """A server's long-lived heap is left out of garbage collections (observability.heap):
    frozen once, when the first request comes, then never again."""
    monkeypatch.setenv("GC_FREEZE", "1")  # as `observability.server.serve` sets it
    monkeypatch.setattr("observability.heap._frozen", False)
    gc.unfreeze()
    try:
        with TestClient(instrument(telemetry_api, "telemetry")) as client:
            assert gc.get_freeze_count() == 0  # start-up (the lifespan) is not a request
            assert client.get("/api/telemetry/healthz").status_code == 200
            frozen = gc.get_freeze_count()
            assert frozen > 10_000
            assert client.get("/api/telemetry/healthz").status_code == 200
            assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()  # the rest of the test session collects as before


def test_the_heap_is_not_frozen_without_gc_freeze(monkeypatch):
    monkeypatch.delenv("GC_FREEZE", raising=False)
    monkeypatch.setattr("observability.heap._frozen", False)
    gc.unfreeze()
    with TestClient(instrument(telemetry_api, "telemetry")) as client:
        assert client.get("/api/telemetry/healthz").status_code == 200
    assert gc.get_freeze_count() == 0
