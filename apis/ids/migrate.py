"""Alembic migrations of the IDS database: `python -m apis.ids.migrate [upgrade|current]`.

The service runs `upgrade` at start-up, so a fresh machine needs no extra step; the runner
(locking against workers starting at once) is apis.common.migrations.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from sqlalchemy import Engine

from apis.common.database import make_engine
from apis.common.migrations import Migrations

MIGRATIONS = Migrations(
    scripts=Path(__file__).resolve().parent / "migrations",
    version_table="ids_alembic_version",
    lock_id=0x1D5_0001,
)
VERSION_TABLE = MIGRATIONS.version_table
log = logging.getLogger("croody.ids")


def head_revision() -> str:
    return MIGRATIONS.head()


def current_revision(engine: Engine) -> str | None:
    return MIGRATIONS.current(engine)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`; a no-op when it is already there."""
    MIGRATIONS.upgrade(engine, revision)
    log.info("IDS database schema upgraded to %s", revision)


def main(argv: list[str] | None = None) -> int:
    from apis.ids.settings import get_settings

    parser = argparse.ArgumentParser(prog="python -m apis.ids.migrate", description=__doc__)
    parser.add_argument("action", choices=["upgrade", "current"], nargs="?", default="upgrade")
    parser.add_argument("--database-url", default=None, help="default: IDS_DATABASE_URL")
    args = parser.parse_args(argv)
    engine = make_engine(args.database_url or get_settings().database_url)
    try:
        if args.action == "upgrade":
            upgrade(engine)
        print(f"{engine.url.render_as_string(hide_password=True)}: {current_revision(engine)}")
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
