"""Alembic for the APIs' own databases, run from code (start-up and each service's command).

Several workers may start at once: PostgreSQL serialises them with an advisory lock held for
the migration's transaction, SQLite with an exclusive lock on a file beside the database.
Each service keeps its scripts in `<service>/migrations` and its own version table, so two
services may share one database.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, text

# Alembic logs each plugin and step at INFO; the service logs one line per run instead.
logging.getLogger("alembic").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Migrations:
    scripts: Path  # the folder with env.py and versions/
    version_table: str
    lock_id: int  # PostgreSQL advisory lock id, unique among the database's users

    def head(self) -> str:
        from alembic.script import ScriptDirectory  # alembic is slow to import

        head = ScriptDirectory(str(self.scripts)).get_current_head()
        if head is None:
            raise RuntimeError(f"no migration in {self.scripts}")
        return head

    def current(self, engine: Engine) -> str | None:
        from alembic.migration import MigrationContext

        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"version_table": self.version_table}
            )
            return context.get_current_revision()

    def upgrade(self, engine: Engine, revision: str = "head") -> None:
        """Bring the schema to `revision`; a no-op when it is already there."""
        self._run("upgrade", engine, revision)

    def downgrade(self, engine: Engine, revision: str) -> None:
        """Take the schema back to `revision` (an operator's rollback; services only upgrade)."""
        self._run("downgrade", engine, revision)

    def _run(self, direction: str, engine: Engine, revision: str) -> None:
        from alembic import command
        from alembic.config import Config

        with _file_lock(engine), engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Held until this transaction ends: other workers wait, then find nothing to do.
                connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": self.lock_id})
            config = Config()
            config.set_main_option("script_location", str(self.scripts))
            config.attributes["connection"] = connection
            config.attributes["version_table"] = self.version_table
            getattr(command, direction)(config, revision)


@contextmanager
def _file_lock(engine: Engine) -> Iterator[None]:
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with Path(f"{database}.migrate-lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
