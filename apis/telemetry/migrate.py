"""The telemetry schema's Alembic migrations (run at start-up and by `python -m apis.telemetry
migrate`)."""

from pathlib import Path

from apis.common.migrations import Migrations

MIGRATIONS = Migrations(
    scripts=Path(__file__).resolve().parent / "migrations",
    version_table="telemetry_alembic_version",
    lock_id=0x7E1E_0001,
)
