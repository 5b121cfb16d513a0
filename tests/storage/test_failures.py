"""S3 unreachable: editors get a clear message and nothing half-saved, /health/ fails its
storage check, nothing answers with a 500.

The real gateway runs in a subprocess against its own moto server, which is stopped once the
editor has signed in: S3 going away under a running site, requests committing (or not) as
in production.
"""

import io
import re
from collections.abc import Iterator

import boto3
import httpx
import pytest
from django.utils import translation
from PIL import Image as PILImage

from cms.base.middleware import STORAGE_UNAVAILABLE
from cms.settings.s3 import MEDIA_LOCATION, STATIC_LOCATION
from tests.servers import base_env, fresh_database_url, run_manage, start_server
from tests.storage.s3 import CREDENTIALS, REGION, MotoServer, make_bucket

with translation.override("es"):  # the admin's language
    MESSAGE = str(STORAGE_UNAVAILABLE)


@pytest.fixture(scope="module")
def editor(tmp_path_factory) -> Iterator[httpx.Client]:
    """An admin signed in to a running site whose S3 has just gone away."""
    moto = MotoServer()
    s3 = boto3.client(
        "s3",
        endpoint_url=moto.endpoint,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )
    var_dir = tmp_path_factory.mktemp("s3-down")
    env = base_env(
        var_dir,
        **CREDENTIALS,
        AWS_STORAGE_BUCKET_NAME=make_bucket(s3, MEDIA_LOCATION),
        AWS_STATIC_BUCKET_NAME=make_bucket(s3, STATIC_LOCATION),
        AWS_S3_ENDPOINT_URL=moto.endpoint,
        AWS_S3_REGION_NAME=REGION,
    )
    if database_url := fresh_database_url("s3_down"):
        env["DATABASE_URL"] = database_url
    run_manage(env, "migrate", "--noinput", "-v", "0")
    run_manage(env, "collectstatic", "--noinput", "-v", "0")
    output = run_manage(env, "setup_croody", "--no-demo")
    username, password = re.search(r"Admin login: (\S+) / (\S+)", output).groups()
    server = start_server("gateway", env, var_dir / "gateway.log")
    client = httpx.Client(base_url=server.base_url, timeout=30)
    try:
        client.get("/admin/login/")
        signed_in = client.post(
            "/admin/login/",
            data={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": client.cookies["csrftoken"],
            },
        )
        assert signed_in.status_code == 302, signed_in.text[:500]
        assert client.get("/health/").json()["checks"]["storage"]["status"] == "ok"
        moto.stop()
        yield client
    finally:
        client.close()
        server.stop()
        moto.stop()


def png() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (300, 200), (40, 160, 90)).save(buffer, "PNG")
    return buffer.getvalue()


def csrf(client: httpx.Client) -> dict[str, str]:
    return {"X-CSRFToken": client.cookies["csrftoken"]}


def test_the_admin_uploader_shows_a_clear_error(editor: httpx.Client):
    response = editor.post(
        "/admin/images/multiple/add/",
        files={"files[]": ("trail.png", png(), "image/png")},
        headers={"X-Requested-With": "XMLHttpRequest", **csrf(editor)},
    )
    # Wagtail's uploader shows `error_message` beside the file when `success` is false.
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is False
    assert MESSAGE in body["error_message"]
    assert body["error"] == "unavailable"
    listing = editor.get("/admin/images/")
    assert listing.status_code == 200 and "trail" not in listing.text  # nothing half-saved


def test_the_upload_form_comes_back_with_the_message(editor: httpx.Client):
    response = editor.post(
        "/admin/documents/add/",
        data={"title": "Tarifas", "csrfmiddlewaretoken": editor.cookies["csrftoken"]},
        files={"file": ("tarifas.pdf", b"%PDF-1.4", "application/pdf")},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/documents/add/"
    form = editor.get("/admin/documents/add/")
    assert form.status_code == 200 and MESSAGE in form.text


def test_health_reports_the_storage_check_failing(editor: httpx.Client):
    response = editor.get("/health/")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["storage"]["status"] == "error"
    assert checks["storage"]["error"] == "EndpointConnectionError"
    assert checks["database"]["status"] == "ok"
