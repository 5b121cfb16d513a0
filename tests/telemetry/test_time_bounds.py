"""Every time parameter of the telemetry API is bounded to 1970..2100 (UTC): 422 with the error
body outside it, never a 500 at the edges of the calendar; the range rules at the ends."""

import pytest

from tests.time_edges import FIRST, FIRST_MS, LAST, LAST_MS, OUTSIDE, OUTSIDE_MS, OUTSIDE_NAIVE

from .conftest import reading, stored_count

INGEST, QUERY = "/api/telemetry/ingest", "/api/telemetry/query"
RANGE = ("1970-01-01T00:00:00Z", "2100-01-01T00:00:00Z")


def refused(response, param: str | None = None) -> dict:
    """A 422 with the error body; its details name `param` when given."""
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "validation_error" and body["message"]
    assert set(body) <= {"error", "message", "details"}
    if param is not None:
        named = [d.get("field") or d.get("loc", [None])[-1] for d in body["details"]]
        assert param in named, body
    return body


def get_query(client, seed, **params):
    robot = seed.robots["ana-rover-1"]
    return client.get(QUERY, params={"robot": robot, **params}, headers=seed.key("ana_read"))


@pytest.mark.parametrize("value", OUTSIDE + OUTSIDE_MS)
@pytest.mark.parametrize("param", ["from", "to"])
def test_a_query_time_outside_the_range_is_refused(client, seed, engine, param, value):
    for extra in ({}, {"bucket": "1m"}):
        body = refused(get_query(client, seed, **{param: value}, **extra), param)
        (detail,) = body["details"]
        assert detail["type"] == "time_out_of_range"
        assert all(end in detail["msg"] for end in RANGE)


@pytest.mark.parametrize("value", OUTSIDE + OUTSIDE_MS)
def test_a_reading_time_outside_the_range_is_refused(client, seed, engine, value):
    robot = seed.robots["ana-rover-1"]
    batch = [reading(robot), reading(robot, ts=value)]
    body = refused(client.post(INGEST, json=batch, headers=seed.key("ana1_write")), "ts")
    assert body["details"] == [
        {
            "index": 1,
            "field": "ts",
            "message": f"must be between {RANGE[0]} and {RANGE[1]} (UTC)",
            "type": "time_out_of_range",
        }
    ]
    assert stored_count(engine) == 0


@pytest.mark.parametrize("value", OUTSIDE_NAIVE)
@pytest.mark.parametrize("param", ["from", "to"])
def test_a_time_without_an_offset_is_refused_however_far(client, seed, engine, param, value):
    refused(get_query(client, seed, **{param: value}), param)


@pytest.mark.parametrize("value", [*FIRST, FIRST_MS])
def test_the_first_moment_is_accepted_as_from(client, seed, engine, value):
    for extra in ({}, {"bucket": "1d"}):
        response = get_query(client, seed, **{"from": value, "to": 86_400_000}, **extra)
        assert response.status_code == 200, response.text


@pytest.mark.parametrize("value", [*LAST, LAST_MS])
def test_the_last_moment_is_accepted_as_to(client, seed, engine, value):
    for extra in ({}, {"bucket": "1m"}):
        response = get_query(client, seed, **{"from": LAST_MS - 86_400_000, "to": value}, **extra)
        assert response.status_code == 200, response.text


def test_the_default_from_does_not_reach_before_the_range(client, seed, engine):
    """`from` defaults to 24 h before `to`, but never before 1970-01-01T00:00:00Z."""
    assert get_query(client, seed, to=3_600_000).status_code == 200
    # At the very first moment the default range is empty: refused, saying why.
    refused(get_query(client, seed, to=FIRST[0]), "from")
    refused(get_query(client, seed, to=FIRST_MS), "from")


@pytest.mark.parametrize(
    ("start", "end"),
    [(LAST_MS, FIRST_MS), (LAST[0], FIRST[0]), ("2026-01-01T01:00:00+01:00", 1_767_225_600_000)],
)
def test_to_must_be_after_from(client, seed, engine, start, end):
    refused(get_query(client, seed, **{"from": start, "to": end}), "from")


def test_buckets_over_the_whole_range_answer_one_page(client, seed, engine):
    """130 years of 1-minute buckets: only buckets holding readings are returned, `limit` at
    most, so the answer stays small."""
    robot = seed.robots["ana-rover-1"]
    readings = [reading(robot, offset_ms=60_000 * i) for i in range(30)]
    assert client.post(INGEST, json=readings, headers=seed.key("ana1_write")).status_code == 202
    page = get_query(client, seed, bucket="1m", limit=20, **{"from": FIRST_MS, "to": LAST_MS})
    assert page.status_code == 200, page.text
    assert len(page.json()["buckets"]) == 20 and page.json()["next_cursor"]


def test_the_schema_documents_the_range(client):
    spec = client.get("/api/telemetry/openapi.json").json()
    parameters = spec["paths"][QUERY]["get"]["parameters"]
    ingest = spec["components"]["schemas"]["ReadingIn"]["properties"]["ts"]
    for name in ("from", "to"):
        (parameter,) = [p for p in parameters if p["name"] == name]
        schema = parameter["schema"]
        variants = {s["type"]: s for s in schema.get("anyOf", [schema]) if "type" in s}
        assert variants["integer"]["minimum"] == FIRST_MS
        assert variants["integer"]["maximum"] == LAST_MS
        assert variants["string"]["format"] == "date-time"
        assert variants["string"]["formatMinimum"] == RANGE[0]
        assert variants["string"]["formatMaximum"] == RANGE[1]
    variants = {s["type"]: s for s in ingest["anyOf"]}
    assert variants["integer"]["maximum"] == LAST_MS
    assert variants["string"]["formatMaximum"] == RANGE[1]
