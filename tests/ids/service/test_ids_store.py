"""Predictions storage: migrations, writes, filters, cursor pages, statistics, CSV."""

from __future__ import annotations

import csv
import io
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from apis.common.database import make_engine
from apis.ids import migrate, store
from apis.ids.csv_export import HEADER, csv_chunks
from apis.ids.features import CLASSES, FEATURE_NAMES
from apis.ids.scoring import IdsModel

from ..support import neptune_record, normal_record

T0 = int(datetime(2026, 11, 28, 10, 0, tzinfo=UTC).timestamp() * 1000)
MINUTE = 60_000


def put(
    engine: Engine,
    model: IdsModel,
    records: list[dict[str, Any]],
    *,
    source: str = "key:aaaaaaaa",
    at: int = T0,
    version: str = "1.0.0",
) -> list[int]:
    scores = model.score_batch(records)
    return store.insert_predictions(
        engine, records, scores, source=source, model_version=version, created_ms=at
    )


# -- migrations ------------------------------------------------------------------


def test_migrations_build_exactly_the_store_schema(migrated_engine: Engine) -> None:
    with migrated_engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"version_table": migrate.VERSION_TABLE}
        )
        assert compare_metadata(context, store.metadata) == []
    assert migrate.current_revision(migrated_engine) == migrate.head_revision()


def test_upgrade_is_idempotent_and_safe_from_several_workers(sqlite_url: str) -> None:
    engines = [make_engine(sqlite_url) for _ in range(4)]
    errors: list[BaseException] = []

    def run(engine: Engine) -> None:
        try:
            migrate.upgrade(engine)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    migrate.upgrade(engines[0])  # once more: nothing to do
    assert "ids_predictions" in inspect(engines[0]).get_table_names()
    for engine in engines:
        engine.dispose()


def test_migrate_command_reports_the_revision(sqlite_url: str, capsys) -> None:
    assert migrate.main(["upgrade", "--database-url", sqlite_url]) == 0
    assert capsys.readouterr().out.strip().endswith(f": {migrate.head_revision()}")


# -- writing and reading back ----------------------------------------------------


def test_stored_rows_hold_input_source_time_and_result(ids_engine: Engine, model: IdsModel) -> None:
    records = [normal_record(), neptune_record() | {"service": "quic"}]
    ids = put(ids_engine, model, records, source="key:k3v9x2ab")
    assert len(ids) == 2 and ids[0] < ids[1]
    scores = model.score(records)
    page = store.list_predictions(ids_engine, store.PredictionFilter(), limit=10)
    stored = {p.id: p for p in page.items}
    for prediction_id, record, score in zip(ids, records, scores, strict=True):
        row = stored[prediction_id]
        assert row.features == record
        assert row.source == "key:k3v9x2ab"
        assert row.created_at == datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
        assert row.model_version == "1.0.0"
        assert (row.verdict, row.category) == (score.verdict, score.category)
        assert row.score == pytest.approx(score.score)
        assert row.probabilities == pytest.approx(score.probabilities)
        assert row.unknown_values == score.unknown_values
    assert stored[ids[1]].unknown_values == {"service": "quic"}
    assert stored[ids[1]].verdict == "attack"


def test_concurrent_batches_get_the_ids_of_their_own_rows(
    ids_engine: Engine, model: IdsModel
) -> None:
    """Ids come back in record order even while other writers insert."""
    results: dict[str, list[int]] = {}

    def writer(source: str) -> None:
        ids: list[int] = []
        for _ in range(5):
            ids += put(ids_engine, model, [normal_record()] * 40, source=source)
        results[source] = ids

    threads = [threading.Thread(target=writer, args=(f"key:writer{i}0",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = list(store.iter_predictions(ids_engine, store.PredictionFilter(), page_size=97))
    owner = {p.id: p.source for p in every}
    assert len(every) == 4 * 5 * 40
    for source, ids in results.items():
        assert len(set(ids)) == 200
        assert {owner[i] for i in ids} == {source}


def test_an_empty_batch_stores_nothing(ids_engine: Engine, model: IdsModel) -> None:
    assert put(ids_engine, model, []) == []


# -- filters and pages -----------------------------------------------------------


@pytest.fixture()
def history(ids_engine: Engine, model: IdsModel) -> dict[str, list[int]]:
    """10 minutes of traffic: normal from one key, attacks from another, one unknown."""
    made: dict[str, list[int]] = {"normal": [], "attack": [], "unknown": [], "old": []}
    for minute in range(10):
        at = T0 + minute * MINUTE
        made["normal"] += put(
            ids_engine, model, [normal_record()] * 2, source="key:normal00", at=at
        )
        made["attack"] += put(ids_engine, model, [neptune_record()], source="key:attack00", at=at)
    made["unknown"] += put(
        ids_engine, model, [normal_record() | {"flag": "XX"}], source="user:7", at=T0 + 5 * MINUTE
    )
    made["old"] += put(ids_engine, model, [neptune_record()], version="0.9.0", at=T0 - MINUTE)
    return made


def ids_of(engine: Engine, **where: Any) -> set[int]:
    items = store.iter_predictions(engine, store.PredictionFilter(**where))
    return {p.id for p in items}


def test_filters_narrow_the_predictions(ids_engine: Engine, history: dict[str, list[int]]) -> None:
    attacks = set(history["attack"]) | set(history["old"])
    assert ids_of(ids_engine, verdict="attack") == attacks
    assert ids_of(ids_engine, category="DoS") == attacks
    assert ids_of(ids_engine, source="key:attack00") == set(history["attack"])
    assert ids_of(ids_engine, model_version="0.9.0") == set(history["old"])
    assert ids_of(ids_engine, min_score=0.99) == attacks
    assert ids_of(ids_engine, unknown_only=True) == set(history["unknown"])
    window = ids_of(ids_engine, since_ms=T0 + 2 * MINUTE, until_ms=T0 + 4 * MINUTE)
    assert window == set(history["normal"][4:8]) | set(history["attack"][2:4])
    assert ids_of(ids_engine, verdict="normal", source="key:attack00") == set()


def test_cursor_pages_walk_every_match_once_newest_first(
    ids_engine: Engine, history: dict[str, list[int]]
) -> None:
    seen: list[int] = []
    cursor = None
    while True:
        page = store.list_predictions(ids_engine, store.PredictionFilter(), limit=7, cursor=cursor)
        seen += [p.id for p in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == sorted(seen, reverse=True)
    assert set(seen) == {i for ids in history.values() for i in ids}
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize("cursor", ["", "abc", "cDE6eA", "cDE6LTE", "x" * 64, "cDI6MTI"])
def test_foreign_cursors_are_refused(ids_engine: Engine, cursor: str) -> None:
    with pytest.raises(store.InvalidCursor):
        store.list_predictions(ids_engine, store.PredictionFilter(), limit=5, cursor=cursor or "=")


def test_cursor_round_trip() -> None:
    assert store.decode_cursor(store.encode_cursor(123456789)) == store.Cursor(123456789)
    newer = store.decode_cursor(store.encode_cursor(store.MAX_ID, newer=True))
    assert newer == store.Cursor(store.MAX_ID, newer=True)


# -- statistics ------------------------------------------------------------------


def test_stats_count_per_bucket_with_empty_buckets(
    ids_engine: Engine, history: dict[str, list[int]]
) -> None:
    result = store.stats(
        ids_engine, since_ms=T0 - 5 * MINUTE, until_ms=T0 + 15 * MINUTE, bucket_ms=5 * MINUTE
    )
    assert [b.start_ms for b in result.buckets] == [T0 + k * 5 * MINUTE for k in range(-1, 3)]
    first, second, third, empty = result.buckets
    assert first.verdicts == {"normal": 0, "attack": 1}  # the 0.9.0 prediction
    assert second.verdicts == {"normal": 10, "attack": 5}
    assert third.verdicts == {"normal": 11, "attack": 5}  # with the unknown-flag record
    assert third.categories["DoS"] == 5 and third.categories["normal"] == 11
    assert empty.total == 0
    assert result.total == 32
    assert result.model_versions == {"1.0.0": 31, "0.9.0": 1}
    assert [(s.source, s.total, s.attacks) for s in result.top_sources] == [
        ("key:normal00", 20, 0),
        ("key:attack00", 10, 10),
        ("key:aaaaaaaa", 1, 1),
        ("user:7", 1, 0),
    ]


def test_stats_by_source_and_top(ids_engine: Engine, history: dict[str, list[int]]) -> None:
    result = store.stats(
        ids_engine,
        since_ms=T0,
        until_ms=T0 + 10 * MINUTE,
        bucket_ms=10 * MINUTE,
        top=1,
        source="key:attack00",
    )
    assert result.total == 10
    assert [s.source for s in result.top_sources] == ["key:attack00"]


def test_range_stats_picks_a_bucket_for_the_range(ids_engine: Engine) -> None:
    until = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)

    def window(since: datetime | None, until: datetime) -> store.PredictionFilter:
        return store.PredictionFilter(
            since_ms=store.to_ms(since) if since else None, until_ms=store.to_ms(until)
        )

    result, bucket = store.range_stats(ids_engine, window(None, until))
    assert bucket == "15m"  # 24 hours in at most 120 bars (no data: the default day)
    assert result.until_ms - result.since_ms == 86_400_000
    _, bucket = store.range_stats(ids_engine, window(until - timedelta(hours=1), until))
    assert bucket == "1m"
    with pytest.raises(store.InvalidRange, match="more than 1440"):
        store.range_stats(ids_engine, window(until - timedelta(days=30), until), bucket="1m")
    with pytest.raises(store.InvalidRange, match="earlier"):
        store.range_stats(ids_engine, window(until, until))


# -- CSV -------------------------------------------------------------------------


def test_csv_has_a_header_and_one_row_per_prediction(
    ids_engine: Engine, history: dict[str, list[int]]
) -> None:
    predictions = list(store.iter_predictions(ids_engine, store.PredictionFilter()))
    text = "".join(csv_chunks(predictions, rows_per_chunk=3))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == HEADER
    assert len(rows) == len(predictions)
    first = rows[0]
    assert int(first["id"]) == predictions[0].id
    assert first["created_at"].endswith("Z")
    assert {f"p_{name}" for name in CLASSES} <= set(first)
    assert [first[name] for name in FEATURE_NAMES[1:4]] == [
        str(predictions[0].features[name]) for name in FEATURE_NAMES[1:4]
    ]
    unknown = next(r for r in rows if r["unknown_features"])
    assert unknown["unknown_features"] == "flag"


def test_csv_cells_never_start_a_spreadsheet_formula(ids_engine: Engine, model: IdsModel) -> None:
    put(ids_engine, model, [normal_record() | {"service": "=HYPERLINK(1)", "flag": "@SUM"}])
    predictions = list(store.iter_predictions(ids_engine, store.PredictionFilter()))
    row = next(csv.DictReader(io.StringIO("".join(csv_chunks(predictions)))))
    assert row["service"] == "'=HYPERLINK(1)"
    assert row["flag"] == "'@SUM"
