"""GET /api/telemetry/query: raw history page by page, and downsampled buckets."""

import pytest

from .conftest import BASE_MS, reading

INGEST = "/api/telemetry/ingest"
QUERY = "/api/telemetry/query"
MINUTE = 60_000
# Align on a whole hour so that 1m, 5m and 1h buckets are predictable.
HOUR_START = BASE_MS - BASE_MS % 3_600_000


@pytest.fixture
def history(client, seed):
    """250 readings of ana-rover-1, one every 12 s over 50 minutes, posted in shuffled batches."""
    robot = seed.robots["ana-rover-1"]
    items = [
        reading(robot, ts=HOUR_START + i * 12_000, x=float(i), battery=100.0 - i * 0.2, seq=i)
        for i in range(250)
    ]
    shuffled = items[::2] + items[1::2]  # out of order on purpose
    for start in range(0, 250, 100):
        response = client.post(
            INGEST, json=shuffled[start : start + 100], headers=seed.key("ana1_write")
        )
        assert response.status_code == 202
    return robot, items


def query(client, seed, **params):
    response = client.get(QUERY, params=params, headers=seed.key("ana_read"))
    assert response.status_code == 200, response.text
    return response.json()


def test_pages_follow_the_cursor_to_the_end_in_time_order(client, seed, history):
    robot, _ = history
    start, end = HOUR_START, HOUR_START + 3_600_000
    seen, cursor, pages = [], None, 0
    while True:
        params = {"robot": robot, "from": start, "to": end, "limit": 40}
        if cursor:
            params["cursor"] = cursor
        page = query(client, seed, **params)
        pages += 1
        assert len(page["readings"]) <= 40
        seen.extend(item["x"] for item in page["readings"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 7  # 6 full pages and 10 readings
    assert seen == [float(i) for i in range(250)]


def test_newest_first_pages_walk_back_in_time(client, seed, history):
    """order=desc: the latest readings first (the site's trails), paged backwards."""
    robot, _ = history
    start, end = HOUR_START, HOUR_START + 3_600_000
    seen, cursor = [], None
    while True:
        params = {"robot": robot, "from": start, "to": end, "limit": 100, "order": "desc"}
        if cursor:
            params["cursor"] = cursor
        page = query(client, seed, **params)
        seen.extend(item["x"] for item in page["readings"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [float(i) for i in reversed(range(250))]


@pytest.mark.parametrize(
    "params", [{"order": "sideways"}, {"order": "desc", "bucket": "1m"}, {"order": ""}]
)
def test_a_bad_order_is_422(client, seed, history, params):
    robot, _ = history
    response = client.get(QUERY, params={"robot": robot, **params}, headers=seed.key("ana_read"))
    assert response.status_code == 422
    assert response.json()["error"] == "validation_error"


def test_time_range_is_from_inclusive_to_exclusive(client, seed, history):
    robot, _ = history
    page = query(
        client, seed, robot=robot, **{"from": HOUR_START + 120_000, "to": HOUR_START + 240_000}
    )
    assert [item["x"] for item in page["readings"]] == [float(i) for i in range(10, 20)]
    assert page["next_cursor"] is None


def test_rfc3339_bounds_work_like_epoch_ms(client, seed, history):
    robot, _ = history
    from apis.telemetry.schemas import format_ms

    by_ms = query(client, seed, robot=robot, **{"from": HOUR_START, "to": HOUR_START + MINUTE})
    by_text = query(
        client,
        seed,
        robot=robot,
        **{"from": format_ms(HOUR_START), "to": format_ms(HOUR_START + MINUTE)},
    )
    assert by_ms == by_text
    assert len(by_ms["readings"]) == 5


def test_defaults_cover_the_last_24_hours(client, seed, history):
    robot, _ = history
    page = query(client, seed, robot=robot, limit=1000)
    assert len(page["readings"]) == 250


@pytest.mark.parametrize(
    ("agg", "first_bucket_x"),
    [("avg", 2.0), ("min", 0.0), ("max", 4.0), ("last", 4.0), ("count", 5.0)],
)
def test_one_minute_buckets(client, seed, history, agg, first_bucket_x):
    robot, _ = history
    page = query(
        client,
        seed,
        robot=robot,
        bucket="1m",
        agg=agg,
        **{"from": HOUR_START, "to": HOUR_START + 3_600_000},
    )
    assert page["bucket"] == "1m"
    assert page["agg"] == agg
    buckets = page["buckets"]
    assert len(buckets) == 50  # 250 readings, 5 per minute
    first = buckets[0]
    assert first["count"] == 5
    assert first["x"] == pytest.approx(first_bucket_x)
    assert first["z"] == (0.0 if agg == "count" else None)
    from apis.telemetry.schemas import format_ms

    assert [bucket["start"] for bucket in buckets[:2]] == [
        format_ms(HOUR_START),
        format_ms(HOUR_START + MINUTE),
    ]


def test_last_is_the_newest_reading_of_each_bucket(client, seed, history):
    robot, items = history
    page = query(client, seed, robot=robot, bucket="5m", agg="last", **{"from": HOUR_START})
    newest_of_first_bucket = items[24]  # 25 readings per 5 minutes
    assert page["buckets"][0]["battery"] == pytest.approx(newest_of_first_bucket["battery"])
    assert page["buckets"][0]["count"] == 25


def test_hour_bucket_averages_everything(client, seed, history):
    robot, items = history
    page = query(client, seed, robot=robot, bucket="1h", **{"from": HOUR_START})
    [bucket] = page["buckets"]
    assert page["agg"] == "avg"  # the default
    assert bucket["count"] == 250
    assert bucket["x"] == pytest.approx(sum(item["x"] for item in items) / 250)


def test_bucket_pages_follow_the_cursor(client, seed, history):
    robot, _ = history
    starts, cursor = [], None
    while True:
        params = {"robot": robot, "bucket": "1m", "agg": "count", "limit": 20, "from": HOUR_START}
        if cursor:
            params["cursor"] = cursor
        page = query(client, seed, **params)
        starts.extend(bucket["start"] for bucket in page["buckets"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(starts) == 50
    assert starts == sorted(set(starts))


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"agg": "avg"}, "agg"),
        ({"bucket": "2m"}, "bucket"),
        ({"bucket": "1m", "agg": "median"}, "agg"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-01-01T00:00:00"}, "to"),  # no offset
        ({"from": 2_000, "to": 1_000}, "from"),
        ({"from": "9" * 30}, "from"),
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
    ],
)
def test_bad_query_parameters_are_422(client, seed, history, params, field):
    robot, _ = history
    response = client.get(QUERY, params={"robot": robot, **params}, headers=seed.key("ana_read"))
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "validation_error"
    located = [
        detail.get("field") or detail.get("loc", [None, None])[-1] for detail in body["details"]
    ]
    assert field in located


def test_robot_is_required(client, seed):
    response = client.get(QUERY, headers=seed.key("ana_read"))
    assert response.status_code == 422
