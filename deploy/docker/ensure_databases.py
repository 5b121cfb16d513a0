"""Create the telemetry and IDS databases when they live on the CMS server.

Each service owns its database (TELEMETRY_DATABASE_URL, IDS_DATABASE_URL);
in compose and on RDS they share one PostgreSQL server, whose master user
(DATABASE_URL) may create them. A database on another server is left alone.
Idempotent: run by croody-release before migrations.
"""

import os
import sys
from urllib.parse import urlsplit

import psycopg2
from psycopg2 import sql


def _server(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return (parts.hostname or "", parts.port or 5432)


def main() -> int:
    admin_url = os.environ.get("DATABASE_URL", "")
    if not admin_url.startswith(("postgres://", "postgresql://")):
        print("DATABASE_URL is not PostgreSQL: nothing to create")
        return 0
    wanted = []
    for name in ("TELEMETRY_DATABASE_URL", "IDS_DATABASE_URL"):
        url = os.environ.get(name, "")
        if url.startswith(("postgres://", "postgresql://")) and _server(url) == _server(admin_url):
            wanted.append(urlsplit(url).path.lstrip("/"))
    if not wanted:
        return 0
    connection = psycopg2.connect(admin_url, connect_timeout=10)
    connection.autocommit = True  # CREATE DATABASE cannot run in a transaction
    with connection.cursor() as cursor:
        for database in wanted:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
                print(f"created database {database}")
    connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
