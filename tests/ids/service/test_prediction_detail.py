"""GET /api/ids/predictions/{id}: one prediction with its input, result, triage and the
features that drove its score."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from apis.ids import store
from apis.ids.attribution import attribute
from apis.ids.routes import _explain
from apis.ids.scoring import IdsModel
from apis.ids.serving import Serving
from tests.servers import Server

from ..support import SHIPPED_VERSION, neptune_record, normal_record
from .conftest import Seeded

PREDICT, PREDICTIONS = "/api/ids/predict", "/api/ids/predictions"


@pytest.fixture(scope="module")
def http(ids_api: Server, accounts: Seeded) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {accounts.key('analyst')}"}
    with httpx.Client(base_url=ids_api.base_url, headers=headers, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def scored(http: httpx.Client, accounts: Seeded) -> list[dict[str, Any]]:
    records = [neptune_record(), normal_record(), normal_record() | {"service": "quic"}]
    response = http.post(
        PREDICT,
        json={"records": records},
        headers={"Authorization": f"Bearer {accounts.key('both')}"},
    )
    assert response.status_code == 200, response.text
    return [
        {"record": record, "result": result}
        for record, result in zip(records, response.json()["predictions"], strict=True)
    ]


@pytest.mark.parametrize("index", [0, 1, 2], ids=["neptune", "normal", "unknown service"])
def test_the_detail_shows_input_result_and_what_drove_it(
    http: httpx.Client,
    accounts: Seeded,
    model: IdsModel,
    scored: list[dict[str, Any]],
    index: int,
) -> None:
    record, result = scored[index]["record"], scored[index]["result"]
    started = time.perf_counter()
    response = http.get(f"{PREDICTIONS}/{result['id']}")
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text
    detail = response.json()
    for name in ("id", "verdict", "category", "score", "probabilities", "unknown_values"):
        assert detail[name] == result[name], name
    assert detail["features"] == record
    assert detail["model_version"] == SHIPPED_VERSION and detail["threshold"] == model.threshold
    assert detail["source"] == accounts.source("both")
    assert datetime.fromisoformat(detail["created_at"]) <= datetime.now(UTC)
    assert detail["triage"] is None
    explanation = detail["explanation"]
    assert explanation["available"] is True and explanation["reason"] is None
    assert (explanation["method"], explanation["target"]) == ("saabas", "forest_score")
    assert explanation["model_version"] == SHIPPED_VERSION
    # The score is the larger of the forest's and the novelty's normal percentiles.
    parts = (explanation["forest_percentile"], explanation["novelty_percentile"])
    assert detail["score"] == pytest.approx(max(parts))
    assert explanation["forest_score"] == pytest.approx(1 - detail["probabilities"]["normal"])
    expected = attribute(model, record)
    assert explanation["bias"] == pytest.approx(expected.bias)
    top = detail["top_features"]
    assert [(f["feature"], pytest.approx(f["contribution"])) for f in top] == expected.top()
    assert all(f["value"] == record[f["feature"]] for f in top)
    sizes = [abs(f["contribution"]) for f in top]
    assert len(top) == 5 and sizes == sorted(sizes, reverse=True)
    assert elapsed < 2  # one record's walk down 40 trees, not a batch


def test_an_attack_is_driven_towards_attack(
    http: httpx.Client, scored: list[dict[str, Any]]
) -> None:
    attack = http.get(f"{PREDICTIONS}/{scored[0]['result']['id']}").json()
    normal = http.get(f"{PREDICTIONS}/{scored[1]['result']['id']}").json()
    assert sum(f["contribution"] for f in attack["top_features"]) > 0
    assert sum(f["contribution"] for f in normal["top_features"]) < 0


@pytest.mark.parametrize(
    ("path", "status", "error"),
    [
        ("/999999999999", 404, "not_found"),
        (f"/{store.MAX_ID}", 404, "not_found"),
        (f"/{store.MAX_ID + 1}", 422, "validation_error"),
        ("/0", 422, "validation_error"),
        ("/-5", 422, "validation_error"),
        ("/1e3", 422, "validation_error"),
        ("/%00", 422, "validation_error"),
        ("/" + "9" * 400, 422, "validation_error"),
    ],
)
def test_unknown_and_impossible_ids(http: httpx.Client, path: str, status: int, error: str) -> None:
    response = http.get(PREDICTIONS + path)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error and body["message"]


def test_the_detail_needs_the_analyst_scope(
    http: httpx.Client, accounts: Seeded, scored: list[dict[str, Any]]
) -> None:
    url = f"{PREDICTIONS}/{scored[0]['result']['id']}"
    scorer = http.get(url, headers={"Authorization": f"Bearer {accounts.key('scorer')}"})
    assert scorer.status_code == 403
    anonymous = httpx.get(f"{http.base_url}{url}")
    assert anonymous.status_code == 401


# -- when there is nothing honest to show ------------------------------------------------------


def stored(version: str) -> store.StoredPrediction:
    return store.StoredPrediction(
        id=1,
        created_at=datetime(2026, 12, 1, tzinfo=UTC),
        source="key:aaaaaaaa",
        model_version=version,
        verdict="attack",
        category="DoS",
        score=1.0,
        probabilities={"normal": 0.0, "DoS": 1.0, "Probe": 0.0, "R2L": 0.0, "U2R": 0.0},
        unknown_values={},
        features=neptune_record(),
    )


def test_a_prediction_is_explained_by_the_version_that_scored_it(
    serving: Serving, model: IdsModel
) -> None:
    explanation, top = _explain(serving, stored(model.version))
    assert explanation["available"] is True and len(top) == 5
    assert explanation["model_version"] == model.version


def test_a_version_outside_the_registry_is_not_explained(serving: Serving) -> None:
    # Another model's trees would explain a score this prediction never had.
    explanation, top = _explain(serving, stored("0.9.0"))
    assert explanation["available"] is False and top == []
    assert "0.9.0" in explanation["reason"] and "not in the registry" in explanation["reason"]
