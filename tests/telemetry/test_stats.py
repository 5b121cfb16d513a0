"""GET /api/telemetry/stats: the fleet's figures, public, counted from the stored readings."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, insert, update

from apis.telemetry.schemas import now_ms
from apis.telemetry.stats import STATS_TTL_SECONDS, StatsCache, fleet_stats, stats_queries
from apis.telemetry.tables import latest, readings
from croody_core.fleet import ONLINE_WITHIN_MS

from .conftest import reading, stored_row

STATS = "/api/telemetry/stats"
INGEST = "/api/telemetry/ingest"
MINUTE = 60_000
HOUR = 60 * MINUTE
# A fixed "now": 00:30 UTC, so the last hour reaches back into yesterday.
NOW = int(datetime(2026, 3, 10, 0, 30, tzinfo=UTC).timestamp() * 1000)
MIDNIGHT = NOW - 30 * MINUTE


def store_rows(engine: Engine, rows: list[dict]) -> None:
    """Readings as ingest stores them, with `latest` at each robot's newest one."""
    newest: dict[str, dict] = {}
    for row in rows:
        if row["robot_id"] not in newest or row["ts"] > newest[row["robot_id"]]["ts"]:
            newest[row["robot_id"]] = row
    with engine.begin() as connection:
        connection.execute(insert(readings), rows)
        connection.execute(insert(latest), [{**row, "reading_id": 0} for row in newest.values()])


def test_an_empty_fleet_counts_zero_without_any_credential(client):
    response = client.get(STATS)
    assert response.status_code == 200, response.text
    body = response.json()
    assert {key: body[key] for key in body if key != "as_of"} == {
        "robots_online": 0,
        "robots_total": 0,
        "readings_last_hour": 0,
        "readings_today": 0,
    }
    as_of = datetime.fromisoformat(body["as_of"])
    assert abs(as_of.timestamp() * 1000 - now_ms()) < 5_000


def test_online_is_the_fleet_views_definition_received_within_two_minutes(engine):
    store_rows(
        engine,
        [
            stored_row("just-now", NOW - 1_000, NOW - 1_000),
            # `<=`, as RobotState:
            stored_row("on-the-edge", NOW - 5 * MINUTE, NOW - ONLINE_WITHIN_MS),
            stored_row("just-gone", NOW - 2_000, NOW - ONLINE_WITHIN_MS - 1),
            stored_row("last-week", NOW - 7 * 24 * HOUR, NOW - 7 * 24 * HOUR),
        ],
    )
    figures = fleet_stats(engine, NOW)
    assert (figures["robots_online"], figures["robots_total"]) == (2, 4)
    # Online is by arrival: a robot whose clock is an hour behind but that is heard now counts.
    with engine.begin() as connection:
        connection.execute(
            update(latest).where(latest.c.robot_id == "last-week").values(received_at=NOW)
        )
    assert fleet_stats(engine, NOW)["robots_online"] == 3


def test_readings_are_counted_in_the_last_hour_and_since_midnight_utc(engine):
    rows = [
        stored_row("r1", NOW - 2 * MINUTE, NOW),  # today, last hour
        stored_row("r1", NOW - 29 * MINUTE, NOW),  # today, last hour
        stored_row("r1", MIDNIGHT, NOW),  # today (from 00:00:00.000), last hour
        stored_row("r2", MIDNIGHT - 1, NOW),  # yesterday, last hour
        stored_row("r2", NOW - HOUR, NOW),  # yesterday, last hour (from an hour ago, inclusive)
        stored_row("r2", NOW - HOUR - 1, NOW),  # neither
        stored_row("r3", NOW - 30 * HOUR, NOW - 30 * HOUR),  # neither
        stored_row("r3", NOW + 4 * MINUTE, NOW),  # a robot clock a little ahead: it was just sent
    ]
    store_rows(engine, rows)
    figures = fleet_stats(engine, NOW)
    assert (figures["readings_last_hour"], figures["readings_today"]) == (6, 4)
    # Later in the day, "today" is wider than the last hour.
    later = MIDNIGHT + 3 * HOUR
    assert fleet_stats(engine, later)["readings_today"] == 4
    assert fleet_stats(engine, later)["readings_last_hour"] == 0


def test_what_robots_post_shows_up_and_no_robot_is_named(client, seed):
    robot = seed.robots["ana-rover-1"]
    thirty_minutes_ago = now_ms() - 30 * MINUTE
    batch = [reading(robot, ts=thirty_minutes_ago + index * 1000, seq=index) for index in range(5)]
    assert client.post(INGEST, json=batch, headers=seed.key("ana1_write")).status_code == 202
    client.app.state.fleet_stats = StatsCache(ttl=0)  # count afresh for this test
    body = client.get(STATS).json()
    assert body["robots_online"] == body["robots_total"] == 1
    assert body["readings_last_hour"] == 5
    assert robot not in str(body)
    assert set(body) == {
        "robots_online",
        "robots_total",
        "readings_last_hour",
        "readings_today",
        "as_of",
    }


def test_figures_are_counted_at_most_once_per_ttl(client, engine):
    first = client.get(STATS)
    max_age = int(first.headers["cache-control"].removeprefix("public, max-age="))
    assert 0 <= max_age <= STATS_TTL_SECONDS
    store_rows(engine, [stored_row("newcomer", now_ms(), now_ms())])
    second = client.get(STATS)
    assert second.json() == first.json()  # the same count, the same as_of: served from memory
    client.app.state.fleet_stats = StatsCache(ttl=0.05)
    time.sleep(0.1)
    assert client.get(STATS).json()["robots_total"] == 1


def test_a_credential_changes_nothing(client, seed):
    anonymous = client.get(STATS).json()
    assert client.get(STATS, headers=seed.key("ana_read")).json() == anonymous
    assert client.get(STATS, headers={"Authorization": "Bearer nonsense"}).status_code == 200


def test_the_readings_are_counted_from_the_time_index_not_a_table_scan(engine):
    """The plan the database picks for the readings count: the ts index, never the table."""
    _robots, recent = stats_queries(NOW)
    sql = str(recent.compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            plan = " ".join(
                str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")
            )
            assert "COVERING INDEX ix_telemetry_readings_ts" in plan, plan
        elif engine.dialect.name == "postgresql":
            # An empty test table is cheapest to scan whole; forbid that to see the index serves.
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan = " ".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {sql}"))
            # Index-only or bitmap scan by the visibility map's state; either reads the index:
            # each monthly partition's copy of ix_telemetry_readings_ts (<partition>_ts_idx).
            assert "_ts_idx" in plan and "Seq Scan" not in plan, plan
        else:
            pytest.skip(f"no plan check for {engine.dialect.name}")
