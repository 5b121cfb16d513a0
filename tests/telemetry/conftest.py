"""Telemetry fixtures: a real CMS (its own database and server, answering key introspection),
the service's own database, clients.

Both databases are SQLite files by default and dedicated PostgreSQL databases (created here,
dropped at the end) when DATABASE_URL points at PostgreSQL; the live fan-out goes through
Redis when REDIS_URL is set. Every test starts with empty telemetry tables. The service never
sees the CMS's database: it asks the CMS server over HTTP, as deployed.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, func, select

from apis.common.database import make_engine
from apis.telemetry.main import build_api
from apis.telemetry.migrate import MIGRATIONS
from apis.telemetry.settings import Settings
from apis.telemetry.tables import hours, latest, minutes, readings
from croody_core import session as api_session
from tests.servers import (
    INTERNAL_SECRET,
    Server,
    base_env,
    drop_database,
    fresh_database_url,
    seed_cms,
    start_cms,
    start_server,
)

SESSION_SECRET = "telemetry-tests-session-secret-" + "s" * 16
RUN_ID = f"{os.getpid()}_{uuid.uuid4().hex[:6]}"
REDIS_URL = os.environ.get("REDIS_URL", "")


@dataclass(frozen=True)
class Seed:
    """What tests/telemetry/accounts_seed.py created in the CMS database, and the CMS server
    that answers for it."""

    url: str
    cms_url: str
    users: dict[str, int]
    robots: dict[str, str]  # name -> public robot id
    keys: dict[str, dict[str, str]]  # label -> {"key", "prefix"}

    def key(self, label: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[label]['key']}"}


@pytest.fixture(scope="session")
def work_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("telemetry")


@pytest.fixture(scope="session")
def seed(work_dir: Path) -> Iterator[Seed]:
    """A CMS database built by the CMS's own migrations and models, served by `python -m cms`."""
    url = fresh_database_url(f"tlm_accounts_{RUN_ID}") or f"sqlite:///{work_dir / 'cms.sqlite3'}"
    data = seed_cms(work_dir, Path(__file__).with_name("accounts_seed.py"), url)
    cms = start_cms(work_dir, url)
    yield Seed(url=url, cms_url=cms.base_url, **data)
    cms.stop()
    drop_database(url)


@pytest.fixture(scope="session")
def telemetry_url(work_dir: Path) -> Iterator[str]:
    url = fresh_database_url(f"tlm_{RUN_ID}") or f"sqlite:///{work_dir / 'telemetry.sqlite3'}"
    yield url
    drop_database(url)


@pytest.fixture(scope="session")
def engine(telemetry_url: str) -> Iterator[Engine]:
    engine = make_engine(telemetry_url)
    MIGRATIONS.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def empty_tables(request: pytest.FixtureRequest) -> None:
    """Each test that uses the telemetry database starts with it empty."""
    if "engine" not in request.fixturenames:
        return
    engine: Engine = request.getfixturevalue("engine")
    with engine.begin() as connection:
        connection.execute(delete(readings))
        connection.execute(delete(latest))
        connection.execute(delete(minutes))
        connection.execute(delete(hours))


def settings_for(telemetry_url: str, cms_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": telemetry_url,
        "cms_url": cms_url,
        "session_secret": SESSION_SECRET,
        "internal_secret": INTERNAL_SECRET,
        "key_recheck_seconds": 1.0,
        "rate_limit": "",
        "heartbeat_seconds": 1.0,
        "live_channel": f"croody-test:{RUN_ID}:live",
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def make_api(seed: Seed, engine: Engine, telemetry_url: str):
    def make(**overrides: Any) -> FastAPI:
        return build_api(settings_for(telemetry_url, seed.cms_url, **overrides))

    return make


@pytest.fixture
def client(make_api) -> Iterator[TestClient]:
    """The API in process, lifespan included (migrations, live fan-out)."""
    with TestClient(make_api(), raise_server_exceptions=True) as test_client:
        yield test_client


BASE_MS = (int(time.time()) - 3600) * 1000  # an hour ago, on a whole second


def reading(robot_id: str, /, offset_ms: int = 0, **fields: Any) -> dict[str, Any]:
    """A valid reading `offset_ms` after a fixed point an hour ago."""
    values: dict[str, Any] = {
        "robot_id": robot_id,
        "ts": BASE_MS + offset_ms,
        "x": 1.5,
        "y": -2.0,
        "heading": 90.0,
        "speed": 0.5,
        "battery": 80.0,
        "status": "moving",
    }
    values.update(fields)
    return values


def stored_row(robot_id: str, ts: int, received_at: int | None = None, seq: int = -1) -> dict:
    """A readings-table row for tests that insert directly (bypassing ingest)."""
    return {
        "robot_id": robot_id,
        "ts": ts,
        "seq": seq,
        "x": 0.0,
        "y": 0.0,
        "heading": 0.0,
        "speed": 0.0,
        "battery": 50.0,
        "status": "idle",
        "received_at": ts if received_at is None else received_at,
    }


def stored_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(readings)) or 0


def session_cookie(user_id: int, is_staff: bool = False) -> dict[str, str]:
    token = api_session.issue_token(
        user_id=user_id, is_staff=is_staff, groups=[], secret=SESSION_SECRET
    )
    return {"Cookie": f"{api_session.COOKIE_NAME}={token}"}


# --- real servers ----------------------------------------------------------------------------


def server_env(work_dir: Path, seed: Seed, telemetry_url: str, **extra: str) -> dict[str, str]:
    settings = {
        "TELEMETRY_DATABASE_URL": telemetry_url,
        "TELEMETRY_CMS_URL": seed.cms_url,
        "INTERNAL_API_SECRET": INTERNAL_SECRET,
        "API_SESSION_SECRET": SESSION_SECRET,
        "TELEMETRY_KEY_RECHECK_SECONDS": "1",
        "TELEMETRY_RATE_LIMIT": "",
        "TELEMETRY_HEARTBEAT_SECONDS": "1",
        "TELEMETRY_LIVE_CHANNEL": f"croody-test:{RUN_ID}:live",
        "LOG_LEVEL": "WARNING",
    }
    return base_env(work_dir, **(settings | extra))


@pytest.fixture
def start_telemetry(work_dir: Path, seed: Seed, telemetry_url: str, engine: Engine):
    """Start `python -m apis.telemetry` (uvicorn) processes; stopped after the test."""
    started: list[Server] = []

    def start(name: str = "telemetry", **extra: str) -> Server:
        env = server_env(work_dir, seed, telemetry_url, **extra)
        server = start_server("apis.telemetry", env, work_dir / f"{name}.log", probe="/healthz")
        started.append(server)
        return server

    yield start
    for server in started:
        if server.process.poll() is None:
            server.stop()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client
