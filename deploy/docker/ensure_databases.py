"""One PostgreSQL role and one database per service, each shut to the others.

    DATABASE_URL            CMS        role croody_cms        database croody
    TELEMETRY_DATABASE_URL  telemetry  role croody_telemetry  database telemetry
    IDS_DATABASE_URL        IDS        role croody_ids        database ids

Names and passwords are read from the URLs themselves. With DATABASE_ADMIN_URL (a role
that may create roles and databases: compose's POSTGRES_USER, the RDS master user; its
URL names the maintenance database, postgres), for every URL on the admin's server:

- the role exists, may log in with the URL's password (sent as a SCRAM verifier, never
  in clear: RDS logs DDL) and has none of SUPERUSER, CREATEDB, CREATEROLE, REPLICATION,
  BYPASSRLS;
- the database exists and is owned by the role, and so is everything in it: a database
  or tables an earlier release made as the admin are handed over, so the service's own
  migrations can alter them;
- PUBLIC may neither CONNECT to the database nor make TEMP tables in it, so a role cannot
  even connect to another service's database.

Without DATABASE_ADMIN_URL nothing is done (someone else manages roles and databases).
Idempotent; croody-release runs it before the migrations, and only it sees the admin URL.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql
from psycopg2.extensions import encrypt_password

ADMIN_VARIABLE = "DATABASE_ADMIN_URL"
SERVICE_VARIABLES = ("DATABASE_URL", "TELEMETRY_DATABASE_URL", "IDS_DATABASE_URL")
POSTGRES_SCHEMES = ("postgres://", "postgresql://")

# Everything in a database not owned by `owner` that a migration may need to alter, as
# ALTER ... OWNER TO statements. System schemas, extensions' members and sequences that
# belong to a column (they follow their table) are left out.
HAND_OVER = """
WITH target AS (SELECT oid FROM pg_roles WHERE rolname = %(owner)s),
extension_member AS (
    SELECT classid, objid FROM pg_depend WHERE deptype = 'e'
),
user_schema AS (
    SELECT oid, nspname, nspowner FROM pg_namespace
    WHERE nspname NOT LIKE 'pg\\_%%' AND nspname <> 'information_schema'
)
SELECT format('ALTER SCHEMA %%I OWNER TO %%I', s.nspname, %(owner)s)
FROM user_schema s
WHERE s.nspowner <> (SELECT oid FROM target)
  AND pg_get_userbyid(s.nspowner) <> 'pg_database_owner'
  AND (s.oid) NOT IN (
      SELECT objid FROM extension_member WHERE classid = 'pg_namespace'::regclass)
UNION ALL
SELECT format('ALTER %%s %%s OWNER TO %%I',
              CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                             WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE'
                             ELSE 'TABLE' END,
              c.oid::regclass, %(owner)s)
FROM pg_class c JOIN user_schema s ON s.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  AND c.relowner <> (SELECT oid FROM target)
  AND c.oid NOT IN (SELECT objid FROM extension_member WHERE classid = 'pg_class'::regclass)
  AND NOT (c.relkind = 'S' AND EXISTS (
      SELECT 1 FROM pg_depend d
      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
        AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')))
UNION ALL
SELECT format('ALTER %%s %%s OWNER TO %%I',
              CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.oid::regtype, %(owner)s)
FROM pg_type t JOIN user_schema s ON s.oid = t.typnamespace
WHERE (t.typtype IN ('e', 'd', 'r')
       OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
  AND t.typowner <> (SELECT oid FROM target)
  AND t.oid NOT IN (SELECT objid FROM extension_member WHERE classid = 'pg_type'::regclass)
UNION ALL
SELECT format('ALTER ROUTINE %%s OWNER TO %%I', p.oid::regprocedure, %(owner)s)
FROM pg_proc p JOIN user_schema s ON s.oid = p.pronamespace
WHERE p.prokind IN ('f', 'p')
  AND p.proowner <> (SELECT oid FROM target)
  AND p.oid NOT IN (SELECT objid FROM extension_member WHERE classid = 'pg_proc'::regclass)
"""


class SetupError(RuntimeError):
    """A configuration this script refuses to apply."""


@dataclass(frozen=True)
class Target:
    variable: str
    role: str
    password: str | None
    database: str


def _server(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return (parts.hostname or "", parts.port or 5432)


def _with_database(url: str, database: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


def targets(environ: Mapping[str, str], admin_url: str) -> list[Target]:
    """The service URLs on the admin's server, each with its own role and database."""
    admin = urlsplit(admin_url)
    found: list[Target] = []
    for variable in SERVICE_VARIABLES:
        url = environ.get(variable, "")
        if not url.startswith(POSTGRES_SCHEMES):
            continue
        if _server(url) != _server(admin_url):
            print(f"{variable}: another server, left alone")
            continue
        parts = urlsplit(url)
        target = Target(
            variable=variable,
            role=unquote(parts.username or ""),
            password=unquote(parts.password) if parts.password else None,
            database=unquote(parts.path.lstrip("/")),
        )
        if not target.role or not target.database:
            raise SetupError(f"{variable} names no user or no database")
        if target.role == unquote(admin.username or ""):
            raise SetupError(f"{variable} uses the admin role {target.role}: give it its own")
        for other in found:
            if target.role == other.role or target.database == other.database:
                raise SetupError(
                    f"{variable} and {other.variable} share a role or a database: "
                    "each service needs its own"
                )
        found.append(target)
    return found


def ensure_role(cursor, connection, target: Target) -> None:
    cursor.execute(
        "SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls"
        " FROM pg_roles WHERE rolname = %s",
        (target.role,),
    )
    row = cursor.fetchone()
    role = sql.Identifier(target.role)
    password = sql.SQL("")
    if target.password is not None:
        verifier = encrypt_password(target.password, target.role, connection, "scram-sha-256")
        password = sql.SQL(" PASSWORD {}").format(sql.Literal(verifier))
    if row is None:
        cursor.execute(
            sql.SQL(
                "CREATE ROLE {} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE"
                " NOREPLICATION NOBYPASSRLS{}"
            ).format(role, password)
        )
        print(f"created role {target.role}")
        return
    can_login, superuser, create_db, create_role, replication, bypass_rls = row
    # Only what is set is named: changing SUPERUSER, REPLICATION or BYPASSRLS at all takes
    # a superuser, which the RDS master user is not.
    restrictions = [
        keyword
        for keyword, is_set in (
            ("NOSUPERUSER", superuser),
            ("NOREPLICATION", replication),
            ("NOBYPASSRLS", bypass_rls),
            ("NOCREATEDB", create_db),
            ("NOCREATEROLE", create_role),
        )
        if is_set
    ]
    attributes = [] if can_login else ["LOGIN"]
    attributes += restrictions
    if attributes or target.password is not None:
        cursor.execute(
            sql.SQL("ALTER ROLE {} WITH {}{}").format(role, sql.SQL(" ".join(attributes)), password)
        )
    if restrictions:
        print(f"role {target.role}: removed {', '.join(restrictions)}")


def ensure_database(cursor, target: Target, admin_is_superuser: bool) -> bool:
    """Create or hand over the database; True when it existed already."""
    role, database = sql.Identifier(target.role), sql.Identifier(target.database)
    if not admin_is_superuser:
        # Creating a database for a role, or giving it one, takes membership of that role
        # (PostgreSQL 16: SET on it). Repeating the grant is a notice, not an error.
        cursor.execute(sql.SQL("GRANT {} TO CURRENT_USER").format(role))
    cursor.execute(
        "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", (target.database,)
    )
    row = cursor.fetchone()
    if row is None:
        cursor.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(database, role))
        print(f"created database {target.database} owned by {target.role}")
    elif row[0] != target.role:
        cursor.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(database, role))
        print(f"database {target.database}: owner {row[0]} -> {target.role}")
    # The owner keeps its own privileges; nobody else may connect or make TEMP tables.
    cursor.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(database))
    return row is not None


def hand_over_contents(admin_url: str, target: Target) -> None:
    """Give the role whatever in its database someone else (an earlier release) owns."""
    connection = psycopg2.connect(_with_database(admin_url, target.database), connect_timeout=10)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(HAND_OVER, {"owner": target.role})
            statements = [statement for (statement,) in cursor.fetchall()]
            for statement in statements:
                cursor.execute(statement)
        if statements:
            print(f"database {target.database}: {len(statements)} object(s) -> {target.role}")
    finally:
        connection.close()


def main() -> int:
    admin_url = os.environ.get(ADMIN_VARIABLE, "")
    if not admin_url:
        print(f"{ADMIN_VARIABLE} is not set: roles and databases are left as they are")
        return 0
    if not admin_url.startswith(POSTGRES_SCHEMES):
        print(f"{ADMIN_VARIABLE} is not PostgreSQL: nothing to do", file=sys.stderr)
        return 1
    try:
        wanted = targets(os.environ, admin_url)
    except SetupError as error:
        print(f"ensure_databases: {error}", file=sys.stderr)
        return 1
    if not wanted:
        return 0
    connection = psycopg2.connect(admin_url, connect_timeout=10)
    connection.autocommit = True  # CREATE DATABASE cannot run in a transaction
    existed = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = CURRENT_USER")
            (admin_is_superuser,) = cursor.fetchone()
            for target in wanted:
                ensure_role(cursor, connection, target)
                existed[target] = ensure_database(cursor, target, admin_is_superuser)
    finally:
        connection.close()
    for target in wanted:
        if existed[target]:
            hand_over_contents(admin_url, target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
