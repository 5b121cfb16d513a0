"""IDS service fixtures: a real IDS database (SQLite file, or PostgreSQL with DATABASE_URL)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete

from apis.common.database import make_engine
from apis.ids import migrate, store
from apis.ids.artifact import ARTIFACT_NAME, DEFAULT_MODEL_DIR
from apis.ids.serving import Serving
from croody_core.scopes import ANALYST_GROUP
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


@pytest.fixture(scope="session")
def ids_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database of our own: on PostgreSQL a dedicated sibling of DATABASE_URL's."""
    url = fresh_database_url("ids_service")
    if url is None:
        url = f"sqlite:///{tmp_path_factory.mktemp('ids-db') / 'ids.sqlite3'}"
    return url


@pytest.fixture(scope="session")
def migrated_engine(ids_database_url: str) -> Iterator[Engine]:
    engine = make_engine(ids_database_url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture()
def ids_engine(migrated_engine: Engine) -> Engine:
    """The migrated database, emptied before each test."""
    with migrated_engine.begin() as connection:
        connection.execute(delete(store.predictions))
    return migrated_engine


@pytest.fixture()
def registry_engine(tmp_path: Path) -> Iterator[Engine]:
    """An empty IDS database of its own (PostgreSQL with DATABASE_URL)."""
    url = fresh_database_url("ids_registry") or f"sqlite:///{tmp_path / 'ids.sqlite3'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()
    drop_database(url)


@pytest.fixture()
def serving(registry_engine: Engine) -> Serving:
    serving = Serving(registry_engine, DEFAULT_MODEL_DIR, poll_seconds=0.0)
    serving.start()
    return serving


@pytest.fixture()
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ids.sqlite3'}"


# -- a real IDS service (uvicorn in a subprocess) with real CMS-issued keys, asking a real
# CMS server about them -------------------------------------------------------------------

SESSION_SECRET = "ids-test-session-secret-0123456789abcdef"


@dataclass(frozen=True)
class Seeded:
    database_url: str
    cms_url: str
    keys: dict[str, dict[str, str]]  # label -> {"key", "prefix"}
    users: dict[str, int]

    def key(self, label: str) -> str:
        return self.keys[label]["key"]

    def source(self, label: str) -> str:
        return f"key:{self.keys[label]['prefix']}"


@pytest.fixture(scope="session")
def accounts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """A CMS database with users and keys issued by the CMS's own code, and the CMS serving it."""
    var = tmp_path_factory.mktemp("ids-accounts")
    url = fresh_database_url("ids_accounts") or f"sqlite:///{var / 'cms.sqlite3'}"
    data = seed_cms(var, Path(__file__).with_name("accounts_seed.py"), url)
    cms = start_cms(var, url)
    yield Seeded(url, cms.base_url, data["keys"], data["users"])
    cms.stop()
    drop_database(url)


def start_ids(var: Path, accounts: Seeded, database_url: str, **env: str) -> Server:
    return start_server(
        "apis.ids",
        base_env(
            var,
            IDS_DATABASE_URL=database_url,
            IDS_CMS_URL=accounts.cms_url,
            INTERNAL_API_SECRET=INTERNAL_SECRET,
            API_SESSION_SECRET=SESSION_SECRET,
            **({"IDS_RATE_LIMIT": "100000/minute"} | env),
        ),
        var / "ids.log",
        probe="/api/ids/healthz",
    )


@pytest.fixture(scope="session")
def ids_api(tmp_path_factory: pytest.TempPathFactory, accounts: Seeded) -> Iterator[Server]:
    """The IDS API alone, on its own database (PostgreSQL with DATABASE_URL)."""
    var = tmp_path_factory.mktemp("ids-api")
    url = fresh_database_url("ids_api") or f"sqlite:///{var / 'ids.sqlite3'}"
    server = start_ids(var, accounts, url)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def broken_ids_api(tmp_path_factory: pytest.TempPathFactory, accounts: Seeded) -> Iterator[Server]:
    """A service whose artifact was altered after training, with a tight rate limit."""
    var = tmp_path_factory.mktemp("ids-broken")
    model_dir = var / "model"
    shutil.copytree(DEFAULT_MODEL_DIR, model_dir)
    artifact = model_dir / ARTIFACT_NAME
    data = bytearray(artifact.read_bytes())
    data[len(data) // 3] ^= 0x40
    artifact.write_bytes(bytes(data))
    url = fresh_database_url("ids_broken") or f"sqlite:///{var / 'ids.sqlite3'}"
    server = start_ids(var, accounts, url, IDS_MODEL_DIR=str(model_dir), IDS_RATE_LIMIT="3/minute")
    yield server
    server.stop()


# -- the admin (Django test client) -------------------------------------------------------


def sign_in(client, user) -> None:
    """Sign in with the admin in English, so the checks below read the source strings."""
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)


@pytest.fixture()
def analyst(client, django_user_model):
    """A member of the IDS analysts (not staff), signed in to the admin in English."""
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("ana", password="pw-analyst-123")
    user.groups.add(Group.objects.get(name=ANALYST_GROUP))
    sign_in(client, user)
    return user
