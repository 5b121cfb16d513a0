"""The croody_api cookie: the CMS issues it to signed-in users, the APIs trust it."""

import os
import stat
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Annotated

import pytest
from django.contrib.auth.models import Group
from fastapi import APIRouter, Depends
from fastapi.testclient import TestClient
from sqlalchemy import MetaData

from apis.common.app import create_api
from apis.common.auth import Principal, require_scopes
from apis.common.key_directory import known_keys_table
from apis.common.settings import ServiceSettings
from croody_core import scopes as key_scopes
from croody_core import session as api_session
from croody_core.paths import dev_secret

from .conftest import PASSWORD

REPO = Path(__file__).resolve().parents[2]
SECRET = "k" * 40


@pytest.fixture
def shared_secret(settings):
    """The CMS and the API agree through API_SESSION_SECRET, as in production."""
    settings.API_SESSION_SECRET = SECRET
    return SECRET


def api_cookie(response) -> str | None:
    morsel = response.cookies.get(api_session.COOKIE_NAME)
    return None if morsel is None else morsel.value


# --- the token ---------------------------------------------------------------------------


def test_token_round_trip():
    token = api_session.issue_token(user_id=7, is_staff=True, groups=["b", "a"], secret=SECRET)
    claims = api_session.verify_token(token, SECRET)
    assert claims is not None
    assert (claims.user_id, claims.is_staff, claims.groups) == (7, True, frozenset({"a", "b"}))
    assert claims.expires_at - time.time() == pytest.approx(api_session.TOKEN_TTL_SECONDS, abs=2)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # signature
        lambda token: token.replace("v1.", "v2.", 1),  # unknown version
        lambda token: token.split(".", 1)[1],  # a part missing
        lambda token: "",
        lambda token: "v1.e30." + "x" * 5000,  # oversize
        lambda token: "v1.!!!.abc",
    ],
)
def test_tampered_or_malformed_tokens_are_refused(mangle):
    token = api_session.issue_token(user_id=7, is_staff=False, groups=[], secret=SECRET)
    assert api_session.verify_token(mangle(token), SECRET) is None


def test_a_forged_payload_is_refused():
    """Changing the user id or staff flag breaks the signature."""
    token = api_session.issue_token(user_id=7, is_staff=False, groups=[], secret=SECRET)
    version, _payload, signature = token.split(".")
    forged = api_session._b64encode(b'{"uid":1,"staff":true,"groups":[],"exp":9999999999}')
    assert api_session.verify_token(f"{version}.{forged}.{signature}", SECRET) is None


def test_expired_and_foreign_tokens_are_refused():
    token = api_session.issue_token(user_id=7, is_staff=False, groups=[], secret=SECRET)
    assert api_session.verify_token(token, SECRET, now=time.time() + 301) is None
    assert api_session.verify_token(token, "another-secret" * 3) is None


def test_dev_secret_is_generated_once_and_private(tmp_path):
    first = dev_secret(api_session.SECRET_FILE, tmp_path)
    assert len(first) >= api_session.MIN_SECRET_LENGTH
    assert dev_secret(api_session.SECRET_FILE, tmp_path) == first
    mode = stat.S_IMODE((tmp_path / "api-session-secret").stat().st_mode)
    assert mode == 0o600


def test_dev_secret_is_shared_through_croody_var_dir(tmp_path, monkeypatch):
    """The services find the CMS's dev secret in the same var/ folder."""
    monkeypatch.setenv("CROODY_VAR_DIR", str(tmp_path))
    assert dev_secret(api_session.SECRET_FILE) == dev_secret(api_session.SECRET_FILE, tmp_path)


@pytest.mark.parametrize("missing", ["API_SESSION_SECRET", "INTERNAL_API_SECRET"])
def test_production_refuses_to_start_without_the_secrets_it_shares_with_the_services(missing):
    env = {key: value for key, value in os.environ.items() if key != missing}
    env.update(DJANGO_SETTINGS_MODULE="cms.settings.production", SECRET_KEY="p" * 60)
    other = ({"API_SESSION_SECRET", "INTERNAL_API_SECRET"} - {missing}).pop()
    env[other] = "s" * 48
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


# --- the CMS middleware --------------------------------------------------------------------


@pytest.mark.django_db
def test_signing_in_sets_the_cookie(client, user, shared_secret):
    response = client.post("/en/account/login/", {"username": "ana", "password": PASSWORD})
    assert response.status_code == 302
    morsel = response.cookies[api_session.COOKIE_NAME]
    assert morsel["path"] == "/api/"
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Lax"
    assert int(morsel["max-age"]) == api_session.TOKEN_TTL_SECONDS
    assert not morsel["secure"]  # Secure comes with production's SESSION_COOKIE_SECURE
    claims = api_session.verify_token(morsel.value, shared_secret)
    assert claims is not None
    assert (claims.user_id, claims.is_staff) == (user.pk, False)


@pytest.mark.django_db
def test_the_cookie_names_staff_and_groups(client, user, shared_secret):
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get_or_create(name=key_scopes.ANALYST_GROUP)[0])
    client.force_login(user)
    claims = api_session.verify_token(api_cookie(client.get("/en/account/profile/")), SECRET)
    assert claims is not None
    assert claims.is_staff is True
    assert claims.groups == frozenset({key_scopes.ANALYST_GROUP})


@pytest.mark.django_db
def test_a_fresh_cookie_is_kept_and_an_old_one_refreshed(client, user, shared_secret):
    client.force_login(user)
    first = client.get("/en/account/profile/")
    assert api_cookie(first)
    assert api_cookie(client.get("/en/account/profile/")) is None  # still fresh: no Set-Cookie
    aged = api_session.issue_token(
        user_id=user.pk,
        is_staff=False,
        groups=[],
        secret=SECRET,
        now=time.time() - api_session.REFRESH_AFTER_SECONDS - 1,
    )
    client.cookies[api_session.COOKIE_NAME] = aged
    refreshed = api_cookie(client.get("/en/account/profile/"))
    assert refreshed and refreshed != aged


@pytest.mark.django_db
def test_a_cookie_of_another_user_is_replaced(client, user, other_user, shared_secret):
    client.force_login(user)
    client.cookies[api_session.COOKIE_NAME] = api_session.issue_token(
        user_id=other_user.pk, is_staff=False, groups=[], secret=SECRET
    )
    claims = api_session.verify_token(api_cookie(client.get("/en/account/profile/")), SECRET)
    assert claims is not None and claims.user_id == user.pk


@pytest.mark.django_db
def test_signing_out_deletes_the_cookie(client, user, shared_secret):
    client.force_login(user)
    client.get("/en/account/profile/")
    response = client.post("/en/account/logout/")
    morsel = response.cookies[api_session.COOKIE_NAME]
    assert morsel.value == ""
    assert morsel["path"] == "/api/"
    assert morsel["max-age"] == 0


@pytest.mark.django_db
def test_anonymous_visitors_get_no_cookie_and_no_session(client, shared_secret):
    response = client.get("/es/")
    assert response.status_code == 200
    assert api_session.COOKIE_NAME not in response.cookies
    assert "sessionid" not in response.cookies
    # A stale cookie left from an expired session is removed.
    client.cookies[api_session.COOKIE_NAME] = "v1.stale.token"
    assert client.get("/es/").cookies[api_session.COOKIE_NAME].value == ""


# --- the API side --------------------------------------------------------------------------


def who_am_i_api():
    router = APIRouter()

    @router.get("/who")
    async def who(principal: Annotated[Principal, Depends(require_scopes())]) -> dict:
        return {"user": principal.user_id, "scopes": sorted(principal.scopes)}

    return create_api(
        service="demo",
        title="demo",
        description="",
        version="0",
        settings=ServiceSettings(database_url="sqlite://", session_secret=SECRET),
        known_keys=known_keys_table("demo", MetaData()),
        routers=[router],
    )


@pytest.mark.django_db
def test_the_api_accepts_the_cookie_the_cms_set(client, user, shared_secret):
    client.force_login(user)
    token = api_cookie(client.get("/en/account/profile/"))
    with TestClient(who_am_i_api()) as api:
        cookie = SimpleCookie()
        cookie[api_session.COOKIE_NAME] = token
        answer = api.get("/api/demo/who", headers={"Cookie": cookie.output(header="").strip()})
        assert answer.status_code == 200
        assert answer.json() == {"user": user.pk, "scopes": [key_scopes.SCOPE_TELEMETRY_READ]}
        # Signed out (or never signed in): the same request without it is refused.
        refused = api.get("/api/demo/who")
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"] == "Bearer"
