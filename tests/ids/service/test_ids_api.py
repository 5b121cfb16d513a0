"""The IDS API over real HTTP: a uvicorn subprocess, CMS-issued keys, a real database."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from apis.ids.records import read_records
from apis.ids.scoring import IdsModel
from croody_core import session as api_session
from croody_core.scopes import ANALYST_GROUP
from tests.servers import Server

from ..support import DATASET, SHIPPED_VERSION, neptune_record, normal_record
from .conftest import SESSION_SECRET, Seeded

PREDICT, PREDICTIONS, STATS, MODEL = (
    "/api/ids/predict",
    "/api/ids/predictions",
    "/api/ids/stats",
    "/api/ids/model",
)


@pytest.fixture(scope="module")
def http(ids_api: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=ids_api.base_url, timeout=60) as client:
        yield client


def bearer(accounts: Seeded, label: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {accounts.key(label)}"}


def session_cookie(user_id: int, *, staff: bool = False, groups: tuple[str, ...] = ()) -> str:
    return api_session.issue_token(
        user_id=user_id, is_staff=staff, groups=groups, secret=SESSION_SECRET
    )


def predict(http: httpx.Client, accounts: Seeded, body: Any, label: str = "scorer") -> Any:
    response = http.post(PREDICT, json=body, headers=bearer(accounts, label))
    assert response.status_code == 200, response.text
    return response.json()


def assert_error(response: httpx.Response, status: int, error: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error and body["message"]
    return body


# -- health and documentation ------------------------------------------------------


def test_healthz_checks_the_database_and_the_model(http: httpx.Client) -> None:
    for path in ("/api/ids/healthz", "/healthz"):
        body = http.get(path).json()
        assert body["status"] == "ok"
        assert body["checks"]["database"]["status"] == "ok"
        assert body["checks"]["model"]["status"] == "ok"


def test_openapi_documents_every_endpoint_with_examples(http: httpx.Client) -> None:
    spec = http.get("/api/ids/openapi.json").json()
    assert {PREDICT, PREDICTIONS, STATS, MODEL, "/api/ids/healthz"} <= set(spec["paths"])
    body = spec["paths"][PREDICT]["post"]["requestBody"]["content"]["application/json"]
    assert {"one record", "batch", "unknown service"} <= set(body["examples"])
    schemas = spec["components"]["schemas"]
    assert schemas["PredictBatch"]["properties"]["records"]["maxItems"] == 10_000
    assert len(schemas["ConnectionRecord"]["required"]) == 41
    assert "text/csv" in spec["paths"][PREDICTIONS]["get"]["responses"]["200"]["content"]


# -- predict -----------------------------------------------------------------------


def test_one_record_gets_a_verdict_probabilities_version_and_id(
    http: httpx.Client, accounts: Seeded
) -> None:
    body = predict(http, accounts, normal_record())
    assert body["count"] == 1 and body["model_version"] == SHIPPED_VERSION
    (result,) = body["predictions"]
    assert result["verdict"] == "normal" and result["category"] == "normal"
    assert set(result["probabilities"]) == {"normal", "DoS", "Probe", "R2L", "U2R"}
    assert sum(result["probabilities"].values()) == pytest.approx(1.0)
    assert result["model_version"] == SHIPPED_VERSION and result["unknown_values"] == {}
    assert isinstance(result["id"], int)


def test_a_batch_is_answered_in_order_and_unknown_values_are_flagged(
    http: httpx.Client, accounts: Seeded
) -> None:
    records = [normal_record(), neptune_record(), normal_record() | {"service": "quic"}]
    results = predict(http, accounts, {"records": records})["predictions"]
    assert [r["verdict"] for r in results][:2] == ["normal", "attack"]
    assert results[1]["category"] == "DoS" and results[1]["score"] >= 0.5
    assert results[2]["unknown_values"] == {"service": "quic"}
    assert results[0]["id"] < results[1]["id"] < results[2]["id"]


def test_every_prediction_is_stored_with_input_source_time_and_result(
    http: httpx.Client, accounts: Seeded
) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    sent = neptune_record() | {"flag": "ZZ"}
    result = predict(http, accounts, sent)["predictions"][0]
    page = http.get(
        PREDICTIONS,
        params={"source": accounts.source("scorer"), "limit": 1},
        headers=bearer(accounts, "analyst"),
    ).json()
    stored = page["items"][0]
    assert stored["id"] == result["id"]
    assert stored["features"] == sent
    assert stored["source"] == accounts.source("scorer")
    assert before <= datetime.fromisoformat(stored["created_at"]) <= datetime.now(UTC)
    for field in ("verdict", "category", "score", "probabilities", "unknown_values"):
        assert stored[field] == result[field]
    assert stored["unknown_values"] == {"flag": "ZZ"}


def test_a_batch_of_10000_matches_the_model_in_process(
    http: httpx.Client, accounts: Seeded, model: IdsModel
) -> None:
    records = [item.record for item in read_records(DATASET, limit=10_000)]
    body = predict(http, accounts, {"records": records})
    assert body["count"] == 10_000
    expected = model.score(records)
    got = body["predictions"]
    assert [r["verdict"] for r in got] == [e.verdict for e in expected]
    assert [r["category"] for r in got] == [e.category for e in expected]
    assert [r["score"] for r in got] == pytest.approx([e.score for e in expected])
    ids = [r["id"] for r in got]
    assert ids == sorted(ids) and len(set(ids)) == 10_000


# -- bad input: clear 4xx, never a 500 ----------------------------------------------


def without(record: dict[str, Any], name: str) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != name}


BAD_BODIES = {
    "missing feature": (without(normal_record(), "src_bytes"), ["body", "src_bytes"]),
    "extra feature": (normal_record() | {"label": "normal"}, ["body", "label"]),
    "string number": (normal_record() | {"count": "3"}, ["body", "count"]),
    "negative count": (normal_record() | {"src_bytes": -1}, ["body", "src_bytes"]),
    "rate above 1": (normal_record() | {"serror_rate": 1.5}, ["body", "serror_rate"]),
    "rate below 0": (normal_record() | {"same_srv_rate": -0.1}, ["body", "same_srv_rate"]),
    "fractional count": (normal_record() | {"count": 1.5}, ["body", "count"]),
    "number as protocol": (normal_record() | {"protocol_type": 6}, ["body", "protocol_type"]),
    "bad record in a batch": (
        {"records": [normal_record(), normal_record() | {"land": 2}]},
        ["body", "records", 1, "land"],
    ),
    "empty batch": ({"records": []}, ["body", "records"]),
    "records not a list": ({"records": {"a": 1}}, ["body", "records"]),
    "top-level list": ([normal_record()], ["body"]),
    "empty object": ({}, ["body", "duration"]),
}


@pytest.mark.parametrize("name", BAD_BODIES)
def test_bad_records_get_422_saying_where(http: httpx.Client, accounts: Seeded, name: str) -> None:
    body, location = BAD_BODIES[name]
    response = http.post(PREDICT, json=body, headers=bearer(accounts, "scorer"))
    details = assert_error(response, 422, "validation_error")["details"]
    assert location in [d["loc"] for d in details]


def test_malformed_json_and_other_media_types(http: httpx.Client, accounts: Seeded) -> None:
    headers = bearer(accounts, "scorer")
    response = http.post(PREDICT, content=b'{"records": [', headers=headers)
    assert assert_error(response, 422, "validation_error")["details"][0]["type"] == "json_invalid"
    response = http.post(
        PREDICT, content=b"duration=0", headers=headers | {"Content-Type": "text/plain"}
    )
    assert_error(response, 415, "unsupported_media_type")


def test_oversize_batches_get_413(http: httpx.Client, accounts: Seeded) -> None:
    headers = bearer(accounts, "scorer")
    response = http.post(PREDICT, json={"records": [normal_record()] * 10_001}, headers=headers)
    assert "10000" in assert_error(response, 413, "payload_too_large")["message"]
    padding = b" " * (33 * 1024 * 1024)
    response = http.post(
        PREDICT,
        content=b'{"records": []' + padding + b"}",
        headers=headers | {"Content-Type": "application/json"},
    )
    assert_error(response, 413, "payload_too_large")


def test_a_refused_batch_stores_nothing(http: httpx.Client, accounts: Seeded) -> None:
    analyst = bearer(accounts, "analyst")
    newest = http.get(PREDICTIONS, params={"limit": 1}, headers=analyst).json()["items"]
    records = [normal_record()] * 5 + [normal_record() | {"duration": -1}]
    response = http.post(PREDICT, json={"records": records}, headers=bearer(accounts, "scorer"))
    assert response.status_code == 422
    assert http.get(PREDICTIONS, params={"limit": 1}, headers=analyst).json()["items"] == newest


# -- keys, scopes and sessions ------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer crd_notakey"},
        {"Authorization": "Basic YTpi"},
        {"X-API-Key": "crd_abcdefgh_" + "A" * 43},
    ],
    ids=["none", "malformed", "other scheme", "unknown"],
)
def test_missing_or_bad_keys_get_401(http: httpx.Client, headers: dict[str, str]) -> None:
    response = http.post(PREDICT, json=normal_record(), headers=headers)
    assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_revoked_key_gets_the_same_401(http: httpx.Client, accounts: Seeded) -> None:
    revoked = http.post(PREDICT, json=normal_record(), headers=bearer(accounts, "revoked"))
    unknown = http.post(PREDICT, json=normal_record(), headers={"Authorization": "Bearer x"})
    assert revoked.status_code == 401 and revoked.json() == unknown.json()


@pytest.mark.parametrize(
    ("label", "method", "path", "status"),
    [
        ("scorer", "POST", PREDICT, 200),
        ("analyst", "POST", PREDICT, 403),
        ("telemetry", "POST", PREDICT, 403),
        ("analyst", "GET", PREDICTIONS, 200),
        ("analyst", "GET", STATS, 200),
        ("scorer", "GET", PREDICTIONS, 403),
        ("scorer", "GET", STATS, 403),
        ("scorer", "GET", MODEL, 200),
        ("analyst", "GET", MODEL, 200),
        ("telemetry", "GET", MODEL, 403),
    ],
)
def test_scopes(
    http: httpx.Client, accounts: Seeded, label: str, method: str, path: str, status: int
) -> None:
    body = normal_record() if method == "POST" else None
    response = http.request(method, path, json=body, headers=bearer(accounts, label))
    assert response.status_code == status, response.text
    if status == 403:
        assert response.json()["error"] == "forbidden"


@pytest.mark.parametrize(
    ("staff", "groups", "status"),
    [(True, (), 200), (False, (ANALYST_GROUP,), 200), (False, (), 403)],
    ids=["staff", "analyst group", "other user"],
)
def test_signed_in_staff_and_analysts_read_with_their_session(
    ids_api: Server, accounts: Seeded, staff: bool, groups: tuple[str, ...], status: int
) -> None:
    cookie = session_cookie(accounts.users["ana"], staff=staff, groups=groups)
    with httpx.Client(base_url=ids_api.base_url, cookies={"croody_api": cookie}) as browser:
        assert browser.get(PREDICTIONS).status_code == status
        assert browser.get(STATS).status_code == status


# -- predictions: filters, pages, CSV ------------------------------------------------


@pytest.fixture(scope="module")
def mixed(http: httpx.Client, accounts: Seeded) -> dict[str, Any]:
    """Normal and attack records from the "both" key, after a known moment."""
    since = datetime.now(UTC) - timedelta(milliseconds=5)
    records = [normal_record()] * 6 + [neptune_record()] * 4 + [normal_record() | {"flag": "QQ"}]
    results = predict(http, accounts, {"records": records}, label="both")["predictions"]
    return {"since": since.isoformat(), "results": results, "source": accounts.source("both")}


def query(http: httpx.Client, accounts: Seeded, **params: Any) -> list[dict[str, Any]]:
    response = http.get(PREDICTIONS, params=params, headers=bearer(accounts, "analyst"))
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_predictions_filters(http: httpx.Client, accounts: Seeded, mixed: dict[str, Any]) -> None:
    mine = {"source": mixed["source"], "since": mixed["since"]}
    assert len(query(http, accounts, **mine)) == 11
    attacks = query(http, accounts, **mine, verdict="attack")
    assert len(attacks) == 4 and {a["category"] for a in attacks} == {"DoS"}
    assert len(query(http, accounts, **mine, category="DoS")) == 4
    assert len(query(http, accounts, **mine, min_score=0.99)) == 4  # attacks score 1
    assert len(query(http, accounts, **mine, unknown=True)) == 1
    assert len(query(http, accounts, **mine, model_version="0.0.1")) == 0
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert query(http, accounts, source=mixed["source"], since=future) == []
    assert len(query(http, accounts, **mine, until=future)) == 11


def test_predictions_cursor_pages(http: httpx.Client, accounts: Seeded, mixed: Any) -> None:
    params = {"source": mixed["source"], "since": mixed["since"], "limit": 4}
    seen, cursor = [], None
    while True:
        page = http.get(
            PREDICTIONS,
            params=params | ({"cursor": cursor} if cursor else {}),
            headers=bearer(accounts, "analyst"),
        ).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted((r["id"] for r in mixed["results"]), reverse=True)


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "bm90LW91cnM"},
        {"limit": 0},
        {"limit": 1001},
        {"min_score": 2},
        {"min_score": "nan"},
        {"verdict": "maybe"},
        {"category": "dos"},
        {"since": "yesterday"},
        {"since": "2026-01-02T00:00:00Z", "until": "2026-01-01T00:00:00Z"},
        {"format": "xml"},
        {"source": "x" * 101},
        {"model_version": "1.0\x00"},  # PostgreSQL refuses NUL in any string
        {"source": "key:\r\n"},
    ],
)
def test_bad_query_parameters_get_422(
    http: httpx.Client, accounts: Seeded, params: dict[str, Any]
) -> None:
    response = http.get(PREDICTIONS, params=params, headers=bearer(accounts, "analyst"))
    assert_error(response, 422, "validation_error")


@pytest.mark.parametrize(
    ("params", "headers"),
    [({"format": "csv"}, {}), ({}, {"Accept": "text/csv"})],
    ids=["format=csv", "Accept"],
)
def test_csv_export_streams_every_match(
    http: httpx.Client,
    accounts: Seeded,
    mixed: dict[str, Any],
    params: dict[str, str],
    headers: dict[str, str],
) -> None:
    filters = {"source": mixed["source"], "since": mixed["since"], "limit": 2}
    with http.stream(
        "GET", PREDICTIONS, params=filters | params, headers=bearer(accounts, "analyst") | headers
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
        text = "".join(response.iter_text())
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 11  # every match: the JSON page size does not apply
    assert {row["source"] for row in rows} == {mixed["source"]}
    assert sum(row["verdict"] == "attack" for row in rows) == 4


# -- stats and model -----------------------------------------------------------------


def test_stats_count_verdicts_and_categories_per_bucket(
    http: httpx.Client, accounts: Seeded, mixed: dict[str, Any]
) -> None:
    response = http.get(
        STATS,
        params={"source": mixed["source"], "since": mixed["since"], "bucket": "1m"},
        headers=bearer(accounts, "analyst"),
    )
    assert response.status_code == 200, response.text
    stats = response.json()
    assert stats["model_version"] == SHIPPED_VERSION and stats["bucket_seconds"] == 60
    assert stats["total"] == 11
    assert stats["verdicts"] == {"normal": 7, "attack": 4}
    assert stats["categories"]["DoS"] == 4
    assert sum(b["total"] for b in stats["buckets"]) == 11
    assert stats["top_sources"] == [{"source": mixed["source"], "total": 11, "attacks": 4}]
    assert stats["model_versions"] == {SHIPPED_VERSION: 11}


def test_stats_default_range_and_refusals(http: httpx.Client, accounts: Seeded) -> None:
    headers = bearer(accounts, "analyst")
    # Nothing matches: the day before now.
    stats = http.get(STATS, params={"model_version": "none"}, headers=headers).json()
    assert stats["bucket"] == "15m" and len(stats["buckets"]) in (96, 97)
    assert stats["range_from"] == {"since": "default", "until": "default"}
    response = http.get(
        STATS,
        params={"since": "2020-01-01T00:00:00Z", "until": "2026-01-01T00:00:00Z", "bucket": "1m"},
        headers=headers,
    )
    assert "1440" in assert_error(response, 422, "validation_error")["message"]


def test_model_card(http: httpx.Client, accounts: Seeded, model: IdsModel) -> None:
    card = http.get(MODEL, headers=bearer(accounts, "scorer")).json()
    for field in ("version", "trained_at", "threshold", "classes", "feature_schema", "validation"):
        assert card[field] == model.metadata[field]
    assert card["artifact"]["sha256"] == model.metadata["artifact"]["sha256"]
    assert card["dataset"]["sha256"] == model.metadata["dataset"]["sha256"]
    assert 0 < card["serving"]["load_seconds"] < 30


# -- a tampered artifact and the rate limit -------------------------------------------


def test_a_tampered_artifact_is_refused_and_reported(
    broken_ids_api: Server, accounts: Seeded
) -> None:
    with httpx.Client(base_url=broken_ids_api.base_url) as client:
        health = client.get("/api/ids/healthz")
        assert health.status_code == 503
        check = health.json()["checks"]["model"]
        assert check["status"] == "error" and "integrity check" in check["error"]
        response = client.post(PREDICT, json=normal_record(), headers=bearer(accounts, "scorer"))
        assert "integrity check" in assert_error(response, 503, "unavailable")["message"]
    assert "IDS model not loaded" in broken_ids_api.log()


def test_rate_limit_answers_429_with_retry_after(broken_ids_api: Server, accounts: Seeded) -> None:
    with httpx.Client(base_url=broken_ids_api.base_url) as client:
        statuses = [
            client.get(STATS, headers=bearer(accounts, "analyst")).status_code for _ in range(5)
        ]
        assert statuses[-1] == 429
        response = client.get(STATS, headers=bearer(accounts, "analyst"))
        assert_error(response, 429, "rate_limited")
        assert int(response.headers["Retry-After"]) >= 1
        # The limit is per principal: another key still gets through.
        assert client.get(MODEL, headers=bearer(accounts, "both")).status_code == 503


def test_unknown_paths_and_methods_are_json_errors(http: httpx.Client) -> None:
    assert_error(http.get("/api/ids/nothing"), 404, "not_found")
    assert_error(http.get(PREDICT), 405, "method_not_allowed")
    assert json.loads(http.delete(STATS).text)["error"] == "method_not_allowed"
