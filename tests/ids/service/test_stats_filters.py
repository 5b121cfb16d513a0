"""Statistics follow every filter of the predictions list, their range follows the data or the
chosen window, and the list pages both ways with the number of matches."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from apis.ids import store
from apis.ids.scoring import IdsModel
from tests.servers import Server

from ..support import SHIPPED_VERSION, neptune_record, normal_record
from .conftest import Seeded

T0 = int(datetime(2026, 11, 28, 10, 0, tzinfo=UTC).timestamp() * 1000)
MINUTE = 60_000


def put(engine: Engine, model: IdsModel, records: list[dict[str, Any]], **kw: Any) -> list[int]:
    return store.insert_predictions(
        engine,
        records,
        model.score_batch(records),
        source=kw.get("source", "key:normal00"),
        model_version=kw.get("version", "1.0.0"),
        created_ms=kw.get("at", T0),
    )


@pytest.fixture()
def traffic(ids_engine: Engine, model: IdsModel) -> dict[str, list[int]]:
    """An hour of traffic: normal and attacks from two keys, an unknown flag, an old model,
    and some triage labels."""
    made: dict[str, list[int]] = {"normal": [], "attack": [], "unknown": [], "old": []}
    for minute in range(0, 60, 5):
        at = T0 + minute * MINUTE
        made["normal"] += put(ids_engine, model, [normal_record()] * 3, at=at)
        made["attack"] += put(ids_engine, model, [neptune_record()], source="key:attack00", at=at)
    made["unknown"] += put(
        ids_engine, model, [normal_record() | {"flag": "QQ"}], source="user:7", at=T0 + MINUTE
    )
    made["old"] += put(ids_engine, model, [neptune_record()] * 2, version="0.9.0", at=T0 + 2)
    store.set_triage(ids_engine, made["attack"][:4], "confirmed_attack", user_id=1, by="user:1")
    store.set_triage(ids_engine, made["old"], "false_positive", user_id=1, by="user:1")
    return made


FILTERS: list[dict[str, Any]] = [
    {},
    {"verdict": "attack"},
    {"verdict": "normal"},
    {"category": "DoS"},
    {"min_score": 0.5},
    {"max_score": 0.5},
    {"min_score": 0.01, "max_score": 0.99},
    {"source": "key:attack00"},
    {"model_version": "0.9.0"},
    {"unknown_only": True},
    {"label": "confirmed_attack"},
    {"label": "false_positive"},
    {"label": "labelled"},
    {"label": "unlabelled"},
    {"label": "unlabelled", "verdict": "attack"},
    {"since_ms": T0 + 20 * MINUTE, "until_ms": T0 + 40 * MINUTE},
    {"since_ms": T0 + 20 * MINUTE, "verdict": "attack"},
    {"until_ms": T0 + 20 * MINUTE, "source": "key:normal00"},
]


@pytest.mark.parametrize("where", FILTERS, ids=lambda f: ",".join(map(str, f.items())) or "none")
def test_every_counter_follows_every_filter(
    ids_engine: Engine, traffic: dict[str, list[int]], where: dict[str, Any]
) -> None:
    condition = store.PredictionFilter(**where)
    matching = list(store.iter_predictions(ids_engine, condition))
    result, _bucket = store.range_stats(ids_engine, condition)
    assert result.total == len(matching) == store.count_predictions(ids_engine, condition)
    verdicts = {v: sum(p.verdict == v for p in matching) for v in store.VERDICTS}
    assert {v: sum(b.verdicts[v] for b in result.buckets) for v in store.VERDICTS} == verdicts
    assert sum(b.categories["DoS"] for b in result.buckets) == sum(
        p.category == "DoS" for p in matching
    )
    sources: dict[str, int] = {}
    for p in matching:
        sources[p.source] = sources.get(p.source, 0) + 1
    assert {s.source: s.total for s in result.top_sources} == sources
    versions: dict[str, int] = {}
    for p in matching:
        versions[p.model_version] = versions.get(p.model_version, 0) + 1
    assert result.model_versions == versions
    labels: dict[str, int] = {}
    for name in store.LABELS:
        labels[name] = sum(p.triage is not None and p.triage.label == name for p in matching)
    labels[store.UNLABELLED] = sum(p.triage is None for p in matching)
    assert result.labels == labels


def test_the_range_follows_the_data_or_the_window(
    ids_engine: Engine, traffic: dict[str, list[int]]
) -> None:
    # Nothing chosen: from the first match to just after the last one.
    result, bucket = store.range_stats(ids_engine)
    assert (result.since_ms, result.until_ms) == (T0, T0 + 55 * MINUTE + 1)
    assert (result.since_from, result.until_from) == ("data", "data")
    assert bucket == "1m" and result.buckets[0].start_ms == T0
    # A filter narrows the data, and so the range.
    result, _ = store.range_stats(ids_engine, store.PredictionFilter(model_version="0.9.0"))
    assert (result.since_ms, result.until_ms) == (T0 + 2, T0 + 3)
    # A chosen end is kept; the other still follows the data.
    since = T0 + 30 * MINUTE
    result, _ = store.range_stats(ids_engine, store.PredictionFilter(since_ms=since))
    assert (result.since_ms, result.until_ms) == (since, T0 + 55 * MINUTE + 1)
    assert (result.since_from, result.until_from) == ("window", "data")
    until = T0 + 90 * MINUTE
    result, _ = store.range_stats(ids_engine, store.PredictionFilter(until_ms=until))
    assert (result.since_ms, result.until_ms) == (T0, until)
    assert (result.since_from, result.until_from) == ("data", "window")
    # Nothing matches: the day before now.
    result, bucket = store.range_stats(ids_engine, store.PredictionFilter(source="key:nobody00"))
    assert (result.since_from, result.until_from) == ("default", "default")
    assert result.until_ms - result.since_ms == 86_400_000 and bucket == "15m"
    assert result.total == 0 and result.labels[store.UNLABELLED] == 0


def test_years_of_data_get_week_or_month_buckets(ids_engine: Engine, model: IdsModel) -> None:
    put(ids_engine, model, [normal_record()], at=T0)
    put(ids_engine, model, [normal_record()], at=T0 - 400 * 86_400_000)
    _, bucket = store.range_stats(ids_engine)
    assert bucket == "7d"  # 400 days in at most 120 bars
    put(ids_engine, model, [normal_record()], at=T0 - 10 * 365 * 86_400_000)
    result, bucket = store.range_stats(ids_engine)
    assert bucket == "30d" and result.total == 3


# -- pages both ways -------------------------------------------------------------------------


def walk(engine: Engine, where: store.PredictionFilter, limit: int) -> list[store.Page]:
    pages, cursor = [], None
    while True:
        page = store.list_predictions(engine, where, limit=limit, cursor=cursor, count=True)
        pages.append(page)
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


@pytest.mark.parametrize("where", [{}, {"verdict": "attack"}, {"label": "unlabelled"}])
def test_pages_go_back_the_way_they_came(
    ids_engine: Engine, traffic: dict[str, list[int]], where: dict[str, Any]
) -> None:
    condition = store.PredictionFilter(**where)
    pages = walk(ids_engine, condition, limit=4)
    total = store.count_predictions(ids_engine, condition)
    assert len(pages) > 2 and {p.total for p in pages} == {total}
    assert sum(len(p.items) for p in pages) == total
    assert pages[0].prev_cursor is None
    assert all(p.prev_cursor for p in pages[1:])
    # From the last page back to the first, with prev_cursor only.
    back = [pages[-1]]
    while back[-1].prev_cursor is not None:
        back.append(
            store.list_predictions(ids_engine, condition, limit=4, cursor=back[-1].prev_cursor)
        )
    assert len(back) == len(pages)
    seen_back = [p.id for page in reversed(back) for p in page.items]
    assert seen_back == [p.id for page in pages for p in page.items]
    # A page reached backwards offers the way forward again.
    assert back[1].next_cursor is not None
    again = store.list_predictions(ids_engine, condition, limit=4, cursor=back[1].next_cursor)
    assert [p.id for p in again.items] == [p.id for p in back[0].items][: len(again.items)]


def test_a_cursor_past_either_end(ids_engine: Engine, traffic: dict[str, list[int]]) -> None:
    everything = store.PredictionFilter()
    newest = max(i for ids in traffic.values() for i in ids)
    oldest = min(i for ids in traffic.values() for i in ids)
    # Newer than everything: an empty page that leads back to the newest predictions.
    past_top = store.list_predictions(
        ids_engine, everything, limit=3, cursor=store.encode_cursor(newest, newer=True)
    )
    assert past_top.items == [] and past_top.prev_cursor is None
    top = store.list_predictions(ids_engine, everything, limit=3, cursor=past_top.next_cursor)
    assert top.items[0].id == newest
    # Older than everything: an empty page whose prev_cursor shows the oldest ones.
    past_bottom = store.list_predictions(
        ids_engine, everything, limit=3, cursor=store.encode_cursor(oldest)
    )
    assert past_bottom.items == [] and past_bottom.next_cursor is None
    bottom = store.list_predictions(ids_engine, everything, limit=3, cursor=past_bottom.prev_cursor)
    assert bottom.items[-1].id == oldest and bottom.next_cursor is None


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        _b64("p1:012"),  # leading zero: another spelling of p1:12
        _b64("n1:+12"),
        _b64("p1:\u0661\u0662"),  # Arabic-Indic digits, which int() would accept
        _b64("n1:9223372036854775808"),  # past the largest id
        _b64("n2:12"),
        _b64("n1:"),
        store.encode_cursor(12) + "=",  # padded
        store.encode_cursor(12, newer=True) + "\x00",
    ],
)
def test_only_the_cursors_this_api_issues_are_accepted(cursor: str) -> None:
    with pytest.raises(store.InvalidCursor):
        store.decode_cursor(cursor)


# -- over HTTP -------------------------------------------------------------------------------

PREDICT, PREDICTIONS, STATS = "/api/ids/predict", "/api/ids/predictions", "/api/ids/stats"


@pytest.fixture(scope="module")
def http(ids_api: Server, accounts: Seeded) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {accounts.key('analyst')}"}
    with httpx.Client(base_url=ids_api.base_url, headers=headers, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def sent(http: httpx.Client, accounts: Seeded) -> dict[str, Any]:
    """Records from the "both" key after a known moment, two of them labelled."""
    since = (datetime.now(UTC) - timedelta(milliseconds=5)).isoformat()
    records = [normal_record()] * 5 + [neptune_record()] * 4 + [normal_record() | {"flag": "QQ"}]
    response = http.post(
        PREDICT,
        json={"records": records},
        headers={"Authorization": f"Bearer {accounts.key('both')}"},
    )
    assert response.status_code == 200, response.text
    ids = [p["id"] for p in response.json()["predictions"]]
    labelled = http.post("/api/ids/triage", json={"ids": ids[5:7], "label": "confirmed_attack"})
    assert labelled.status_code == 200, labelled.text
    return {"since": since, "source": accounts.source("both"), "ids": ids}


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"verdict": "attack"},
        {"category": "normal"},
        {"min_score": 0.5},
        {"max_score": 0.5},
        {"model_version": SHIPPED_VERSION},
        {"unknown": "true"},
        {"label": "confirmed_attack"},
        {"label": "unlabelled", "verdict": "attack"},
    ],
    ids=lambda p: ",".join(f"{k}={v}" for k, v in p.items()) or "none",
)
def test_stats_and_the_list_count_the_same_predictions(
    http: httpx.Client, sent: dict[str, Any], params: dict[str, str]
) -> None:
    mine = {"source": sent["source"], "since": sent["since"]} | params
    page = http.get(PREDICTIONS, params=mine | {"limit": 1000}).json()
    stats = http.get(STATS, params=mine).json()
    assert stats["total"] == page["total"] == len(page["items"])
    assert sum(b["total"] for b in stats["buckets"]) == page["total"]
    attacks = sum(item["verdict"] == "attack" for item in page["items"])
    assert stats["verdicts"]["attack"] == attacks
    assert stats["labels"]["confirmed_attack"] == sum(
        (item["triage"] or {}).get("label") == "confirmed_attack" for item in page["items"]
    )
    assert stats["range_from"] == {"since": "window", "until": "data"}
    if page["total"]:
        assert [s["source"] for s in stats["top_sources"]] == [sent["source"]]


def test_paging_both_ways_over_http(http: httpx.Client, sent: dict[str, Any]) -> None:
    mine = {"source": sent["source"], "since": sent["since"], "limit": 3}
    first = http.get(PREDICTIONS, params=mine).json()
    assert first["total"] == 10 and first["prev_cursor"] is None
    second = http.get(PREDICTIONS, params=mine | {"cursor": first["next_cursor"]}).json()
    assert second["total"] == 10 and second["prev_cursor"]
    back = http.get(PREDICTIONS, params=mine | {"cursor": second["prev_cursor"]}).json()
    assert [i["id"] for i in back["items"]] == [i["id"] for i in first["items"]]
    assert back["prev_cursor"] is None and back["next_cursor"] == first["next_cursor"]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        (STATS, {"min_score": 0.9, "max_score": 0.1}),
        (PREDICTIONS, {"min_score": 0.9, "max_score": 0.1}),
        (STATS, {"max_score": 1.5}),
        (PREDICTIONS, {"max_score": "nan"}),
        (STATS, {"label": "maybe"}),
        (PREDICTIONS, {"label": "Confirmed_Attack"}),
        (STATS, {"verdict": "maybe"}),
        (STATS, {"bucket": "2d"}),
        (STATS, {"model_version": "1\x00"}),
        (STATS, {"since": "1970-01-01T00:00:00Z", "until": "2099-12-31T00:00:00Z"}),
        (PREDICTIONS, {"cursor": _b64("p1:0012")}),
    ],
)
def test_bad_filters_are_422(http: httpx.Client, path: str, params: dict[str, Any]) -> None:
    response = http.get(path, params=params)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "validation_error" and body["message"]


def test_week_buckets_can_be_asked_for(http: httpx.Client) -> None:
    response = http.get(
        STATS,
        params={"since": "2025-01-01T00:00:00Z", "until": "2026-01-01T00:00:00Z", "bucket": "7d"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["bucket_seconds"] == 7 * 86400
