"""deploy/docker/ensure_databases.py against a real PostgreSQL: one role per service, each
owning only its own database and unable even to connect to another's.

The server is DATABASE_URL's when that is PostgreSQL (CI), else 127.0.0.1:5432 as
`postgres`; the tests skip when neither answers. Roles and databases get a unique suffix
and are dropped afterwards, so the server's other databases are never touched.
"""

import importlib.util
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest
from psycopg2 import sql

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "docker" / "ensure_databases.py"
LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
SERVICES = {  # service: (its URL's variable, database name as deployed)
    "cms": ("DATABASE_URL", "croody"),
    "telemetry": ("TELEMETRY_DATABASE_URL", "telemetry"),
    "ids": ("IDS_DATABASE_URL", "ids"),
}
ROLE_FLAGS = ("rolsuper", "rolcreatedb", "rolcreaterole", "rolreplication", "rolbypassrls")


def _load_script():
    spec = importlib.util.spec_from_file_location("ensure_databases", SCRIPT)
    loaded = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, loaded)  # dataclasses look their module up there
    spec.loader.exec_module(loaded)
    return loaded


ensure_databases = _load_script()


def _admin_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = LOCAL_SERVER
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def _url(admin_url: str, user: str, password: str | None, database: str) -> str:
    parts = urlsplit(admin_url)
    credentials = f"{user}:{password}" if password else user
    netloc = f"{credentials}@{parts.hostname}:{parts.port or 5432}"
    return urlunsplit(parts._replace(netloc=netloc, path=f"/{database}"))


def _run(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.endswith("DATABASE_URL")}
    clean.pop(ensure_databases.ADMIN_VARIABLE, None)
    return subprocess.run(
        [sys.executable, str(SCRIPT)],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _query(url: str, query: str, params=()) -> list[tuple]:
    connection = psycopg2.connect(url, connect_timeout=5)
    try:
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall()
    finally:
        connection.close()


def _execute(url: str, *statements) -> None:
    connection = psycopg2.connect(url, connect_timeout=5)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


@pytest.fixture(scope="module")
def admin_url() -> str:
    url = _admin_url()
    try:
        [(superuser,)] = _query(url, "SELECT rolsuper FROM pg_roles WHERE rolname = CURRENT_USER")
    except psycopg2.OperationalError as error:
        pytest.skip(f"no PostgreSQL at {urlsplit(url).hostname}: {error}")
    if not superuser:
        pytest.skip("the tests make and drop roles: they need a superuser")
    return url


@pytest.fixture(scope="module", params=["superuser", "master"])
def deployed(request, admin_url):
    """Three roles and databases made by the script, as the release step makes them.

    The script runs as a superuser (compose's POSTGRES_USER) or as a "master": a role
    with only LOGIN, CREATEDB and CREATEROLE, like the RDS master user. Before it runs,
    the telemetry database already exists the way an earlier release left it (owned by
    the admin, tables and all), and the IDS role exists with CREATEDB and CREATEROLE:
    both must be put right."""
    suffix = uuid.uuid4().hex[:8]
    names = {
        service: {
            "variable": variable,
            "role": f"croody_{service}_{suffix}",
            "password": f"pw-{service}-{uuid.uuid4().hex}",
            "database": f"{database}_{suffix}",
        }
        for service, (variable, database) in SERVICES.items()
    }
    master = f"croody_master_{suffix}" if request.param == "master" else None
    script_admin = admin_url
    if master:
        password = uuid.uuid4().hex  # for servers that check passwords (CI trusts)
        _execute(
            admin_url,
            sql.SQL("CREATE ROLE {} LOGIN CREATEDB CREATEROLE PASSWORD {}").format(
                sql.Identifier(master), sql.Literal(password)
            ),
        )
        script_admin = _url(admin_url, master, password, "postgres")
    env = {ensure_databases.ADMIN_VARIABLE: script_admin}
    for name in names.values():
        name["url"] = _url(admin_url, name["role"], name["password"], name["database"])
        env[name["variable"]] = name["url"]
    legacy = names["telemetry"]["database"]
    try:
        _execute(
            script_admin,
            sql.SQL("CREATE DATABASE {}").format(sql.Identifier(legacy)),
            sql.SQL("CREATE ROLE {} NOLOGIN CREATEDB CREATEROLE").format(
                sql.Identifier(names["ids"]["role"])
            ),
        )
        _execute(
            urlunsplit(urlsplit(script_admin)._replace(path=f"/{legacy}")),
            "CREATE TABLE readings (id serial PRIMARY KEY, robot text)",
            "CREATE TABLE ids_known (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY)",
            "CREATE SEQUENCE standalone",
            "CREATE VIEW latest AS SELECT * FROM readings",
            "CREATE TYPE robot_state AS ENUM ('moving', 'idle')",
            "CREATE DOMAIN battery AS real CHECK (VALUE BETWEEN 0 AND 100)",
            "CREATE FUNCTION one() RETURNS int LANGUAGE sql AS 'SELECT 1'",
            "CREATE SCHEMA archive CREATE TABLE old (id int)",
        )
        first = _run(env)
        assert first.returncode == 0, first.stdout + first.stderr
        second = _run(env)
        assert second.returncode == 0, second.stdout + second.stderr
        yield {"names": names, "env": env, "first": first.stdout, "second": second.stdout}
    finally:
        statements = [
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name["database"])
            )
            for name in names.values()
        ]
        statements += [
            sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role))
            for role in [*(name["role"] for name in names.values()), master]
            if role
        ]
        _execute(admin_url, *statements)


def test_each_database_is_owned_by_its_own_role(deployed, admin_url):
    for name in deployed["names"].values():
        [(owner,)] = _query(
            admin_url,
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s",
            (name["database"],),
        )
        assert owner == name["role"]


def test_roles_may_connect_only_to_their_own_database(deployed, admin_url):
    names = deployed["names"].values()
    for name in names:
        for database in (other["database"] for other in names):
            [(allowed,)] = _query(
                admin_url,
                "SELECT has_database_privilege(%s, %s, 'CONNECT')",
                (name["role"], database),
            )
            assert allowed is (database == name["database"]), (name["role"], database)
    for name in names:
        [(public_connect, public_temp)] = _query(
            admin_url,
            "SELECT has_database_privilege('public', %s, 'CONNECT'),"
            " has_database_privilege('public', %s, 'TEMPORARY')",
            (name["database"], name["database"]),
        )
        assert (public_connect, public_temp) == (False, False), name["database"]


@pytest.mark.parametrize("service", list(SERVICES))
def test_a_role_cannot_even_connect_to_another_services_database(deployed, service):
    names = deployed["names"]
    own = names[service]
    # Its own: it may connect and create what its migrations create.
    _execute(own["url"], f"CREATE TABLE probe_{service} (id int)")
    for other in (name for key, name in names.items() if key != service):
        foreign = urlunsplit(urlsplit(own["url"])._replace(path=f"/{other['database']}"))
        with pytest.raises(psycopg2.OperationalError, match="permission denied for database"):
            psycopg2.connect(foreign, connect_timeout=5).close()


def test_roles_have_no_administrative_attributes(deployed, admin_url):
    for name in deployed["names"].values():
        [row] = _query(
            admin_url,
            "SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication,"
            " rolbypassrls, rolpassword FROM pg_authid WHERE rolname = %s",
            (name["role"],),
        )
        can_login, *flags, password = row
        assert can_login is True, name["role"]
        assert dict(zip(ROLE_FLAGS, flags, strict=True)) == dict.fromkeys(ROLE_FLAGS, False)
        # Stored (and sent) as a SCRAM verifier, never the password itself.
        assert password.startswith("SCRAM-SHA-256$"), name["role"]
        assert name["password"] not in password
    # The IDS role existed with CREATEDB and CREATEROLE: they were taken away.
    assert "NOCREATEDB" in deployed["first"] and "NOCREATEROLE" in deployed["first"]


def test_an_earlier_releases_database_is_handed_over(deployed, admin_url):
    telemetry = deployed["names"]["telemetry"]
    database_url = urlunsplit(urlsplit(admin_url)._replace(path=f"/{telemetry['database']}"))
    owners = _query(
        database_url,
        """
        SELECT c.relname, pg_get_userbyid(c.relowner) FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname IN ('public', 'archive') AND c.relkind IN ('r', 'v', 'S', 'i')
        UNION ALL
        SELECT t.typname, pg_get_userbyid(t.typowner) FROM pg_type t
        WHERE t.typname IN ('robot_state', 'battery')
        UNION ALL
        SELECT p.proname, pg_get_userbyid(p.proowner) FROM pg_proc p WHERE p.proname = 'one'
        UNION ALL
        SELECT nspname, pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'archive'
        """,
    )
    names = {name for name, _ in owners}
    assert {"readings", "readings_id_seq", "ids_known", "standalone", "latest", "old"} <= names
    assert {"robot_state", "battery", "one", "archive"} <= names
    assert {owner for _, owner in owners} == {telemetry["role"]}, owners
    # Its migrations can now alter what the admin made.
    _execute(telemetry["url"], "ALTER TABLE readings ADD COLUMN battery real")


def test_a_second_run_changes_nothing_but_the_passwords(deployed):
    assert "created role" in deployed["first"]
    assert "created database" in deployed["first"]
    assert "created" not in deployed["second"]
    assert "->" not in deployed["second"], deployed["second"]


def test_without_the_admin_url_nothing_is_done():
    result = _run({"DATABASE_URL": "postgres://croody_cms:pw@127.0.0.1:1/croody"})
    assert result.returncode == 0, result.stderr
    assert "left as they are" in result.stdout


@pytest.mark.parametrize(
    ("environ", "error"),
    [
        (
            {"DATABASE_URL": "postgres://croody:pw@db:5432/croody"},
            "admin role",
        ),
        (
            {
                "TELEMETRY_DATABASE_URL": "postgres://croody_apis:a@db:5432/telemetry",
                "IDS_DATABASE_URL": "postgres://croody_apis:a@db:5432/ids",
            },
            "share a role",
        ),
        (
            {
                "TELEMETRY_DATABASE_URL": "postgres://croody_telemetry:a@db:5432/shared",
                "IDS_DATABASE_URL": "postgres://croody_ids:a@db:5432/shared",
            },
            "share a role or a database",
        ),
    ],
)
def test_refuses_shared_or_admin_roles(environ, error):
    with pytest.raises(ensure_databases.SetupError, match=error):
        ensure_databases.targets(environ, "postgres://croody:master@db:5432/postgres")


def test_databases_on_another_server_are_left_alone():
    found = ensure_databases.targets(
        {
            "DATABASE_URL": "postgres://croody_cms:a%40b@db:5432/croody?sslmode=require",
            "TELEMETRY_DATABASE_URL": "postgres://croody_telemetry:a@elsewhere:5432/telemetry",
            "IDS_DATABASE_URL": "sqlite:///var/ids.sqlite3",
        },
        "postgres://croody:master@db:5432/postgres",
    )
    assert [(t.variable, t.role, t.password, t.database) for t in found] == [
        ("DATABASE_URL", "croody_cms", "a@b", "croody")
    ]
