"""Health endpoints: 200 with every check when healthy, 503 when the database is gone."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import MetaData

from apis.common.app import create_api
from apis.common.key_directory import known_keys_table
from apis.common.settings import ServiceSettings
from observability import instrument
from tests.servers import base_env, start_server

# Nothing listens on port 1: connections are refused at once.
BROKEN_POSTGRES = "postgresql://croody@127.0.0.1:1/croody"


@pytest.mark.django_db
def test_cms_health_reports_every_check(client):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "storage", "disk"}
    assert all(check["status"] == "ok" for check in body["checks"].values())
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_cms_health_answers_probes_by_ip_address(client, settings):
    settings.ALLOWED_HOSTS = ["croody.example"]
    assert client.get("/health/", HTTP_HOST="10.0.3.17:8000").status_code == 200
    assert client.get("/es/", HTTP_HOST="10.0.3.17:8000").status_code == 400


@pytest.mark.django_db
def test_cms_health_fails_when_disk_is_nearly_full(client, settings):
    settings.HEALTH_MIN_FREE_DISK_MB = 10**12  # more than any disk has
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["disk"]["status"] == "error"


def test_cms_health_is_503_with_a_broken_database(tmp_path):
    server = start_server(
        "gateway", base_env(tmp_path, DATABASE_URL=BROKEN_POSTGRES), tmp_path / "server.log"
    )
    try:
        import httpx

        response = httpx.get(f"{server.base_url}/health/")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "error"
        assert body["checks"]["database"] == {
            "status": "error",
            "duration_ms": body["checks"]["database"]["duration_ms"],
            "error": "OperationalError",
        }
        assert body["checks"]["cache"]["status"] == "ok"
        # The APIs behind the same gateway are unaffected by the CMS database.
        assert httpx.get(f"{server.base_url}/api/telemetry/healthz").status_code == 200
    finally:
        server.stop()


def bare_api(service: str, database_url: str):
    """The shape every service shares, with no routes of its own."""
    return create_api(
        service=service,
        title=service,
        description="",
        version="0",
        settings=ServiceSettings(database_url=database_url),
        known_keys=known_keys_table(service, MetaData()),
    )


@pytest.mark.parametrize("service", ["telemetry", "ids"])
def test_api_healthz_ok(service, tmp_path):
    api = bare_api(service, f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with TestClient(instrument(api, service)) as client:
        for path in (f"/api/{service}/healthz", "/healthz"):
            response = client.get(path)
            assert response.status_code == 200
            assert response.json()["checks"]["database"]["status"] == "ok"


@pytest.mark.parametrize("service", ["telemetry", "ids"])
def test_api_healthz_is_503_with_a_broken_database(service):
    api = bare_api(service, BROKEN_POSTGRES)
    with TestClient(api) as client:
        response = client.get(f"/api/{service}/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"]["status"] == "error"
    assert body["checks"]["database"]["error"] == "OperationalError"
