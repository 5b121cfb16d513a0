"""POST /api/telemetry/ingest: stored once, acknowledged after commit, retries are safe."""

import json
from datetime import UTC, datetime

from prometheus_client import REGISTRY
from sqlalchemy import select

from apis.telemetry.tables import readings

from .conftest import BASE_MS, reading, stored_count

INGEST = "/api/telemetry/ingest"


def stored_rows(engine):
    with engine.connect() as connection:
        return list(connection.execute(select(readings).order_by(readings.c.id)).mappings())


def test_one_reading_is_stored_with_every_field(client, seed, engine):
    robot = seed.robots["ana-rover-1"]
    body = reading(robot, seq=7, z=3.25, extra={"temperature_c": 31.5, "tags": ["a", "b"]})
    response = client.post(INGEST, json=body, headers=seed.key("ana1_write"))
    assert response.status_code == 202
    assert response.json() == {"accepted": 1, "duplicates": 0}
    [row] = stored_rows(engine)
    assert (row.robot_id, row.ts, row.seq) == (robot, BASE_MS, 7)
    assert (row.x, row.y, row.z, row.heading, row.speed, row.battery) == (
        1.5,
        -2.0,
        3.25,
        90.0,
        0.5,
        80.0,
    )
    assert row.status == "moving"
    assert row.extra == '{"temperature_c":31.5,"tags":["a","b"]}'


def test_a_batch_is_stored_whole(client, seed, engine):
    robot = seed.robots["ana-rover-1"]
    batch = [reading(robot, offset_ms=100 * i, seq=i) for i in range(1000)]
    response = client.post(INGEST, json=batch, headers=seed.key("ana1_write"))
    assert response.status_code == 202
    assert response.json() == {"accepted": 1000, "duplicates": 0}
    assert stored_count(engine) == 1000


def ingested(outcome: str) -> float:
    sample = "croody_telemetry_readings_ingested_total"
    return REGISTRY.get_sample_value(sample, {"outcome": outcome}) or 0.0


def test_the_ingest_rate_metric_counts_readings_not_requests(client, seed):
    robot = seed.robots["ana-rover-1"]
    batch = [reading(robot, offset_ms=1000 * i) for i in range(30)]
    before = ingested("accepted"), ingested("duplicate")
    client.post(INGEST, json=batch, headers=seed.key("ana1_write"))
    client.post(INGEST, json=batch[:10], headers=seed.key("ana1_write"))  # a retry
    assert (ingested("accepted") - before[0], ingested("duplicate") - before[1]) == (30, 10)


def test_x_api_key_header_works_like_bearer(client, seed, engine):
    key = seed.keys["ana1_write"]["key"]
    body = reading(seed.robots["ana-rover-1"])
    response = client.post(INGEST, json=body, headers={"X-API-Key": key})
    assert response.status_code == 202
    assert stored_count(engine) == 1


def test_a_retried_batch_is_counted_as_duplicates_and_stored_once(client, seed, engine):
    robot = seed.robots["ana-rover-1"]
    batch = [reading(robot, offset_ms=1000 * i) for i in range(50)]
    first = client.post(INGEST, json=batch, headers=seed.key("ana1_write"))
    assert first.json() == {"accepted": 50, "duplicates": 0}
    retry = client.post(
        INGEST, json=[*batch, reading(robot, offset_ms=99_000)], headers=seed.key("ana1_write")
    )
    assert retry.status_code == 202
    assert retry.json() == {"accepted": 1, "duplicates": 50}
    assert stored_count(engine) == 51


def test_repeats_inside_one_batch_are_duplicates(client, seed, engine):
    one = reading(seed.robots["ana-rover-1"], seq=3)
    response = client.post(INGEST, json=[one, one, one], headers=seed.key("ana1_write"))
    assert response.json() == {"accepted": 1, "duplicates": 2}
    assert stored_count(engine) == 1


def test_the_same_instant_in_both_time_formats_is_one_reading(client, seed, engine):
    robot = seed.robots["ana-rover-1"]
    as_text = datetime.fromtimestamp(BASE_MS / 1000, tz=UTC).isoformat().replace("+00:00", "Z")
    in_paris = datetime.fromtimestamp(BASE_MS / 1000, tz=UTC).astimezone().isoformat()
    batch = [reading(robot, ts=BASE_MS), reading(robot, ts=as_text), reading(robot, ts=in_paris)]
    response = client.post(INGEST, json=batch, headers=seed.key("ana1_write"))
    assert response.json() == {"accepted": 1, "duplicates": 2}


def test_seq_tells_readings_of_the_same_instant_apart(client, seed, engine):
    robot = seed.robots["ana-rover-1"]
    batch = [reading(robot, seq=1), reading(robot, seq=2), reading(robot)]
    response = client.post(INGEST, json=batch, headers=seed.key("ana1_write"))
    assert response.json() == {"accepted": 3, "duplicates": 0}
    again = client.post(INGEST, json=batch, headers=seed.key("ana1_write"))
    assert again.json() == {"accepted": 0, "duplicates": 3}


def test_robots_do_not_collide(client, seed, engine):
    """Two robots may post readings with the same time and seq."""
    ana1, ana2 = seed.robots["ana-rover-1"], seed.robots["ana-rover-2"]
    assert client.post(INGEST, json=reading(ana1), headers=seed.key("ana1_write")).json() == {
        "accepted": 1,
        "duplicates": 0,
    }
    assert client.post(INGEST, json=reading(ana2), headers=seed.key("ana2_write")).json() == {
        "accepted": 1,
        "duplicates": 0,
    }


def test_answer_comes_after_commit(client, seed, make_api, engine):
    """What a 202 announced is visible to another connection (another process) at once."""
    robot = seed.robots["ana-rover-1"]
    batch = [reading(robot, offset_ms=i) for i in range(100)]
    assert client.post(INGEST, json=batch, headers=seed.key("ana1_write")).status_code == 202
    assert stored_count(engine) == 100  # the fixture's engine: its own connection


def test_values_come_back_exactly_as_sent_whatever_their_characters(client, seed, engine):
    """PostgreSQL stores batches of 32 readings or more with COPY (CSV): quotes, commas,
    backslashes, line breaks, non-ASCII text, NULLs and full-precision floats must come back
    unchanged, under the ids the API announces to the latest table."""
    robot = seed.robots["ana-rover-1"]
    extra = {"note": 'a "quoted", comma\\back\nline\ttab', "name": "Zoë 机器人", "empty": ""}
    batch = [
        reading(robot, seq=1, x=0.1 + 0.2, y=-1e-300, z=None, extra=extra),
        *(reading(robot, seq=seq) for seq in range(2, 40)),
        reading(robot, seq=40, x=987654.3210987654, z=2.5, extra=None),
    ]
    response = client.post(INGEST, json=batch, headers=seed.key("ana1_write"))
    assert response.json() == {"accepted": 40, "duplicates": 0}
    rows = stored_rows(engine)
    first, last_stored = rows[0], rows[-1]
    assert (first.x, first.y, first.z) == (0.1 + 0.2, -1e-300, None)
    assert json.loads(first.extra) == extra
    assert (last_stored.x, last_stored.z, last_stored.extra) == (987654.3210987654, 2.5, None)
    last = client.get("/api/telemetry/last", params={"robot": robot}, headers=seed.key("ana_read"))
    assert last.json()["readings"][0]["id"] == last_stored.id
