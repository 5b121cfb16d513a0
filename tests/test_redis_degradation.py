"""Redis down: pages are still served, sign-in still works, the error is logged once a
minute, /health/ says so, and everything comes back with Redis.

A throwaway `redis-server` on a free port plays Redis (the machine's own is never touched);
the real gateway runs against it in a subprocess.
"""

import json
import logging
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest
import redis

from cms.base.cache_logging import OncePerInterval
from tests.servers import (
    Server,
    base_env,
    emailed_link,
    free_port,
    fresh_database_url,
    run_manage,
    start_server,
)

REDIS_SERVER = shutil.which("redis-server")
PASSWORD = "Correct-Horse-Battery-9"
SECURITY_HEADERS = [
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "X-Frame-Options",
    "Content-Language",
    "Cache-Control",
    "Vary",
]


class ThrowawayRedis:
    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def keys(self) -> list[str]:
        return [key.decode() for key in redis.Redis(port=self.port).keys("*")]


@pytest.fixture(scope="module")
def site_env(tmp_path_factory) -> dict[str, str]:
    """A migrated site with its eight locales (Wagtail's welcome page at /es/), no demo."""
    var_dir = tmp_path_factory.mktemp("redis-var")
    env = base_env(var_dir, LOG_LEVEL="INFO")
    if database_url := fresh_database_url("redis_outage"):
        env["DATABASE_URL"] = database_url
    run_manage(env, "migrate", "--noinput", "-v", "0")
    run_manage(env, "setup_croody", "--no-demo", "--no-admin")
    return env


@pytest.fixture
def throwaway_redis():
    if not REDIS_SERVER:
        pytest.skip("redis-server is not installed")
    server = ThrowawayRedis(free_port())
    server.start()
    yield server
    server.stop()


def sign_up(http: httpx.Client, username: str, server: Server) -> httpx.Response:
    """Sign up and follow the emailed link (from the server's log): the account's creation."""
    http.get("/en/account/signup/")
    sent = http.post(
        "/en/account/signup/",
        data={
            "username": username,
            "email": f"{username}@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "csrfmiddlewaretoken": http.cookies["csrftoken"],
        },
    )
    assert sent.status_code == 302, sent.text[:500]
    link = emailed_link(server.log(), f"{username}@example.com", "/en/account/signup/confirm/")
    http.get(link)
    return http.post(link, data={"csrfmiddlewaretoken": http.cookies["csrftoken"]})


def sign_in(http: httpx.Client, username: str, password: str) -> httpx.Response:
    http.get("/en/account/login/")
    return http.post(
        "/en/account/login/",
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": http.cookies["csrftoken"],
        },
    )


def cache_log_lines(log: str) -> list[dict]:
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("logger") == "croody.cache"]


def test_a_redis_outage_degrades_to_no_cache(site_env, throwaway_redis, tmp_path: Path):
    env = {**site_env, "REDIS_URL": throwaway_redis.url}
    server = start_server("gateway", env, tmp_path / "gateway.log")
    try:
        anonymous = httpx.Client(base_url=server.base_url, timeout=10)
        member = httpx.Client(base_url=server.base_url, timeout=10)

        # Redis up: pages, sessions, per-user values and API rate-limit counters live there.
        miss, hit = anonymous.get("/es/"), anonymous.get("/es/")
        assert [miss.headers["X-Page-Cache"], hit.headers["X-Page-Cache"]] == ["miss", "hit"]
        assert hit.text == miss.text
        for header in SECURITY_HEADERS:  # a hit is sent before Django: it keeps them all
            assert hit.headers[header] == miss.headers[header], header
        assert sign_up(member, "rosa", server).status_code == 302
        assert member.get("/en/account/profile/").status_code == 200
        assert sign_in(anonymous, "rosa", "wrong").status_code == 200
        assert anonymous.get("/api/v2/pages/").status_code == 200
        keys = throwaway_redis.keys()
        assert any("pages" in key for key in keys)
        assert any("throttle" in key for key in keys), keys  # API rate limit
        # Sessions and the per-user values of signed-in pages (cms/accounts/per_user.py).
        assert any("shared" in key and "session" in key for key in keys), keys
        assert any("shared" in key and ":user:" in key for key in keys), keys
        assert anonymous.get("/health/").json()["checks"]["cache"]["status"] == "ok"

        throwaway_redis.stop()

        # Redis down: the same pages, rendered for each request; nobody is signed out.
        started = time.monotonic()
        for _ in range(20):
            response = anonymous.get("/es/")
            assert response.status_code == 200
            assert response.headers["X-Page-Cache"] == "bypass"
            assert "Welcome" in response.text
        assert time.monotonic() - started < 20  # a refused connection costs no waiting
        assert member.get("/en/account/profile/").status_code == 200
        assert sign_in(httpx.Client(base_url=server.base_url), "rosa", PASSWORD).status_code == 302
        assert anonymous.get("/api/v2/pages/").status_code == 200
        health = anonymous.get("/health/")
        assert health.status_code == 503
        checks = health.json()["checks"]
        assert checks["cache"]["status"] == "error"
        assert checks["cache"]["error"] == "ConnectionError"
        assert checks["database"]["status"] == "ok"
        # Dozens of failed cache calls, one log line (with its traceback) per minute.
        logged = cache_log_lines(server.log())
        assert len(logged) == 1
        assert logged[0]["level"] == "ERROR" and "exc_info" in logged[0]

        throwaway_redis.start()  # back on the same port, empty

        deadline = time.monotonic() + 10
        while anonymous.get("/health/").status_code != 200:
            assert time.monotonic() < deadline, "health did not recover"
            time.sleep(0.2)
        assert [anonymous.get("/es/").headers["X-Page-Cache"] for _ in range(2)] == ["miss", "hit"]
    finally:
        server.stop()


def test_repeated_errors_are_logged_once_per_interval(caplog):
    logger = logging.getLogger("croody.test.once")
    once = OncePerInterval(seconds=0.2)
    logger.addFilter(once)
    try:
        with caplog.at_level(logging.ERROR, logger="croody.test.once"):
            for _ in range(50):
                logger.error("Exception ignored")
            time.sleep(0.25)
            logger.error("Exception ignored")
        messages = [record.getMessage() for record in caplog.records]
        assert messages == [
            "Exception ignored",
            "Exception ignored (49 more in the last interval not logged)",
        ]
    finally:
        logger.removeFilter(once)
