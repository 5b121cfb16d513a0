"""Security events: one JSON line each on `croody.security`, with the request id and the client
address, counted in croody_security_events_total (observability/security.py).

The CMS's events are triggered through their real paths with Django's test client and read
from the JSON handler the settings configure; one test runs the CMS under uvicorn, with two
workers sharing their counters, as deployed. The services' are in tests/telemetry and
tests/ids/service.
"""

import io
import json
import re

import httpx
import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from prometheus_client import REGISTRY

from cms.accounts.models import ApiKey
from observability.logging import logging_config
from observability.security import EVENTS, security_event
from tests.security_log import count, scraped_counts
from tests.servers import base_env, start_server

PASSWORD = "Correct-Horse-Battery-9"
WRONG_PASSWORD = "not-the-password-7x!"


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user("ana", "ana@example.com", PASSWORD)


# --- the shared function and the logging configuration -------------------------------------


def test_every_setting_sends_security_events_through_the_json_handler_at_info():
    for config in (logging_config("WARNING"), settings.LOGGING):
        logger = config["loggers"]["croody.security"]
        assert logger["handlers"] == ["stderr"] and logger["propagate"] is False
        assert logger["level"] == "INFO"  # key changes stay logged when LOG_LEVEL is WARNING
        assert config["handlers"]["stderr"]["formatter"] == "json"


def test_events_are_fixed_names_and_never_carry_secrets():
    with pytest.raises(ValueError, match="unknown security event"):
        security_event("login_oops", service="cms", request_id=None, client=None)
    for field in ("password", "key", "token", "Authorization"):
        with pytest.raises(ValueError, match="never carry secrets"):
            security_event(
                "login_failed", service="cms", request_id=None, client=None, **{field: "x"}
            )


def test_long_client_supplied_text_is_cut(security_log):
    security_event(
        "login_failed", service="cms", request_id="r1234567", client="::1", username="a" * 5000
    )
    record = security_log.one("login_failed")
    assert len(record["username"]) <= 201
    assert (record["request_id"], record["client"], record["level"]) == (
        "r1234567",
        "::1",
        "WARNING",
    )


def test_every_event_of_the_cms_is_listed_from_zero():
    for event in EVENTS:
        assert (
            REGISTRY.get_sample_value(
                "croody_security_events_total", {"service": "cms", "event": event}
            )
            is not None
        )


# --- sign-in ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/en/account/login/", "/admin/login/"])
def test_a_wrong_password_is_a_login_failed_event(client, user, security_log, path):
    before = count("login_failed")
    response = client.post(
        path,
        {"username": "ana", "password": WRONG_PASSWORD},
        REMOTE_ADDR="203.0.113.5",
        HTTP_X_REQUEST_ID="req-login-0001",
    )
    assert response.status_code == 200  # the form again, with its error
    assert response["X-Request-ID"] == "req-login-0001"
    record = security_log.one("login_failed")
    assert record["level"] == "WARNING"
    assert record["service"] == "cms"
    assert record["username"] == "ana"
    assert record["client"] == "203.0.113.5"
    assert record["request_id"] == "req-login-0001"
    assert record["path"] == path
    assert WRONG_PASSWORD not in security_log.text()
    assert count("login_failed") == before + 1


@pytest.mark.django_db
def test_without_an_incoming_id_the_event_has_the_one_returned(client, user, security_log):
    response = client.post("/en/account/login/", {"username": "ana", "password": WRONG_PASSWORD})
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert security_log.one("login_failed")["request_id"] == response["X-Request-ID"]


@pytest.mark.django_db
def test_enough_failures_lock_out_with_a_lockout_event(client, user, security_log):
    before = count("lockout")
    limit = settings.AXES_FAILURE_LIMIT
    for attempt in range(limit):
        response = client.post(
            "/en/account/login/",
            {"username": "ana", "password": WRONG_PASSWORD},
            REMOTE_ADDR="198.51.100.44",
            HTTP_X_REQUEST_ID=f"req-lockout-{attempt:04d}",
        )
    assert response.status_code == 429
    assert len(security_log.records("login_failed")) == limit
    record = security_log.one("lockout")
    assert record["username"] == "ana"
    assert record["client"] == "198.51.100.44"
    assert record["request_id"] == f"req-lockout-{limit - 1:04d}"  # the attempt that locked
    assert record["failures"] == limit
    assert count("lockout") == before + 1
    # While locked, every attempt (the right password included) is refused and reported.
    response = client.post(
        "/en/account/login/", {"username": "ana", "password": PASSWORD}, REMOTE_ADDR="198.51.100.44"
    )
    assert response.status_code == 429
    assert len(security_log.records("lockout")) == 2
    assert len(security_log.records("login_failed")) == limit + 1
    assert WRONG_PASSWORD not in security_log.text() and PASSWORD not in security_log.text()


# --- API keys -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_creating_and_revoking_a_key_on_the_profile_are_events(client, user, security_log):
    client.force_login(user)
    created_before, revoked_before = count("key_created"), count("key_revoked")
    response = client.post(
        "/en/account/profile/keys/",
        {"key-name": "laptop", "key-scopes": "ids:score"},
        REMOTE_ADDR="192.0.2.10",
        HTTP_X_REQUEST_ID="req-key-create-1",
    )
    assert response.status_code == 302
    full_key = client.session["accounts_new_key"]["key"]
    api_key = ApiKey.objects.get(user=user)
    created = security_log.one("key_created")
    assert created["level"] == "INFO"
    assert created["key_prefix"] == api_key.prefix
    assert (created["owner_id"], created["actor_id"]) == (user.pk, user.pk)
    assert created["scopes"] == ["ids:score"]
    assert (created["client"], created["request_id"]) == ("192.0.2.10", "req-key-create-1")
    assert full_key not in security_log.text() and api_key.key_hash not in security_log.text()

    url = f"/en/account/profile/keys/{api_key.pk}/revoke/"
    response = client.post(url, REMOTE_ADDR="192.0.2.11", HTTP_X_REQUEST_ID="req-key-revoke-1")
    assert response.status_code == 302
    revoked = security_log.one("key_revoked")
    assert (revoked["key_prefix"], revoked["how"]) == (api_key.prefix, "revoked")
    assert (revoked["client"], revoked["request_id"]) == ("192.0.2.11", "req-key-revoke-1")
    client.post(url)  # already revoked: nothing more to report
    assert len(security_log.records("key_revoked")) == 1
    assert count("key_created") == created_before + 1
    assert count("key_revoked") == revoked_before + 1


@pytest.mark.django_db
def test_staff_revoking_in_the_admin_is_an_event_naming_them(client, user, security_log):
    staff = type(user).objects.create_superuser("root", "root@example.com", PASSWORD)
    api_key, _full_key = ApiKey.objects.issue(user=user, scopes=["ids:analyst"], name="k")
    client.force_login(staff)
    response = client.post(f"/admin/apikeys/revoke/{api_key.pk}/", REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 302
    revoked = security_log.one("key_revoked")
    assert (revoked["owner_id"], revoked["actor_id"]) == (user.pk, staff.pk)
    assert revoked["client"] == "10.9.8.7"


@pytest.mark.django_db
def test_keys_made_and_revoked_from_the_command_line_are_events_too(user, security_log):
    call_command("apikey", "create", "--user", "ana", "--scope", "ids:score", stdout=io.StringIO())
    api_key = ApiKey.objects.get(user=user)
    call_command("apikey", "revoke", api_key.prefix, stdout=io.StringIO())
    created, revoked = security_log.one("key_created"), security_log.one("key_revoked")
    assert created["key_prefix"] == revoked["key_prefix"] == api_key.prefix
    assert created["client"] == created["request_id"] == "-"  # no request: an operator's shell
    assert "actor_id" not in created


@pytest.mark.django_db
def test_deleting_an_active_key_is_a_revocation(user, security_log):
    active, _ = ApiKey.objects.issue(user=user, scopes=["ids:score"])
    revoked, _ = ApiKey.objects.issue(user=user, scopes=["ids:score"])
    revoked.revoke()
    active.delete()
    revoked.delete()  # was already revoked: no second event
    events = security_log.records("key_revoked")
    assert [(e["key_prefix"], e["how"]) for e in events] == [
        (revoked.prefix, "revoked"),
        (active.prefix, "deleted"),
    ]


# --- refusals -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_permission_denied_view_is_an_event(client, django_user_model, security_log):
    """PermissionDenied raised in a view: the fleet refuses admin users who are not staff (as
    a 403 for the admin's own scripts; Wagtail turns it into a redirect for pages)."""
    editor = django_user_model.objects.create_user("ed", password=PASSWORD)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    before = count("permission_denied")
    response = client.get(
        "/admin/fleet/",
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
        REMOTE_ADDR="192.0.2.99",
        HTTP_X_REQUEST_ID="req-denied-0001",
    )
    assert response.status_code == 403
    record = security_log.one("permission_denied")
    assert (record["status"], record["path"], record["method"]) == (403, "/admin/fleet/", "GET")
    assert record["user_id"] == editor.pk
    assert (record["client"], record["request_id"]) == ("192.0.2.99", "req-denied-0001")
    assert count("permission_denied") == before + 1


@pytest.mark.django_db
def test_the_internal_api_without_its_secret_is_an_event(client, security_log):
    response = client.get(
        "/internal/keys/abcdefgh/", HTTP_AUTHORIZATION="Bearer guessed-secret-value"
    )
    assert response.status_code == 401
    record = security_log.one("permission_denied")
    assert (record["status"], record["path"]) == (401, "/internal/keys/abcdefgh/")
    assert "guessed-secret-value" not in security_log.text()


@pytest.mark.django_db
def test_exceeding_the_api_throttle_is_a_throttled_event(client, settings, security_log):
    cache.clear()  # the throttle counts in the cache
    # Only the rate changes: the exception handler that reports stays.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api": "2/minute"},
    }
    before = count("throttled")
    statuses = [
        client.get(
            "/api/v2/pages/?limit=1",
            REMOTE_ADDR="198.51.100.77",
            HTTP_X_REQUEST_ID=f"req-throttle-{n:03d}",
        ).status_code
        for n in range(3)
    ]
    cache.clear()
    assert statuses == [200, 200, 429]
    record = security_log.one("throttled")
    assert (record["path"], record["scope"]) == ("/api/v2/pages/", "api")
    assert (record["client"], record["request_id"]) == ("198.51.100.77", "req-throttle-002")
    assert 1 <= record["retry_after"] <= 60
    assert count("throttled") == before + 1
    assert not security_log.records("permission_denied")


@pytest.mark.django_db
def test_a_post_without_csrf_token_is_an_event_and_the_page_stays_translated(user, security_log):
    client = Client(enforce_csrf_checks=True)
    before = count("csrf_failure"), count("permission_denied")
    response = client.post(
        "/fr/account/login/",
        {"username": "ana", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.200",
        HTTP_X_REQUEST_ID="req-csrf-000001",
    )
    assert response.status_code == 403
    assert "La vérification CSRF a échoué" in response.content.decode()
    record = security_log.one("csrf_failure")
    assert record["reason"] == "CSRF cookie not set."
    assert (record["path"], record["method"]) == ("/fr/account/login/", "POST")
    assert (record["client"], record["request_id"]) == ("203.0.113.200", "req-csrf-000001")
    assert PASSWORD not in security_log.text()
    # One event for one refusal: not a permission_denied as well.
    assert (count("csrf_failure"), count("permission_denied")) == (before[0] + 1, before[1])


# --- as deployed --------------------------------------------------------------------------


def test_under_uvicorn_events_carry_the_returned_request_id_and_workers_share_counts(tmp_path):
    """`python -m cms` with two workers: the request id is the one instrument() returned and
    logged on the access line; /metrics adds up every worker's events."""
    prometheus = tmp_path / "prometheus"
    prometheus.mkdir()
    env = base_env(tmp_path, WEB_CONCURRENCY="2", PROMETHEUS_MULTIPROC_DIR=str(prometheus))
    server = start_server("cms", env, tmp_path / "cms.log")
    try:
        with httpx.Client(base_url=server.base_url) as http:
            refused = [
                http.post("/en/account/login/", data={"username": "ana", "password": "x"})
                for _ in range(6)
            ]
            internal = http.get("/internal/users/1/")
            metrics = http.get("/metrics")
    finally:
        server.stop()
    assert {response.status_code for response in refused} == {403}
    assert internal.status_code == 401
    lines = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
    events = {line["request_id"]: line for line in lines if line["logger"] == "croody.security"}
    access = {line["request_id"]: line for line in lines if line["logger"] == "croody.access"}
    for response in refused:
        request_id = response.headers["x-request-id"]
        assert events[request_id]["event"] == "csrf_failure"
        assert events[request_id]["client"] == access[request_id]["client"] == "127.0.0.1"
    assert events[internal.headers["x-request-id"]]["event"] == "permission_denied"
    assert metrics.status_code == 200
    counted = scraped_counts(metrics.text, "cms")
    assert counted["csrf_failure"] == 6  # three or so per worker, added up
    assert counted["permission_denied"] == 1
    assert counted["lockout"] == 0  # listed before the first one
