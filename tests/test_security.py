"""Secure by default: headers on every page and API, and a production config Django approves."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext
from fastapi.testclient import TestClient

from apis.ids.main import app as ids_app
from apis.telemetry.main import app as telemetry_app
from tests.servers import REPO, base_env, run_manage


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_no_third_party_hosts(directives: dict[str, list[str]]) -> None:
    allowed = {"'self'", "'none'", "'unsafe-inline'", "data:", "blob:"}
    for name, values in directives.items():
        for value in values:
            assert value in allowed or value.startswith(("'nonce-", "'sha256-")), (
                f"{name} allows {value}"
            )


@pytest.mark.django_db
def test_site_pages_send_a_strict_csp_and_security_headers(client):
    response = client.get("/es/")
    directives = csp_directives(response["Content-Security-Policy"])
    assert "'unsafe-inline'" not in directives["script-src"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert_no_third_party_hosts(directives)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_admin_csp_allows_wagtails_inline_scripts_but_no_other_host(client):
    directives = csp_directives(client.get("/admin/login/")["Content-Security-Policy"])
    assert directives["script-src"] == ["'self'", "'unsafe-inline'"]
    assert_no_third_party_hosts(directives)


@pytest.mark.django_db
def test_the_admin_dashboard_loads_nothing_from_the_internet(admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert "gravatar.com" not in html  # avatars would leak editors' e-mail hashes
    assert "w-upgrade" not in html  # the release check would call wagtail.org


@pytest.mark.parametrize(("app", "service"), [(telemetry_app, "telemetry"), (ids_app, "ids")])
def test_api_responses_carry_security_headers(app, service):
    with TestClient(app) as client:
        json_response = client.get(f"/api/{service}/healthz")
        docs = client.get(f"/api/{service}/docs")
    assert csp_directives(json_response.headers["content-security-policy"]) == {
        "default-src": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
    assert json_response.headers["x-content-type-options"] == "nosniff"
    docs_csp = csp_directives(docs.headers["content-security-policy"])
    assert docs_csp["script-src"] == ["'self'"]
    assert_no_third_party_hosts(docs_csp)


def production_env(**extra: str) -> dict[str, str]:
    unwanted = {"SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}  # the latter is set for Playwright
    env = {key: value for key, value in os.environ.items() if key not in unwanted}
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        API_SESSION_SECRET="z" * 32 + "-api-session-secret-for-tests",
        INTERNAL_API_SECRET="w" * 32 + "-internal-api-secret-for-tests",
        **extra,
    )
    return env


PRODUCTION_SECRET = "x" * 20 + "a-long-random-production-secret-for-tests" + "y" * 10


def test_production_refuses_to_start_without_a_secret_key():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=REPO,
        env=production_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_check_deploy_with_production_settings_prints_no_warning():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=production_env(SECRET_KEY=PRODUCTION_SECRET),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


PRODUCTION_PROBE = """
import json, django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client()
plain = client.get("/es/", HTTP_HOST="croody.example")
secure = client.get("/health/", secure=True, HTTP_HOST="croody.example")
from django.conf import settings
print(json.dumps({
    "plain_status": plain.status_code,
    "plain_location": plain.get("Location"),
    "hsts": secure.get("Strict-Transport-Security"),
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "serve_media": settings.SERVE_MEDIA,
}))
"""


def test_production_redirects_to_https_with_hsts_and_secure_cookies(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE],
        cwd=REPO,
        env=production_env(
            SECRET_KEY=PRODUCTION_SECRET,
            ALLOWED_HOSTS="croody.example",
            DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        ),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["plain_status"] == 301
    assert probe["plain_location"] == "https://croody.example/es/"
    assert probe["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert probe["session_secure"] and probe["csrf_secure"]
    assert probe["serve_media"] is False  # uploads come from S3 or the web server, not Django


# `make run` (cms.settings.dev): visitors' error pages unless DEBUG=1, uploads still served.

DEV_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1:8000")
def get(path, **headers):
    response = client.get(path, **headers)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    response.close()
    return {
        "status": response.status_code,
        "location": response.get("Location"),
        "body": body.decode(errors="replace"),
    }
print(json.dumps({
    "debug": settings.DEBUG,
    "es": get("/es/no-such-page/"),
    "ar": get("/ar/no-such-page/"),
    "unprefixed": get("/no-such-page", HTTP_ACCEPT_LANGUAGE="ja"),
    "localhost": get("/es/no-such-page/", HTTP_HOST="localhost:8000"),
    "media": get("/media/probe.txt"),
    "static": get("/static/croody/css/tokens.css"),
}))
"""
DEBUG_PAGE = "seeing this error because you have <code>DEBUG = True</code>"  # Django's debug page


def dev_env(var_dir: Path, **extra: str) -> dict[str, str]:
    env = base_env(var_dir, **extra)  # cms.settings.dev, with its own SQLite and files
    for name in ("DEBUG", "AWS_STORAGE_BUCKET_NAME"):  # as a fresh `make run` has them
        if name not in extra:
            env.pop(name, None)
    return env


@pytest.fixture(scope="module")
def dev_var_dir(tmp_path_factory) -> Path:
    var_dir = tmp_path_factory.mktemp("dev-var")
    run_manage(dev_env(var_dir), "migrate", "--noinput", "-v", "0")
    (var_dir / "media").mkdir(exist_ok=True)
    (var_dir / "media" / "probe.txt").write_text("an upload")
    return var_dir


def dev_probe(var_dir: Path, **extra: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", DEV_PROBE],
        cwd=REPO,
        env=dev_env(var_dir, **extra),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_make_run_shows_visitors_the_translated_404_not_the_url_list(dev_var_dir):
    probe = dev_probe(dev_var_dir)
    assert probe["debug"] is False
    for code, direction in (("es", "ltr"), ("ar", "rtl")):
        page = probe[code]
        assert page["status"] == 404
        assert f'<html lang="{code}" dir="{direction}"' in page["body"]
        with translation.override(code):
            assert f"<h1>{gettext('Page not found')}</h1>" in page["body"]
        assert "URLconf" not in page["body"] and DEBUG_PAGE not in page["body"]
    # Unprefixed: to the visitor's language, where the page above answers.
    assert probe["unprefixed"]["status"] == 302
    assert probe["unprefixed"]["location"] == "/ja/no-such-page/"
    assert probe["localhost"]["status"] == 404  # an allowed host, not a 400
    # Uploaded and static files are still served without DEBUG.
    assert (probe["media"]["status"], probe["media"]["body"]) == (200, "an upload")
    assert probe["static"]["status"] == 200 and "--" in probe["static"]["body"]


def test_make_run_with_debug_1_shows_djangos_debug_pages(dev_var_dir):
    probe = dev_probe(dev_var_dir, DEBUG="1")
    assert probe["debug"] is True
    assert probe["es"]["status"] == 404
    assert DEBUG_PAGE in probe["es"]["body"]
    assert (probe["media"]["status"], probe["media"]["body"]) == (200, "an upload")
