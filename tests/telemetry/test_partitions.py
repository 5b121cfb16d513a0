"""PostgreSQL keeps readings in one partition per month, so retention drops whole months; no
reading is refused or lost for want of its month's partition (apis/telemetry/partitions.py).

SQLite has one table: these tests run where the suite runs on PostgreSQL (CI, .ci/run).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, insert, select, text

from apis.common.database import make_engine
from apis.common.timestamps import epoch_ms
from apis.telemetry import partitions, rollups, store
from apis.telemetry.migrate import MIGRATIONS
from apis.telemetry.tables import hours as hours_table
from apis.telemetry.tables import minutes as minutes_table
from apis.telemetry.tables import readings
from tests.servers import drop_database, fresh_database_url

from .conftest import RUN_ID, reading, stored_count, stored_row

INGEST = "/api/telemetry/ingest"
DAY = 86_400_000


@pytest.fixture(autouse=True)
def on_postgresql(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("readings are partitioned on PostgreSQL only; run with DATABASE_URL set")


def ms(year: int, month: int, day: int = 1, hour: int = 0) -> int:
    return epoch_ms(datetime(year, month, day, hour, tzinfo=UTC))


def months_present(engine: Engine) -> set[partitions.Month]:
    with engine.connect() as connection:
        return set(partitions.existing(connection))


def test_the_table_is_partitioned_by_month_with_this_years_months_ready(engine):
    with engine.connect() as connection:
        strategy = connection.scalar(
            text(
                "SELECT partstrat FROM pg_partitioned_table "
                "WHERE partrelid = 'telemetry_readings'::regclass"
            )
        )
    assert strategy == "r"  # by range of ts
    assert partitions.window() <= months_present(engine)


def test_a_reading_from_a_month_without_partition_is_stored(client, seed, engine):
    robot = seed.robots["ana-rover-1"]
    old = [reading(robot, ts=ms(2003, 5, 17, 12), seq=1), reading(robot, ts=ms(2011, 2, 1), seq=2)]
    response = client.post(INGEST, json=old, headers=seed.key("ana1_write"))
    assert response.json() == {"accepted": 2, "duplicates": 0}
    assert {(2003, 5), (2011, 2)} <= months_present(engine)
    retry = client.post(INGEST, json=old, headers=seed.key("ana1_write"))
    assert retry.json() == {"accepted": 0, "duplicates": 2}  # dedup holds across partitions


def test_a_month_dropped_by_another_process_is_made_again(client, seed, engine):
    robot = seed.robots["ana-rover-1"]
    first = client.post(
        INGEST, json=reading(robot, ts=ms(2005, 3, 3)), headers=seed.key("ana1_write")
    )
    assert first.json()["accepted"] == 1
    # Another process's retention drops March 2005; this process still believes it exists.
    with engine.begin() as connection:
        connection.exec_driver_sql(f"DROP TABLE {partitions.name((2005, 3))}")
    again = client.post(
        INGEST, json=reading(robot, ts=ms(2005, 3, 4)), headers=seed.key("ana1_write")
    )
    assert again.status_code == 202
    assert again.json() == {"accepted": 1, "duplicates": 0}
    assert stored_count(engine) == 1


def test_retention_drops_whole_months_and_deletes_the_rest_row_by_row(engine):
    cutoff = ms(2026, 3, 15)
    rows = [
        stored_row("r1", ms(2026, 1, 10), seq=n) for n in range(4)
    ]  # January: a whole old month
    rows += [stored_row("r1", ms(2026, 3, 1), seq=n) for n in range(3)]  # March, before the cutoff
    rows += [stored_row("r1", ms(2026, 3, 20), seq=n) for n in range(2)]  # March, after it
    with engine.begin() as connection:
        partitions.create(connection, {(2026, 1), (2026, 2), (2026, 3)})
        connection.execute(insert(readings), rows)
        rollups.rebuild(connection)
    dropped = store.drop_expired_partitions(engine, cutoff)
    assert {"telemetry_readings_p202601", "telemetry_readings_p202602"} <= set(dropped)
    # Only whole months before the cutoff (other tests' months included), never March.
    assert all(name < "telemetry_readings_p202603" for name in dropped)
    assert sum(store.prune(engine, cutoff, batch_size=2)) == 3
    with engine.connect() as connection:
        left = connection.scalars(select(readings.c.ts)).all()
        summarised = connection.scalars(select(minutes_table.c.start)).all()
        hours_left = connection.scalars(select(hours_table.c.start)).all()
    assert sorted(left) == [ms(2026, 3, 20)] * 2
    assert summarised == hours_left == [ms(2026, 3, 20)]  # summaries went with their readings
    assert not {(2026, 1), (2026, 2)} & months_present(engine)
    assert (2026, 3) in months_present(engine)


def test_the_migration_keeps_every_reading_both_ways(engine):
    url = fresh_database_url(f"tlm_part_{RUN_ID}")
    assert url is not None
    other = make_engine(url)
    try:
        MIGRATIONS.upgrade(other, "0002")
        before = [
            stored_row("r1", ms(2001, 7, 4), seq=1),
            stored_row("r1", ms(2026, 11, 30), seq=2),
        ]
        with other.begin() as connection:
            connection.execute(insert(readings), before)
        MIGRATIONS.upgrade(other)
        assert {(2001, 7), (2026, 11)} <= months_present(other)
        with other.begin() as connection:
            assert connection.scalar(select(func.count()).select_from(readings)) == 2
            # Ids go on from the same sequence.
            connection.execute(insert(readings), [stored_row("r1", ms(2026, 12, 1), seq=3)])
            ids = connection.scalars(select(readings.c.id).order_by(readings.c.id)).all()
        assert ids == [1, 2, 3]
        MIGRATIONS.downgrade(other, "0002")
        with other.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(readings)) == 3
            assert not partitions.existing(connection)
        MIGRATIONS.upgrade(other)
        assert months_present(other) >= {(2001, 7), (2026, 11), (2026, 12)}
    finally:
        other.dispose()
        drop_database(url)
