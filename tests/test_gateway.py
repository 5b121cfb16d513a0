"""The gateway: one origin, three apps, each path to the right one."""

import pytest
from fastapi.testclient import TestClient

import gateway
from apis.ids.main import app as ids_app
from apis.telemetry.main import app as telemetry_app
from cms.asgi import application as cms_app


@pytest.mark.parametrize(
    ("path", "app"),
    [
        ("/api/telemetry/healthz", telemetry_app),
        ("/api/telemetry", telemetry_app),
        ("/api/ids/predict", ids_app),
        ("/api/idsx", cms_app),  # a prefix match must end at a path segment
        ("/api/v2/pages/", cms_app),
        ("/es/", cms_app),
        ("/admin/", cms_app),
        ("/health/", cms_app),
    ],
)
def test_paths_route_to_their_app(path, app):
    assert gateway.app.app_for(path) is app


@pytest.fixture
def client(transactional_db):
    with TestClient(gateway.app) as client:
        yield client


def test_gateway_serves_all_three_apps(client):
    telemetry = client.get("/api/telemetry/healthz")
    ids = client.get("/api/ids/healthz")
    site = client.get("/es/")
    assert telemetry.status_code == 200
    assert telemetry.json()["service"] == "telemetry"
    assert ids.json()["service"] == "ids"
    assert site.status_code == 200
    assert b'<html lang="es" dir="ltr">' in site.content


@pytest.mark.parametrize("service", ["telemetry", "ids"])
def test_api_docs_under_their_prefix(client, service):
    spec = client.get(f"/api/{service}/openapi.json").json()
    assert f"/api/{service}/healthz" in spec["paths"]
    docs = client.get(f"/api/{service}/docs")
    assert docs.status_code == 200
    assert f"/api/{service}/docs/assets/swagger-ui-bundle.js" in docs.text
    assert client.get(f"/api/{service}/docs/assets/swagger-ui-bundle.js").status_code == 200
    assert client.get(f"/api/{service}/docs/init.js").status_code == 200


def test_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/ids/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "message": "Not Found"}
