"""`python -m apis.telemetry migrate|prune`, and the schema the migrations build."""

import subprocess
import sys
import time

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, insert, select

from apis.telemetry import partitions
from apis.telemetry.migrate import MIGRATIONS
from apis.telemetry.schemas import now_ms
from apis.telemetry.tables import latest, metadata, readings
from tests.servers import REPO

from .conftest import stored_row

DAY = 86_400_000


def run(*args: str, url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "apis.telemetry", "--database-url", url, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )


def not_a_partition(name: str | None, type_: str, _parent: object) -> bool:
    """PostgreSQL's monthly partitions are the readings table's storage, not other tables."""
    return not (type_ == "table" and name and name.startswith(f"{partitions.PARENT}_p"))


def test_migrations_build_exactly_the_declared_schema(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"version_table": MIGRATIONS.version_table, "include_name": not_a_partition},
        )
        differences = compare_metadata(context, metadata)
    assert differences == []
    assert MIGRATIONS.current(engine) == MIGRATIONS.head()


def test_migrate_is_idempotent(telemetry_url, engine):
    first = run("migrate", url=telemetry_url)
    again = run("migrate", url=telemetry_url)
    assert first.returncode == 0, first.stderr
    assert again.returncode == 0, again.stderr
    assert f"revision {MIGRATIONS.head()}" in again.stdout


def test_migrate_creates_a_fresh_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    result = run("migrate", url=url)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "fresh.sqlite3").exists()


def seed_ages(engine, robot: str, days_old: list[float]) -> None:
    now = now_ms()
    rows = [
        stored_row(robot, int(now - age * DAY), received_at=now, seq=n)
        for n, age in enumerate(days_old)
    ]
    with engine.begin() as connection:
        connection.execute(insert(readings), rows)
        connection.execute(insert(latest), [{**rows[-1], "reading_id": 1}])


def test_prune_deletes_old_readings_in_batches_and_keeps_the_rest(telemetry_url, engine):
    ages = [40.0] * 25 + [31.0] * 5 + [29.0] * 7 + [1.0] * 3  # 30 older than 30 days
    seed_ages(engine, "rover-old", ages)
    result = run("prune", "--older-than", "30d", "--batch-size", "8", url=telemetry_url)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    # PostgreSQL first drops the months entirely before the cutoff (there are partitions),
    # the seeded ones and any other (empty) month the database has.
    cutoff, now = now_ms() - 30 * DAY, now_ms()
    months = [partitions.month_of(int(now - age * DAY)) for age in ages]
    whole = {m for m in months if partitions.bounds(m)[1] <= cutoff}
    dropped = [line.split(":")[0].removeprefix("dropped ") for line in lines if ":" in line]
    dropped = [name for name in dropped if name.startswith(partitions.PARENT)]
    if engine.dialect.name == "postgresql":
        assert {partitions.name(month) for month in whole} <= set(dropped)
    else:
        assert dropped == []
        whole = set()
    by_rows = sum(1 for age, m in zip(ages, months, strict=True) if age > 30 and m not in whole)
    batches = [8] * (by_rows // 8) + ([by_rows % 8] if by_rows % 8 else [])
    deleted = lines[len(dropped) : len(dropped) + len(batches)]
    assert [line.split(" (")[0] for line in deleted] == [f"deleted {n}" for n in batches]
    assert lines[-1].startswith(f"done: {by_rows} readings from before ")
    with engine.connect() as connection:
        remaining = connection.scalars(select(readings.c.ts)).all()
        assert len(remaining) == 10
        assert min(remaining) > now_ms() - 30 * DAY
        # Each robot's last known state stays.
        assert connection.scalar(select(func.count()).select_from(latest)) == 1


@pytest.mark.parametrize("age", ["30", "thirty days", "0d", "-5d", "30y"])
def test_prune_refuses_unclear_ages(telemetry_url, engine, age):
    result = run("prune", f"--older-than={age}", url=telemetry_url)
    assert result.returncode == 2
    assert "duration" in result.stderr or "invalid" in result.stderr


def test_prune_requires_an_age(telemetry_url):
    result = run("prune", url=telemetry_url)
    assert result.returncode == 2
    assert "--older-than" in result.stderr


def test_prune_help_explains_itself():
    result = subprocess.run(
        [sys.executable, "-m", "apis.telemetry", "prune", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert "--older-than" in result.stdout
    assert "30d" in result.stdout
    assert "--batch-size" in result.stdout


def test_prune_with_nothing_to_do(telemetry_url, engine):
    started = time.monotonic()
    result = run("prune", "--older-than", "1d", url=telemetry_url)
    assert result.returncode == 0
    assert result.stdout.strip().splitlines()[-1].startswith("done: 0 readings")
    assert time.monotonic() - started < 60
