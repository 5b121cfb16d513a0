"""Every kind of bad ingest input gets a clear 4xx with the error body and stores nothing."""

import json

import pytest

from apis.telemetry.schemas import MAX_BODY_BYTES, now_ms

from .conftest import reading, session_cookie, stored_count

INGEST = "/api/telemetry/ingest"
JSON = {"Content-Type": "application/json"}


def assert_refused(response, status: int, error: str, engine) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error
    assert body["message"]
    assert set(body) <= {"error", "message", "details"}
    assert stored_count(engine) == 0, "a refused request must not reach the database"
    return body


def post_raw(client, seed, content: bytes | str, headers=None):
    headers = {**seed.key("ana1_write"), **JSON, **(headers or {})}
    return client.post(INGEST, content=content, headers=headers)


@pytest.mark.parametrize(
    "content",
    ['{"robot_id": "x", ', "not json", "", "[{]", "\xff\xfe", '{"a": 1} trailing'],
    ids=["truncated", "text", "empty", "broken-array", "not-utf8", "trailing-data"],
)
def test_malformed_json(client, seed, engine, content):
    payload = content.encode("latin-1") if content == "\xff\xfe" else content
    body = assert_refused(post_raw(client, seed, payload), 400, "bad_request", engine)
    assert "JSON" in body["message"]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("x", "12.5", "valid number"),
        ("battery", True, "valid number"),
        ("robot_id", 42, "valid string"),
        ("seq", 1.5, "valid integer"),
        ("seq", "7", "valid integer"),
        ("ts", 1.7e12, "RFC 3339"),
        ("ts", "yesterday", "RFC 3339"),
        ("ts", "2026-01-31T12:00:00", "RFC 3339"),  # no offset: ambiguous
        ("status", "flying", "Input should be"),
        ("extra", [1, 2], "an object"),
        ("heading", 360, "less than 360"),
        ("speed", -1, "greater than or equal to 0"),
    ],
)
def test_wrong_types_and_values(client, seed, engine, field, value, expected):
    bad = reading(seed.robots["ana-rover-1"], **{field: value})
    body = assert_refused(
        client.post(INGEST, json=bad, headers=seed.key("ana1_write")),
        422,
        "validation_error",
        engine,
    )
    assert body["details"][0]["index"] == 0
    assert body["details"][0]["field"] == field
    assert expected in body["details"][0]["message"]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize("field", ["x", "battery"])
def test_nan_and_infinity(client, seed, engine, constant, field):
    text = json.dumps(reading(seed.robots["ana-rover-1"], **{field: 0.0})).replace(
        f'"{field}": 0.0', f'"{field}": {constant}'
    )
    body = assert_refused(post_raw(client, seed, text), 422, "validation_error", engine)
    assert body["details"][0]["field"] == field
    assert "finite" in body["details"][0]["message"]


def test_nan_hidden_in_extra(client, seed, engine):
    text = json.dumps(reading(seed.robots["ana-rover-1"], extra={"t": 0})).replace("0}", "NaN}")
    body = assert_refused(post_raw(client, seed, text), 422, "validation_error", engine)
    assert body["details"][0]["field"] == "extra"


@pytest.mark.parametrize("battery", [-0.1, 100.01, 250])
def test_battery_outside_0_to_100(client, seed, engine, battery):
    bad = reading(seed.robots["ana-rover-1"], battery=battery)
    body = assert_refused(
        client.post(INGEST, json=bad, headers=seed.key("ana1_write")),
        422,
        "validation_error",
        engine,
    )
    assert body["details"][0]["field"] == "battery"


def test_battery_bounds_are_allowed(client, seed, engine):
    robot = seed.robots["ana-rover-1"]
    batch = [reading(robot, seq=1, battery=0), reading(robot, seq=2, battery=100)]
    assert client.post(INGEST, json=batch, headers=seed.key("ana1_write")).status_code == 202


def test_timestamp_more_than_five_minutes_ahead(client, seed, engine):
    robot = seed.robots["ana-rover-1"]
    ahead = reading(robot, ts=now_ms() + 5 * 60 * 1000 + 10_000)
    body = assert_refused(
        client.post(INGEST, json=ahead, headers=seed.key("ana1_write")),
        422,
        "validation_error",
        engine,
    )
    assert body["details"][0]["field"] == "ts"
    assert "future" in body["details"][0]["message"]
    # A robot whose clock is a little ahead is fine.
    slightly = reading(robot, ts=now_ms() + 60_000)
    assert client.post(INGEST, json=slightly, headers=seed.key("ana1_write")).status_code == 202


def test_epoch_seconds_instead_of_milliseconds(client, seed, engine):
    bad = reading(seed.robots["ana-rover-1"], ts=now_ms() // 1000)
    body = assert_refused(
        client.post(INGEST, json=bad, headers=seed.key("ana1_write")),
        422,
        "validation_error",
        engine,
    )
    assert "milliseconds" in body["details"][0]["message"]


def test_unknown_fields(client, seed, engine):
    bad = reading(seed.robots["ana-rover-1"], temperature=31)
    body = assert_refused(
        client.post(INGEST, json=bad, headers=seed.key("ana1_write")),
        422,
        "validation_error",
        engine,
    )
    assert body["details"] == [
        {
            "index": 0,
            "field": "temperature",
            "message": "Extra inputs are not permitted",
            "type": "extra_forbidden",
        }
    ]


def test_missing_fields(client, seed, engine):
    bad = reading(seed.robots["ana-rover-1"])
    del bad["battery"], bad["status"]
    body = assert_refused(
        client.post(INGEST, json=bad, headers=seed.key("ana1_write")),
        422,
        "validation_error",
        engine,
    )
    assert {detail["field"] for detail in body["details"]} == {"battery", "status"}


def test_a_batch_with_bad_readings_is_refused_whole_with_index_and_field(client, seed, engine):
    robot = seed.robots["ana-rover-1"]
    batch = [reading(robot, offset_ms=i) for i in range(10)]
    batch[3]["battery"] = 140
    batch[7]["x"] = "left"
    batch[7]["heading"] = -5
    body = assert_refused(
        client.post(INGEST, json=batch, headers=seed.key("ana1_write")),
        422,
        "validation_error",
        engine,
    )
    located = {(detail["index"], detail["field"]) for detail in body["details"]}
    assert located == {(3, "battery"), (7, "x"), (7, "heading")}
    assert "3, 7" in body["message"]


@pytest.mark.parametrize("item", [5, "reading", None, [1]])
def test_batch_items_that_are_not_objects(client, seed, engine, item):
    batch = [reading(seed.robots["ana-rover-1"]), item]
    body = assert_refused(
        client.post(INGEST, json=batch, headers=seed.key("ana1_write")),
        422,
        "validation_error",
        engine,
    )
    assert body["details"][0]["index"] == 1


@pytest.mark.parametrize("content", ["5", '"reading"', "null", "true"])
def test_a_body_that_is_neither_object_nor_array(client, seed, engine, content):
    assert_refused(post_raw(client, seed, content), 422, "validation_error", engine)


def test_empty_batch(client, seed, engine):
    body = assert_refused(
        client.post(INGEST, json=[], headers=seed.key("ana1_write")),
        422,
        "validation_error",
        engine,
    )
    assert "empty" in body["message"]


def test_more_than_1000_readings(client, seed, engine):
    robot = seed.robots["ana-rover-1"]
    batch = [reading(robot, offset_ms=i) for i in range(1001)]
    text = json.dumps(batch, separators=(",", ":"))
    assert len(text) < MAX_BODY_BYTES  # refused for the count, not the size
    body = assert_refused(post_raw(client, seed, text), 413, "payload_too_large", engine)
    assert "1000" in body["message"]


def test_body_over_256_kb_with_content_length(client, seed, engine):
    robot = seed.robots["ana-rover-1"]
    huge = json.dumps([reading(robot, extra={"pad": "x" * 1500}) for _ in range(200)])
    assert len(huge) > MAX_BODY_BYTES
    assert_refused(post_raw(client, seed, huge), 413, "payload_too_large", engine)


def test_body_over_256_kb_without_content_length(client, seed, engine):
    """A chunked body is cut off as soon as it passes the limit."""
    chunk = b" " * 65536

    def stream():
        yield b"["
        for _ in range(6):
            yield chunk

    response = client.post(INGEST, content=stream(), headers={**seed.key("ana1_write"), **JSON})
    assert_refused(response, 413, "payload_too_large", engine)


def test_extra_over_2_kb(client, seed, engine):
    bad = reading(seed.robots["ana-rover-1"], extra={"note": "y" * 2100})
    body = assert_refused(
        client.post(INGEST, json=bad, headers=seed.key("ana1_write")),
        422,
        "validation_error",
        engine,
    )
    assert body["details"][0]["field"] == "extra"
    assert "2048 bytes" in body["details"][0]["message"]


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/json; charset=latin-1",
        None,
    ],
)
def test_wrong_content_type(client, seed, engine, content_type):
    headers = dict(seed.key("ana1_write"))
    if content_type:
        headers["Content-Type"] = content_type
    text = json.dumps(reading(seed.robots["ana-rover-1"]))
    response = client.post(INGEST, content=text, headers=headers)
    assert_refused(response, 415, "unsupported_media_type", engine)


def test_json_with_charset_utf8_is_fine(client, seed, engine):
    text = json.dumps(reading(seed.robots["ana-rover-1"]))
    headers = {**seed.key("ana1_write"), "Content-Type": "application/json; charset=UTF-8"}
    assert client.post(INGEST, content=text, headers=headers).status_code == 202


def test_a_robot_id_belonging_to_someone_else(client, seed, engine):
    theirs = reading(seed.robots["bruno-rover-1"])
    body = assert_refused(
        client.post(INGEST, json=theirs, headers=seed.key("ana1_write")),
        403,
        "forbidden",
        engine,
    )
    assert seed.robots["ana-rover-1"] in body["message"]
    assert body["details"] == [
        {"index": 0, "field": "robot_id", "message": "not this key's robot", "type": "denied"}
    ]


def test_another_robot_of_the_same_owner_is_refused_too(client, seed, engine):
    """A robot key posts for its own robot only, not for its owner's other robots."""
    batch = [reading(seed.robots["ana-rover-1"]), reading(seed.robots["ana-rover-2"])]
    body = assert_refused(
        client.post(INGEST, json=batch, headers=seed.key("ana1_write")),
        403,
        "forbidden",
        engine,
    )
    assert [detail["index"] for detail in body["details"]] == [1]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer crd_abcdefgh_" + "A" * 43},  # well formed, unknown
        {"Authorization": "Bearer not-a-key"},
        {"Authorization": "Basic YW5hOnB3"},
        {"Authorization": "Bearer"},
        {"X-API-Key": "crd_zzzzzzzz_short"},
    ],
    ids=["missing", "unknown", "malformed", "basic-auth", "empty-bearer", "bad-x-api-key"],
)
def test_missing_or_invalid_keys(client, seed, engine, headers):
    response = client.post(
        INGEST, json=reading(seed.robots["ana-rover-1"]), headers=headers or None
    )
    body = assert_refused(response, 401, "unauthorized", engine)
    assert response.headers["www-authenticate"] == "Bearer"
    assert body["message"].startswith("A valid API key")


def test_revoked_key_gets_the_same_401_as_an_unknown_one(client, seed, engine):
    unknown = client.post(
        INGEST,
        json=reading(seed.robots["ana-rover-1"]),
        headers={"Authorization": "Bearer crd_abcdefgh_" + "A" * 43},
    )
    revoked = client.post(
        INGEST, json=reading(seed.robots["ana-rover-1"]), headers=seed.key("ana_revoked")
    )
    assert_refused(revoked, 401, "unauthorized", engine)
    assert revoked.json() == unknown.json()
    assert revoked.headers["www-authenticate"] == unknown.headers["www-authenticate"]


def test_a_correct_prefix_with_a_wrong_secret_is_401(client, seed, engine):
    real = seed.keys["ana1_write"]["key"]
    forged = real[:-4] + ("AAAA" if not real.endswith("AAAA") else "BBBB")
    response = client.post(
        INGEST,
        json=reading(seed.robots["ana-rover-1"]),
        headers={"Authorization": f"Bearer {forged}"},
    )
    assert_refused(response, 401, "unauthorized", engine)


@pytest.mark.parametrize("label", ["ana_read", "ana_ids"])
def test_keys_without_the_write_scope_are_403(client, seed, engine, label):
    response = client.post(
        INGEST, json=reading(seed.robots["ana-rover-1"]), headers=seed.key(label)
    )
    body = assert_refused(response, 403, "forbidden", engine)
    assert "telemetry:write" in body["message"]


def test_a_signed_in_session_cannot_post_readings(client, seed, engine):
    """Even staff: readings come from robots, with the robot's key."""
    response = client.post(
        INGEST,
        json=reading(seed.robots["ana-rover-1"]),
        headers=session_cookie(seed.users["sam"], is_staff=True),
    )
    assert_refused(response, 403, "forbidden", engine)
