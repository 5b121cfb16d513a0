"""Every time parameter of the IDS API is bounded to 1970..2100 (UTC): 422 with the error body
outside it, never a 500 at the edges of the calendar; the range and bucket rules at the ends."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.servers import Server
from tests.time_edges import FIRST, LAST, OUTSIDE, OUTSIDE_NAIVE

from .conftest import Seeded

PREDICTIONS, STATS = "/api/ids/predictions", "/api/ids/stats"
PRECISION = "/api/ids/model/precision"
# Every time parameter of the API (GET /predict takes no time: its body is records only).
TIME_PARAMETERS = [
    (PREDICTIONS, "since"),
    (PREDICTIONS, "until"),
    (STATS, "since"),
    (STATS, "until"),
    (PRECISION, "since"),
    (PRECISION, "until"),
]


@pytest.fixture(scope="module")
def http(ids_api: Server, accounts: Seeded) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {accounts.key('analyst')}"}
    with httpx.Client(base_url=ids_api.base_url, headers=headers, timeout=60) as client:
        yield client


def refused(response: httpx.Response, *params: str) -> dict[str, Any]:
    """A 422 with the error body; when `params` are given, its details name each of them."""
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "validation_error" and body["message"]
    assert set(body) <= {"error", "message", "details"}
    for param in params:
        assert ["query", param] in [detail["loc"] for detail in body["details"]], body
    return body


@pytest.mark.parametrize("value", OUTSIDE + OUTSIDE_NAIVE)
@pytest.mark.parametrize(("path", "param"), TIME_PARAMETERS, ids=lambda v: v.rsplit("/")[-1])
def test_a_time_outside_the_range_is_refused(
    http: httpx.Client, path: str, param: str, value: str
) -> None:
    body = refused(http.get(path, params={param: value}), param)
    (detail,) = body["details"]
    assert detail["type"] == "time_out_of_range"
    assert "1970-01-01T00:00:00Z" in detail["msg"] and "2100-01-01T00:00:00Z" in detail["msg"]


@pytest.mark.parametrize(
    "params",
    [
        {"until": "0001-01-01T00:00:00Z"},
        {"since": "9999-12-30T00:00:00Z", "until": "9999-12-31T23:59:59-12:00"},
        {"since": "0001-01-01T00:00:00+01:00"},
        {"until": "9999-12-31T23:00:00-05:00"},
        {"since": "0001-01-01T00:00:00Z", "until": "9999-12-31T23:59:59Z", "bucket": "1m"},
        {"since": "-1"},  # read as a Unix time: 1969-12-31T23:59:59Z
        {"until": "99999999999999"},  # read as Unix milliseconds: the year 5138
    ],
)
def test_stats_at_the_edges_of_the_calendar_are_422_not_500(
    http: httpx.Client, params: dict[str, str]
) -> None:
    refused(http.get(STATS, params=params), *params.keys() - {"bucket"})


@pytest.mark.parametrize("value", FIRST)
@pytest.mark.parametrize("path", [PREDICTIONS, STATS, PRECISION])
def test_the_first_moment_is_accepted_as_since(http: httpx.Client, path: str, value: str) -> None:
    response = http.get(path, params={"since": value, "until": "1970-01-02T00:00:00Z"})
    assert response.status_code == 200, response.text
    if path == STATS:
        assert response.json()["since"] == "1970-01-01T00:00:00Z"


@pytest.mark.parametrize("value", LAST)
@pytest.mark.parametrize("path", [PREDICTIONS, STATS, PRECISION])
def test_the_last_moment_is_accepted_as_until(http: httpx.Client, path: str, value: str) -> None:
    response = http.get(path, params={"since": "2099-12-31T00:00:00Z", "until": value})
    assert response.status_code == 200, response.text
    if path == STATS:
        stats = response.json()
        assert stats["until"] == "2100-01-01T00:00:00Z"
        assert stats["bucket"] == "15m" and len(stats["buckets"]) == 96


def test_the_default_since_does_not_reach_before_the_range(http: httpx.Client) -> None:
    """`since` defaults to 24 h before `until`, but never before 1970-01-01T00:00:00Z."""
    stats = http.get(STATS, params={"until": "1970-01-01T06:00:00Z"}).json()
    assert stats["since"] == "1970-01-01T00:00:00Z" and stats["until"] == "1970-01-01T06:00:00Z"
    # At the very first moment the default range is empty: refused, saying why.
    body = refused(http.get(STATS, params={"until": "1970-01-01T00:00:00Z"}))
    assert "since" in body["message"]


@pytest.mark.parametrize("path", [PREDICTIONS, STATS, PRECISION])
@pytest.mark.parametrize(
    ("since", "until"),
    [
        ("2026-01-02T00:00:00Z", "2026-01-01T00:00:00Z"),
        ("2100-01-01T00:00:00Z", "1970-01-01T00:00:00Z"),
        ("2026-01-01T01:00:00+01:00", "2026-01-01T00:00:00Z"),  # the same moment
    ],
)
def test_until_must_be_after_since(http: httpx.Client, path: str, since: str, until: str) -> None:
    body = refused(http.get(path, params={"since": since, "until": until}))
    assert "earlier" in body["message"]


@pytest.mark.parametrize("bucket", [None, "1m", "1h", "1d"])
def test_stats_over_the_whole_range_are_refused_not_enumerated(
    http: httpx.Client, bucket: str | None
) -> None:
    """130 years in buckets: more than MAX_BUCKETS (1440) of any width, so 422 at once."""
    params = {"since": FIRST[0], "until": LAST[0]} | ({"bucket": bucket} if bucket else {})
    response = http.get(STATS, params=params)
    assert "1440" in refused(response)["message"]
    assert len(response.content) < 1000


def test_the_schema_documents_the_range(http: httpx.Client) -> None:
    spec = http.get("/api/ids/openapi.json").json()
    for path, param in TIME_PARAMETERS:
        (parameter,) = [p for p in spec["paths"][path]["get"]["parameters"] if p["name"] == param]
        (schema,) = [s for s in parameter["schema"]["anyOf"] if s.get("type") == "string"]
        assert schema["format"] == "date-time"
        assert schema["formatMinimum"] == "1970-01-01T00:00:00Z"
        assert schema["formatMaximum"] == "2100-01-01T00:00:00Z"
        assert "1970-01-01T00:00:00Z" in parameter["description"]
