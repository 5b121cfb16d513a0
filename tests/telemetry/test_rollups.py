"""History in buckets comes from per-minute and per-hour summaries (apis/telemetry/rollups.py):
every answer must be the one the readings themselves give, however they arrived and whatever
was deleted."""

from __future__ import annotations

import random
from typing import Any

import pytest
from sqlalchemy import Engine, Table, insert, inspect, select

from apis.common.database import make_engine
from apis.telemetry import rollups, store
from apis.telemetry.migrate import MIGRATIONS
from apis.telemetry.schemas import BUCKET_MS, ReadingIn, format_ms
from apis.telemetry.tables import NUMERIC_FIELDS, readings
from apis.telemetry.tables import hours as hours_table
from apis.telemetry.tables import minutes as minutes_table
from tests.servers import drop_database, fresh_database_url

from .conftest import BASE_MS, RUN_ID, reading, stored_row

MINUTE = 60_000
HOUR = 3_600_000
HOUR_START = BASE_MS - BASE_MS % HOUR - 2 * HOUR  # three whole hours of history
SPAN = 3 * HOUR
AGGREGATES = ("avg", "min", "max", "last", "count")


def random_readings(robot: str, count: int, seed: int) -> list[dict[str, Any]]:
    """Readings over three hours at random times, some at the same ms (told apart by seq), some
    without z or seq, posted in shuffled order."""
    rng = random.Random(seed)  # noqa: S311 - repeatable test data
    items = []
    for i in range(count):
        ts = HOUR_START + rng.randrange(0, SPAN, 250)
        fields = {name: round(rng.uniform(-50, 50), 3) for name in ("x", "y")}
        fields.update(heading=rng.uniform(0, 359), speed=rng.uniform(0, 3))
        fields.update(battery=rng.uniform(0, 100))
        if rng.random() < 0.5:
            fields["z"] = rng.uniform(-1, 1)
        if rng.random() < 0.7:
            fields["seq"] = i
        items.append(reading(robot, ts=ts, **fields))
    rng.shuffle(items)
    return items


def ingest(engine: Engine, items: list[dict[str, Any]], batch: int) -> None:
    parsed = [ReadingIn(**item) for item in items]
    store.insert_batches(engine, [parsed[i : i + batch] for i in range(0, len(parsed), batch)])


def expected(
    items: list[dict[str, Any]], start: int, end: int, bucket_ms: int, agg: str
) -> list[dict[str, Any]]:
    """The buckets, computed from the readings in plain Python (the first of repeats kept)."""
    kept: dict[tuple[int, int], dict[str, Any]] = {}
    for item in items:
        kept.setdefault((item["ts"], item.get("seq", -1)), item)
    grouped: dict[int, list[dict[str, Any]]] = {}
    for (ts, _seq), item in sorted(kept.items()):
        if start <= ts < end:
            grouped.setdefault(ts - ts % bucket_ms, []).append(item)
    answer = []
    for bucket, members in sorted(grouped.items()):
        row: dict[str, Any] = {"start": format_ms(bucket), "count": len(members)}
        for name in NUMERIC_FIELDS:
            values = [item[name] for item in members if item.get(name) is not None]
            if agg == "last":
                row[name] = members[-1].get(name)
            elif agg == "count":
                row[name] = float(len(values))
            elif not values:
                row[name] = None
            else:
                row[name] = {"avg": sum(values) / len(values), "min": min(values)}.get(
                    agg, max(values)
                )
        answer.append(row)
    return answer


def buckets(engine: Engine, robot: str, start: int, end: int, bucket_ms: int, agg: str) -> list:
    found, cursor = store.bucket_page(engine, robot, start, end, bucket_ms, agg, 1000)
    assert cursor is None
    return found


def assert_same(found: list[dict[str, Any]], wanted: list[dict[str, Any]]) -> None:
    assert [row["start"] for row in found] == [row["start"] for row in wanted]
    for got, want in zip(found, wanted, strict=True):
        assert got == {name: pytest.approx(value) for name, value in want.items()}


# Ranges on hour boundaries; across whole hours, ending in their minutes and inside a minute;
# inside an hour; inside a minute.
RANGES = [
    (HOUR_START, HOUR_START + SPAN),
    (HOUR_START + 12_345, HOUR_START + 2 * HOUR + 1_234_567),
    (HOUR_START + 12_345, HOUR_START + 5_432_100),
    (HOUR_START + 61_000, HOUR_START + 119_000),
    (HOUR_START + 600_000, HOUR_START + 600_001),
]


@pytest.mark.parametrize("agg", AGGREGATES)
def test_buckets_equal_what_the_readings_give(engine, agg):
    items = random_readings("bucket-bot", 1500, seed=1)
    ingest(engine, items, batch=97)
    ingest(engine, items[:300], batch=50)  # retries: stored once, counted once
    ingest(engine, random_readings("other-bot", 200, seed=2), batch=100)
    for start, end in RANGES:
        for bucket in ("1m", "5m", "1h", "1d"):
            found = buckets(engine, "bucket-bot", start, end, BUCKET_MS[bucket], agg)
            assert_same(found, expected(items, start, end, BUCKET_MS[bucket], agg))


def summaries(engine: Engine, table: Table = minutes_table) -> list[dict[str, Any]]:
    query = select(table).order_by(table.c.robot_id, table.c.start)
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


@pytest.mark.parametrize(("table", "units"), [(minutes_table, (150, 180)), (hours_table, (3, 3))])
def test_ingest_keeps_the_summaries_that_a_rebuild_from_the_readings_makes(engine, table, units):
    """Summaries added to batch by batch, out of order, equal those made from all readings at
    once (what migration 0004 and bulk loads do)."""
    ingest(engine, random_readings("fold-bot", 800, seed=3), batch=33)
    kept = summaries(engine, table)
    assert units[0] <= len(kept) <= units[1]  # three hours, most minutes with readings
    with engine.begin() as connection:
        rollups.rebuild(connection)
    rebuilt = summaries(engine, table)
    assert len(rebuilt) == len(kept)
    for got, want in zip(rebuilt, kept, strict=True):
        assert got == {name: pytest.approx(value) for name, value in want.items()}


def test_prune_inside_a_minute_leaves_the_buckets_of_what_remains(engine):
    cutoff = HOUR_START + 1_800_000 + 30_500  # half way through a minute
    items = random_readings("prune-bot", 600, seed=4)
    items += [reading("prune-bot", ts=cutoff - 500, x=-9.0), reading("prune-bot", ts=cutoff)]
    ingest(engine, items, batch=100)
    deleted = sum(store.prune(engine, cutoff, batch_size=64))
    remaining = [item for item in items if item["ts"] >= cutoff]
    assert deleted == len({(i["ts"], i.get("seq", -1)) for i in items}) - len(
        {(i["ts"], i.get("seq", -1)) for i in remaining}
    )
    assert min(row["start"] for row in summaries(engine)) == cutoff - cutoff % MINUTE
    assert min(row["start"] for row in summaries(engine, hours_table)) == HOUR_START
    for agg in AGGREGATES:
        for bucket in (MINUTE, HOUR):
            found = buckets(engine, "prune-bot", HOUR_START, HOUR_START + SPAN, bucket, agg)
            assert_same(found, expected(remaining, HOUR_START, HOUR_START + SPAN, bucket, agg))


def test_deleting_a_robot_deletes_its_summaries(engine):
    ingest(engine, random_readings("gone-bot", 100, seed=5), batch=100)
    ingest(engine, random_readings("kept-bot", 100, seed=6), batch=100)
    store.delete_robot_readings(engine, "gone-bot")
    assert {row["robot_id"] for row in summaries(engine)} == {"kept-bot"}
    assert {row["robot_id"] for row in summaries(engine, hours_table)} == {"kept-bot"}
    assert buckets(engine, "gone-bot", HOUR_START, HOUR_START + SPAN, MINUTE, "avg") == []


def test_readings_stored_without_ingest_count_once_rebuilt(engine):
    """A bulk load (bench, restore) writes readings directly; `rebuild` brings them in."""
    with engine.begin() as connection:
        connection.execute(
            insert(readings), [stored_row("bulk-bot", HOUR_START + i * 1000) for i in range(180)]
        )
        rollups.rebuild(connection, HOUR_START, HOUR_START + 180_000)
    [hour] = buckets(engine, "bulk-bot", HOUR_START, HOUR_START + HOUR, HOUR, "count")
    assert hour["count"] == 180
    assert len(summaries(engine)) == 3
    assert len(summaries(engine, hours_table)) == 1


def test_the_migration_summarises_the_readings_already_stored(tmp_path):
    url = fresh_database_url(f"tlm_minutes_{RUN_ID}") or f"sqlite:///{tmp_path / 'm.sqlite3'}"
    other = make_engine(url)
    try:
        MIGRATIONS.upgrade(other, "0003")
        with other.begin() as connection:
            rows = [stored_row("old-bot", HOUR_START + i * 20_000, seq=i) for i in range(9)]
            connection.execute(insert(readings), rows)
        MIGRATIONS.upgrade(other)
        assert [(row["start"], row["n"]) for row in summaries(other, hours_table)] == [
            (HOUR_START, 9)
        ]
        assert [(row["start"], row["n"]) for row in summaries(other)] == [
            (HOUR_START, 3),
            (HOUR_START + MINUTE, 3),
            (HOUR_START + 2 * MINUTE, 3),
        ]
        MIGRATIONS.downgrade(other, "0003")
        assert not {minutes_table.name, hours_table.name} & set(inspect(other).get_table_names())
    finally:
        other.dispose()
        drop_database(url)
