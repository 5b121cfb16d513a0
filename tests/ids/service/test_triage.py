"""Triage: analysts label predictions (one or a selection), the label is kept with who and
when, filters and exports carry it, and the alerts' precision per model version follows.

Store tests run on the IDS test database (SQLite, or PostgreSQL with DATABASE_URL); the HTTP
tests on the real service (tests/ids/service/conftest.py)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, delete, inspect, select

from apis.common.database import make_engine
from apis.ids import migrate, store
from apis.ids.csv_export import HEADER, csv_chunks
from apis.ids.scoring import IdsModel
from croody_core import session as api_session
from croody_core.scopes import ANALYST_GROUP
from tests.servers import Server, drop_database, fresh_database_url

from ..support import SHIPPED_VERSION, neptune_record, normal_record
from .conftest import SESSION_SECRET, Seeded

T0 = int(datetime(2026, 11, 28, 10, 0, tzinfo=UTC).timestamp() * 1000)


def put(engine: Engine, model: IdsModel, records: list[dict[str, Any]], **kw: Any) -> list[int]:
    scores = model.score_batch(records)
    return store.insert_predictions(
        engine,
        records,
        scores,
        source=kw.get("source", "key:aaaaaaaa"),
        model_version=kw.get("version", "1.0.0"),
        created_ms=kw.get("at", T0),
    )


def label(engine: Engine, ids: list[int], value: str | None, **kw: Any) -> list[int]:
    return store.set_triage(
        engine, ids, value, user_id=kw.pop("user_id", 7), by=kw.pop("by", "user:7"), **kw
    )


def triage_of(engine: Engine, prediction_id: int) -> store.Triage | None:
    prediction = store.get_prediction(engine, prediction_id)
    assert prediction is not None
    return prediction.triage


# -- the store -------------------------------------------------------------------------


def test_a_label_is_stored_with_its_note_author_and_time(
    ids_engine: Engine, model: IdsModel
) -> None:
    (attack,) = put(ids_engine, model, [neptune_record()])
    label(ids_engine, [attack], "confirmed_attack", note="SYN flood from the lab", at_ms=T0 + 5)
    assert triage_of(ids_engine, attack) == store.Triage(
        "confirmed_attack", "SYN flood from the lab", 7, "user:7", store.from_ms(T0 + 5)
    )
    # The list answers it too.
    (item,) = store.list_predictions(ids_engine, store.PredictionFilter(), limit=5).items
    assert item.triage is not None and item.triage.label == "confirmed_attack"


def test_relabelling_overwrites_and_clearing_removes(ids_engine: Engine, model: IdsModel) -> None:
    (attack,) = put(ids_engine, model, [neptune_record()])
    label(ids_engine, [attack], "confirmed_attack", note="first look", at_ms=T0)
    label(ids_engine, [attack], "false_positive", user_id=9, by="key:bbbbbbbb", at_ms=T0 + 60_000)
    assert triage_of(ids_engine, attack) == store.Triage(
        "false_positive", None, 9, "key:bbbbbbbb", store.from_ms(T0 + 60_000)
    )
    label(ids_engine, [attack], None)
    assert triage_of(ids_engine, attack) is None
    label(ids_engine, [attack], None)  # clearing twice is fine
    assert triage_of(ids_engine, attack) is None


def test_a_selection_is_labelled_all_or_nothing(ids_engine: Engine, model: IdsModel) -> None:
    ids = put(ids_engine, model, [neptune_record()] * 3)
    assert label(ids_engine, [ids[2], ids[0], ids[2]], "benign_expected") == [ids[0], ids[2]]
    assert [triage_of(ids_engine, i) is not None for i in ids] == [True, False, True]
    with pytest.raises(store.UnknownPredictions) as refused:
        label(ids_engine, [ids[1], ids[2], 10**12, store.MAX_ID], "false_positive")
    assert refused.value.ids == [10**12, store.MAX_ID]
    # Nothing changed, not even for the ids that exist.
    assert triage_of(ids_engine, ids[1]) is None
    assert triage_of(ids_engine, ids[2]).label == "benign_expected"  # type: ignore[union-attr]


def test_an_unknown_label_is_refused(ids_engine: Engine) -> None:
    with pytest.raises(ValueError, match="label must be one of"):
        label(ids_engine, [1], "maybe")


def test_deleting_a_prediction_deletes_its_label(ids_engine: Engine, model: IdsModel) -> None:
    ids = put(ids_engine, model, [neptune_record()] * 2)
    label(ids_engine, ids, "confirmed_attack")
    with ids_engine.begin() as connection:
        connection.execute(delete(store.predictions).where(store.predictions.c.id == ids[0]))
        left = connection.scalars(select(store.triage.c.prediction_id)).all()
    assert left == [ids[1]]


def test_the_label_filter(ids_engine: Engine, model: IdsModel) -> None:
    ids = put(ids_engine, model, [neptune_record()] * 4 + [normal_record()])
    label(ids_engine, ids[:2], "confirmed_attack")
    label(ids_engine, ids[2:3], "false_positive")

    def matching(value: str, **other: Any) -> set[int]:
        where = store.PredictionFilter(label=value, **other)
        found = {p.id for p in store.iter_predictions(ids_engine, where)}
        assert store.count_predictions(ids_engine, where) == len(found)
        return found

    assert matching("confirmed_attack") == set(ids[:2])
    assert matching("false_positive") == {ids[2]}
    assert matching("benign_expected") == set()
    assert matching("labelled") == set(ids[:3])
    assert matching("unlabelled") == set(ids[3:])
    assert matching("unlabelled", verdict="attack") == {ids[3]}


def test_the_csv_carries_the_triage(ids_engine: Engine, model: IdsModel) -> None:
    ids = put(ids_engine, model, [neptune_record(), normal_record()])
    label(ids_engine, ids[:1], "false_positive", note="=cmd|' /C calc'!A0\nsecond line", at_ms=T0)
    text = "".join(csv_chunks(store.iter_predictions(ids_engine, store.PredictionFilter())))
    rows = {int(row["id"]): row for row in csv.DictReader(io.StringIO(text))}
    assert HEADER[-5:] == (
        "triage_label",
        "triage_note",
        "triage_by",
        "triage_by_user_id",
        "triage_at",
    )
    labelled, plain = rows[ids[0]], rows[ids[1]]
    assert labelled["triage_label"] == "false_positive"
    # Never a spreadsheet formula; line breaks survive the quoting.
    assert labelled["triage_note"] == "'=cmd|' /C calc'!A0\nsecond line"
    assert (labelled["triage_by"], labelled["triage_by_user_id"]) == ("user:7", "7")
    assert labelled["triage_at"] == "2026-11-28T10:00:00Z"
    assert [plain[name] for name in HEADER[-5:]] == [""] * 5


def test_precision_per_model_version(ids_engine: Engine, model: IdsModel) -> None:
    old = put(ids_engine, model, [neptune_record()] * 5, version="0.9.0", at=T0)
    new = put(ids_engine, model, [neptune_record()] * 3 + [normal_record()] * 2, at=T0 + 1)
    label(ids_engine, old[:3], "confirmed_attack")
    label(ids_engine, old[3:4], "false_positive")
    label(ids_engine, old[4:5], "benign_expected")
    label(ids_engine, new[3:4], "confirmed_attack")  # a normal verdict: a missed attack
    by_version = {
        v.model_version: v for v in store.precision_by_version(ids_engine, store.PredictionFilter())
    }
    assert list(by_version) == ["1.0.0", "0.9.0"]  # the most recently used first
    assert by_version["0.9.0"] == store.VersionPrecision("0.9.0", 5, 5, 3, 1, 1, 0)
    assert by_version["0.9.0"].precision == pytest.approx(0.75)
    assert by_version["1.0.0"] == store.VersionPrecision("1.0.0", 3, 0, 0, 0, 0, 1)
    assert by_version["1.0.0"].precision is None  # no alert judged yet
    window = store.PredictionFilter(since_ms=T0 + 1)
    assert [v.model_version for v in store.precision_by_version(ids_engine, window)] == ["1.0.0"]


# -- the migration, on SQLite and PostgreSQL ------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ids.sqlite3'}"
        return
    url = fresh_database_url("ids_triage_migration")
    if url is None:
        pytest.skip("PostgreSQL runs with DATABASE_URL set (see docs/operations.md)")
    yield url
    drop_database(url)


def test_the_triage_migration_keeps_predictions_and_goes_back(
    empty_database: str, model: IdsModel
) -> None:
    engine = make_engine(empty_database)
    try:
        migrate.upgrade(engine, "0002")
        assert "ids_triage" not in inspect(engine).get_table_names()
        before = put(engine, model, [neptune_record()] * 2)
        migrate.upgrade(engine, "0003")
        assert migrate.current_revision(engine) == "0003"
        label(engine, before[:1], "confirmed_attack", note="kept")
        assert triage_of(engine, before[0]).note == "kept"  # type: ignore[union-attr]
        _downgrade(engine, "0002")
        assert "ids_triage" not in inspect(engine).get_table_names()
        assert store.count_predictions(engine, store.PredictionFilter(label=None)) == 2
    finally:
        engine.dispose()


def _downgrade(engine: Engine, revision: str) -> None:
    migrate.MIGRATIONS.downgrade(engine, revision)


# -- over HTTP -------------------------------------------------------------------------------

PREDICT, PREDICTIONS, TRIAGE, PRECISION = (
    "/api/ids/predict",
    "/api/ids/predictions",
    "/api/ids/triage",
    "/api/ids/model/precision",
)


@pytest.fixture(scope="module")
def http(ids_api: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=ids_api.base_url, timeout=60) as client:
        yield client


def bearer(accounts: Seeded, key: str = "analyst") -> dict[str, str]:
    return {"Authorization": f"Bearer {accounts.key(key)}"}


@pytest.fixture()
def alerts(http: httpx.Client, accounts: Seeded) -> list[int]:
    """Three fresh SYN floods and one normal transfer, scored by the "scorer" key."""
    records = [neptune_record()] * 3 + [normal_record()]
    response = http.post(PREDICT, json={"records": records}, headers=bearer(accounts, "scorer"))
    assert response.status_code == 200, response.text
    return [p["id"] for p in response.json()["predictions"]]


def refused(response: httpx.Response, status: int, error: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error and body["message"]
    return body


def test_an_analyst_labels_one_prediction_and_sees_it_everywhere(
    http: httpx.Client, accounts: Seeded, alerts: list[int]
) -> None:
    first = alerts[0]
    response = http.put(
        f"{PREDICTIONS}/{first}/triage",
        json={"label": "false_positive", "note": "  the lab's scanner  "},
        headers=bearer(accounts),
    )
    assert response.status_code == 200, response.text
    triage = response.json()["triage"]
    assert response.json()["id"] == first
    assert triage["label"] == "false_positive" and triage["note"] == "the lab's scanner"
    assert triage["labelled_by_user_id"] == accounts.users["ana"]
    assert triage["labelled_by"] == accounts.source("analyst")
    assert datetime.fromisoformat(triage["labelled_at"]) <= datetime.now(UTC)
    detail = http.get(f"{PREDICTIONS}/{first}", headers=bearer(accounts)).json()
    assert detail["triage"] == triage
    page = http.get(
        PREDICTIONS, params={"label": "false_positive", "limit": 1000}, headers=bearer(accounts)
    ).json()
    assert first in {item["id"] for item in page["items"]}
    assert next(i for i in page["items"] if i["id"] == first)["triage"] == triage
    unlabelled = http.get(
        PREDICTIONS, params={"label": "unlabelled", "limit": 1000}, headers=bearer(accounts)
    ).json()
    assert first not in {item["id"] for item in unlabelled["items"]}
    with http.stream(
        "GET",
        PREDICTIONS,
        params={"label": "false_positive", "format": "csv"},
        headers=bearer(accounts),
    ) as csv_response:
        rows = list(csv.DictReader(io.StringIO("".join(csv_response.iter_text()))))
    assert {row["id"]: row["triage_label"] for row in rows}[str(first)] == "false_positive"
    cleared = http.delete(f"{PREDICTIONS}/{first}/triage", headers=bearer(accounts))
    assert cleared.status_code == 200 and cleared.json() == {"id": first, "triage": None}
    assert http.get(f"{PREDICTIONS}/{first}", headers=bearer(accounts)).json()["triage"] is None


def test_a_session_user_labels_a_selection(
    http: httpx.Client, accounts: Seeded, alerts: list[int]
) -> None:
    token = api_session.issue_token(
        user_id=4242, is_staff=False, groups=(ANALYST_GROUP,), secret=SESSION_SECRET
    )
    response = http.post(
        TRIAGE,
        json={"ids": alerts[:3], "label": "confirmed_attack", "note": "SYN flood"},
        headers={"Cookie": f"{api_session.COOKIE_NAME}={token}"},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"updated": 3, "label": "confirmed_attack", "ids": alerts[:3]}
    for prediction_id in alerts[:3]:
        triage = http.get(f"{PREDICTIONS}/{prediction_id}", headers=bearer(accounts)).json()[
            "triage"
        ]
        assert (triage["labelled_by_user_id"], triage["labelled_by"]) == (4242, "user:4242")
    cleared = http.post(TRIAGE, json={"ids": alerts[:2], "label": None}, headers=bearer(accounts))
    assert cleared.json() == {"updated": 2, "label": None, "ids": alerts[:2]}
    states = [
        http.get(f"{PREDICTIONS}/{i}", headers=bearer(accounts)).json()["triage"]
        for i in alerts[:3]
    ]
    assert [s is None for s in states] == [True, True, False]


def test_a_selection_with_an_unknown_id_changes_nothing(
    http: httpx.Client, accounts: Seeded, alerts: list[int]
) -> None:
    response = http.post(
        TRIAGE,
        json={"ids": [alerts[0], 9_000_000_000_000], "label": "confirmed_attack"},
        headers=bearer(accounts),
    )
    body = refused(response, 404, "not_found")
    assert body["details"][0]["ids"] == [9_000_000_000_000]
    detail = http.get(f"{PREDICTIONS}/{alerts[0]}", headers=bearer(accounts)).json()
    assert detail["triage"] is None


def test_precision_follows_the_labels(
    http: httpx.Client, accounts: Seeded, alerts: list[int]
) -> None:
    def version() -> dict[str, Any]:
        body = http.get(PRECISION, headers=bearer(accounts)).json()
        assert body["serving_version"] == SHIPPED_VERSION
        return next(v for v in body["versions"] if v["model_version"] == SHIPPED_VERSION)

    before = version()
    http.post(
        TRIAGE, json={"ids": alerts[:2], "label": "confirmed_attack"}, headers=bearer(accounts)
    )
    http.put(
        f"{PREDICTIONS}/{alerts[2]}/triage",
        json={"label": "false_positive"},
        headers=bearer(accounts),
    )
    after = version()
    assert after["confirmed"] - before["confirmed"] == 2
    assert after["false_positives"] - before["false_positives"] == 1
    assert after["labelled"] - before["labelled"] == 3
    assert after["precision"] == pytest.approx(
        after["confirmed"] / (after["confirmed"] + after["false_positives"])
    )


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("PUT", "/{id}/triage", {"label": "maybe"}, 422),
        ("PUT", "/{id}/triage", {"label": None}, 422),
        ("PUT", "/{id}/triage", {"label": "false_positive", "note": "x" * 1001}, 422),
        ("PUT", "/{id}/triage", {"label": "false_positive", "note": "nul\u0000byte"}, 422),
        ("PUT", "/{id}/triage", {"label": "false_positive", "note": "bell\u0007"}, 422),
        ("PUT", "/{id}/triage", {"label": "false_positive", "extra": 1}, 422),
        ("PUT", "/{id}/triage", [], 422),
        ("PUT", "/999999999999/triage", {"label": "false_positive"}, 404),
        ("PUT", "/9223372036854775808/triage", {"label": "false_positive"}, 422),
        ("PUT", "/0/triage", {"label": "false_positive"}, 422),
        ("DELETE", "/999999999999/triage", None, 404),
        ("DELETE", "/-1/triage", None, 422),
        ("GET", "/999999999999", None, 404),
        ("GET", "/99999999999999999999999", None, 422),
        ("GET", "/abc", None, 422),
        ("POST", "", {"ids": [], "label": "false_positive"}, 422),
        ("POST", "", {"ids": list(range(1, 502)), "label": "false_positive"}, 422),
        ("POST", "", {"ids": [2**63], "label": "false_positive"}, 422),
        ("POST", "", {"ids": [10**400], "label": "false_positive"}, 422),
        ("POST", "", {"ids": ["1"], "label": "false_positive"}, 422),
        ("POST", "", {"ids": [1.5], "label": "false_positive"}, 422),
        ("POST", "", {"ids": [1], "label": "confirmed"}, 422),
        ("POST", "", {"ids": [1]}, 422),
    ],
)
def test_bad_triage_requests_are_4xx_with_the_error_body(
    http: httpx.Client,
    accounts: Seeded,
    alerts: list[int],
    method: str,
    path: str,
    body: Any,
    status: int,
) -> None:
    base = TRIAGE if method == "POST" else PREDICTIONS
    url = base + path.replace("{id}", str(alerts[0]))
    response = http.request(method, url, json=body, headers=bearer(accounts))
    refused(response, status, "not_found" if status == 404 else "validation_error")


def test_lone_surrogates_and_invalid_json_are_422(
    http: httpx.Client, accounts: Seeded, alerts: list[int]
) -> None:
    headers = bearer(accounts) | {"Content-Type": "application/json"}
    for raw in (
        b'{"label": "false_positive", "note": "\\ud800"}',
        b'{"label": "false_positive", "note": "\xff\xfe"}',
        b'{"label": "false_positive",',
        b"",
    ):
        response = http.put(f"{PREDICTIONS}/{alerts[0]}/triage", content=raw, headers=headers)
        refused(response, 422, "validation_error")


def test_other_media_types_and_huge_bodies_are_refused(
    http: httpx.Client, accounts: Seeded, alerts: list[int]
) -> None:
    url = f"{PREDICTIONS}/{alerts[0]}/triage"
    form = http.put(url, data={"label": "false_positive"}, headers=bearer(accounts))
    refused(form, 415, "unsupported_media_type")
    huge = b'{"ids": [' + b"1," * 40_000 + b'1], "label": null}'
    response = http.post(
        TRIAGE, content=huge, headers=bearer(accounts) | {"Content-Type": "application/json"}
    )
    refused(response, 413, "payload_too_large")


@pytest.mark.parametrize("key", ["scorer", "telemetry"])
def test_labelling_needs_the_analyst_scope(
    http: httpx.Client, accounts: Seeded, alerts: list[int], key: str
) -> None:
    response = http.put(
        f"{PREDICTIONS}/{alerts[0]}/triage",
        json={"label": "false_positive"},
        headers=bearer(accounts, key),
    )
    refused(response, 403, "forbidden")
    refused(http.post(TRIAGE, json={"ids": alerts, "label": None}), 401, "unauthorized")
    refused(http.get(PRECISION, headers=bearer(accounts, key)), 403, "forbidden")
