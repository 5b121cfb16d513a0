"""Benchmark of the telemetry API on SQLite and (when reachable) PostgreSQL.

Run from the repository root:  .venv/bin/python -m bench.telemetry [--quick]
Writes bench/results/telemetry.json.

The service verifies API keys by asking a real CMS (`python -m cms` on a SQLite database
seeded by bench/accounts_seed.py: full migrate, users, a robot, keys), as deployed: the first
request with a key asks the CMS at /internal/keys/<prefix>/, the next 20 s are answered from
the service's cache (apis/common/key_directory.py).

For each database, against `python -m apis.telemetry` (uvicorn, one worker) on a free port:

1. Ingest over real HTTP with batches of 1, 100 and 1,000 readings (keep-alive clients in
   threads, durable commits, deduplication and the latest table on), against the database's
   own limit for the very same rows into the same, emptied table, one transaction per batch:
   COPY on PostgreSQL, one prepared multi-row INSERT on SQLite; in alternating rounds, so
   that the load of the (shared) machine weighs on both alike. The ratio is what the API
   costs.
2. The key check: ingest latency (one reading) with a key the service has never seen, i.e.
   asking the CMS, and with the same key again, from the cache; and the CMS's answer alone.
3. `GET last` latency with 1,000,000 stored readings (bulk-loaded: 200 robots x 5,000). It
   reads the latest table (one row per robot), so its cost does not grow with the readings.
4. `GET query` with `bucket` (1h and 1d, avg and last) over 30 days of one robot at 1 Hz
   (2,592,000 readings, bulk-loaded), 7 requests each after a warm-up.
5. Live delivery latency: 100 SSE subscribers; each reading carries its send time, and each
   subscriber notes when it arrives (same machine, same clock).

PostgreSQL: TELEMETRY_BENCH_POSTGRES_URL, else DATABASE_URL when it is PostgreSQL, else
postgres://postgres@127.0.0.1:5432/postgres; a throw-away database is created beside it.
With REDIS_URL set, the live fan-out goes through Redis as in production.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import io
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # allow `python bench/telemetry.py` as well as `-m`
    sys.path.insert(0, str(REPO_ROOT))

import httpx  # noqa: E402
import psycopg2  # noqa: E402
from sqlalchemy import delete, text  # noqa: E402

from apis.common.database import make_engine  # noqa: E402
from apis.telemetry import rollups  # noqa: E402
from apis.telemetry.migrate import MIGRATIONS  # noqa: E402
from apis.telemetry.tables import hours, latest, minutes, readings  # noqa: E402
from bench.harness import Cms, Target, check_targets, machine, start_accounts_cms  # noqa: E402
from tests.servers import Server, base_env, drop_database, start_server  # noqa: E402

RESULTS = REPO_ROOT / "bench" / "results" / "telemetry.json"
CLIENTS = 4
ROUNDS = 5
SUBSCRIBERS = 100
STORED = 1_000_000
ROBOTS = 200
CACHED_PER_KEY = 4  # requests with each probe key after its first
# Issue #20: ingest at 70 % of the database's own limit (batches of 100 and 1,000); `last`
# under 10 ms p99; live delivery under 100 ms p99.
# `query` in buckets over 30 days of one robot at 1 Hz under 100 ms.
INGEST_SHARE, LAST_P99_MS, LIVE_P99_MS, HISTORY_MS = 0.70, 10.0, 100.0, 100.0
HISTORY_DAYS = 30


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def summary(values_ms: list[float]) -> dict[str, float]:
    return {
        "samples": len(values_ms),
        "p50_ms": round(statistics.median(values_ms), 2),
        "p99_ms": round(percentile(values_ms, 99), 2),
        "max_ms": round(max(values_ms), 2),
    }


# --- set-up ----------------------------------------------------------------------------------


def postgres_url() -> str | None:
    candidates = [
        os.environ.get("TELEMETRY_BENCH_POSTGRES_URL", ""),
        os.environ.get("DATABASE_URL", ""),
        "postgres://postgres@127.0.0.1:5432/postgres",
    ]
    for url in candidates:
        if not url.startswith(("postgres://", "postgresql://")):
            continue
        parts = urlsplit(url)
        name = "croody_bench_telemetry"
        try:
            admin = psycopg2.connect(
                urlunsplit(parts._replace(path="/postgres")), connect_timeout=3
            )
        except psycopg2.OperationalError:
            continue
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
        admin.close()
        return urlunsplit(parts._replace(path=f"/{name}"))
    return None


def start(var_dir: Path, database_url: str, cms: Cms, name: str) -> Server:
    env = base_env(
        var_dir,
        **cms.service_env("telemetry"),
        TELEMETRY_DATABASE_URL=database_url,
        TELEMETRY_RATE_LIMIT="",  # measured, not limited
        TELEMETRY_LIVE_CHANNEL=f"croody-bench:{os.getpid()}:live",
        LOG_LEVEL="WARNING",
    )
    return start_server("apis.telemetry", env, var_dir / f"{name}.log", probe="/healthz")


def empty(engine: Any) -> None:
    with engine.begin() as connection:
        connection.execute(delete(readings))
        connection.execute(delete(latest))
        connection.execute(delete(minutes))
        connection.execute(delete(hours))


# --- 1. ingest -------------------------------------------------------------------------------


def make_rows(robot: str, count: int, start_ms: int) -> list[dict[str, Any]]:
    """Realistic readings: a wandering path, draining battery, a sequence number."""
    rng = random.Random(7)  # noqa: S311  (repeatable data, not secrets)
    x = y = 0.0
    heading = 0.0
    rows = []
    for i in range(count):
        heading = (heading + rng.uniform(-15, 15)) % 360
        x += rng.uniform(-0.5, 0.5)
        y += rng.uniform(-0.5, 0.5)
        rows.append(
            {
                "robot_id": robot,
                "ts": start_ms + i * 10,
                "seq": i,
                "x": round(x, 3),
                "y": round(y, 3),
                "heading": round(heading, 1) % 360,
                "speed": round(rng.uniform(0, 2), 2),
                "battery": round(100 - i * 100 / count, 2),
                "status": "moving",
            }
        )
    return rows


def post_all(base_url: str, key: str, bodies: list[bytes]) -> float:
    """POST every body with CLIENTS keep-alive connections; seconds taken."""
    host = urlsplit(base_url)
    local = threading.local()
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

    def send(body: bytes) -> None:
        connection = getattr(local, "connection", None)
        if connection is None:
            connection = local.connection = http.client.HTTPConnection(
                host.hostname, host.port, timeout=120
            )
        connection.request("POST", "/api/telemetry/ingest", body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        if response.status != 202:
            raise RuntimeError(f"ingest: HTTP {response.status} {payload[:200]!r}")

    with ThreadPoolExecutor(CLIENTS) as pool:
        started = time.perf_counter()
        list(pool.map(send, bodies))
        return time.perf_counter() - started


REFERENCE_COLUMNS = (
    "robot_id", "ts", "seq", "x", "y", "z", "heading", "speed", "battery", "status", "extra",
    "received_at",
)  # fmt: skip


def reference_insert(engine: Any, batches: list[list[dict[str, Any]]]) -> float:
    """The database's own limit for the same rows, one transaction per batch: seconds taken.

    PostgreSQL: COPY into the same table (same indexes, synchronous_commit=on). SQLite: one
    prepared multi-row INSERT per transaction (WAL, synchronous=FULL, as the service runs).
    The rows are made ready before the clock starts: only the database's work is timed.
    """
    now = int(time.time() * 1000)
    rows = [
        [tuple({**row, "z": None, "extra": None, "received_at": now}[c] for c in REFERENCE_COLUMNS)
         for row in batch]
        for batch in batches
    ]  # fmt: skip
    columns = ",".join(REFERENCE_COLUMNS)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "postgresql":
            buffers = [
                "".join(
                    "\t".join(r"\N" if v is None else str(v) for v in values) + "\n"
                    for values in batch
                )
                for batch in rows
            ]
            started = time.perf_counter()
            for buffer in buffers:
                cursor.copy_expert(
                    f"COPY telemetry_readings ({columns}) FROM STDIN", io.StringIO(buffer)
                )
                raw.commit()
        else:
            marks = "(" + ",".join("?" * len(REFERENCE_COLUMNS)) + ")"
            statements = {
                n: f"INSERT INTO telemetry_readings ({columns}) VALUES "  # noqa: S608
                + ",".join([marks] * n)
                for n in {len(batch) for batch in rows}
            }
            flat = [tuple(v for values in batch for v in values) for batch in rows]
            started = time.perf_counter()
            for batch, params in zip(rows, flat, strict=True):
                cursor.execute(statements[len(batch)], params)  # sqlite3 opens the transaction
                raw.commit()
        return time.perf_counter() - started
    finally:
        raw.close()


def ingest(server: Server, engine: Any, accounts: dict[str, Any], quick: bool) -> dict:
    robot = accounts["robots"]["ana-rover-1"]
    key = accounts["keys"]["ana1_write"]["key"]
    plan = {1: 600 if quick else 3000, 100: 60 if quick else 300, 1000: 10 if quick else 60}
    figures = {}
    for size, requests in plan.items():
        count = size * requests
        rows = make_rows(robot, count, int(time.time() * 1000) - 2 * 86_400_000)
        batches = [rows[i : i + size] for i in range(0, count, size)]
        bodies = [json.dumps(b[0] if size == 1 else b).encode() for b in batches]
        empty(engine)
        post_all(server.base_url, key, bodies[: max(1, len(bodies) // 20)])  # warm-up
        # Alternate HTTP and reference rounds on the emptied table, so that a change in the load of
        # the machine during the run weighs on both alike.
        http_seconds = ref_seconds = 0.0
        step = max(1, len(batches) // ROUNDS)
        for first in range(0, len(batches), step):
            empty(engine)
            http_seconds += post_all(server.base_url, key, bodies[first : first + step])
            with engine.connect() as connection:
                stored = connection.execute(
                    text("SELECT count(*) FROM telemetry_readings")
                ).scalar()
            expected = sum(len(batch) for batch in batches[first : first + step])
            assert stored == expected, f"{stored} stored of {expected}"
            empty(engine)
            ref_seconds += reference_insert(engine, batches[first : first + step])
        empty(engine)
        http_rate, ref_rate = count / http_seconds, count / ref_seconds
        figures[str(size)] = {
            "requests": requests,
            "readings": count,
            "http_readings_per_second": round(http_rate),
            "reference_readings_per_second": round(ref_rate),
            "share_of_reference": round(http_rate / ref_rate, 3),
        }
        print(
            f"  batch {size:>4}: {http_rate:>9.0f} readings/s over HTTP, "
            f"{ref_rate:>9.0f} database limit ({http_rate / ref_rate:.0%})"
        )
    return figures


# --- 2. the key check ------------------------------------------------------------------------


def key_check(server: Server, engine: Any, cms: Cms, quick: bool) -> dict:
    """One reading per request on one keep-alive connection: with each probe key first when
    the service has never seen it (it asks the CMS and keeps the answer in its database), then
    CACHED_PER_KEY times more (from its cache); then the CMS's introspection answer alone."""
    robot = cms.accounts["robots"]["ana-rover-1"]
    probes = cms.accounts["probe_keys"][: 20 if quick else None]
    rows = iter(
        make_rows(robot, len(probes) * (1 + CACHED_PER_KEY), int(time.time() * 1000) - 86_400_000)
    )
    host = urlsplit(server.base_url)
    connection = http.client.HTTPConnection(host.hostname, host.port, timeout=60)

    def post(key: str) -> float:
        body = json.dumps(next(rows)).encode()
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        started = time.perf_counter()
        connection.request("POST", "/api/telemetry/ingest", body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        took = (time.perf_counter() - started) * 1000
        if response.status != 202:
            raise RuntimeError(f"ingest: HTTP {response.status} {payload[:200]!r}")
        return took

    empty(engine)
    first: list[float] = []
    cached: list[float] = []
    try:
        for probe in probes:
            first.append(post(probe["key"]))
            cached.extend(post(probe["key"]) for _ in range(CACHED_PER_KEY))
    finally:
        connection.close()
    empty(engine)
    cms.introspection_ms([cms.accounts["keys"]["ana_read"]["prefix"]] * 10)  # warm-up
    introspection = cms.introspection_ms([probe["prefix"] for probe in probes])
    figures = {
        "keys": len(probes),
        "first_request_per_key": summary(first),
        "cached": summary(cached),
        "cms_introspection_alone": summary(introspection),
    }
    print(
        f"  key check: first request per key p50 {figures['first_request_per_key']['p50_ms']} ms"
        f" (p99 {figures['first_request_per_key']['p99_ms']}), cached p50"
        f" {figures['cached']['p50_ms']} ms (p99 {figures['cached']['p99_ms']}), CMS alone p50"
        f" {figures['cms_introspection_alone']['p50_ms']} ms"
    )
    return figures


# --- 3. last with a million readings ---------------------------------------------------------


def bulk_load(engine: Any, robots: list[str], per_robot: int, start_ms: int | None = None) -> float:
    """`per_robot` readings a second apart from `start_ms` (default: 20 days ago) straight into
    the tables (COPY on PostgreSQL), and the latest table."""
    started = time.perf_counter()
    start_ms = start_ms or int(time.time() * 1000) - 20 * 86_400_000
    columns = "robot_id,ts,seq,x,y,heading,speed,battery,status,received_at"
    if engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            with raw.cursor() as cursor:
                for robot in robots:
                    buffer = io.StringIO()
                    for i in range(per_robot):
                        ts = start_ms + i * 1000
                        values = (robot, ts, i, i % 97, i % 89, i % 360, 1.0, 50, "moving", ts)
                        buffer.write("\t".join(map(str, values)) + "\n")
                    buffer.seek(0)
                    cursor.copy_expert(f"COPY telemetry_readings ({columns}) FROM STDIN", buffer)
            raw.commit()
        finally:
            raw.close()
    else:
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            for robot in robots:
                cursor.executemany(
                    f"INSERT INTO telemetry_readings ({columns}) VALUES (?,?,?,?,?,?,?,?,?,?)",  # noqa: S608
                    (
                        (
                            robot,
                            start_ms + i * 1000,
                            i,
                            i % 97,
                            i % 89,
                            i % 360,
                            1.0,
                            50,
                            "moving",
                            start_ms,
                        )
                        for i in range(per_robot)
                    ),
                )
            raw.commit()
        finally:
            raw.close()
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO telemetry_latest (robot_id, reading_id, ts, seq, x, y, heading, speed,"
                " battery, status, received_at) SELECT robot_id, id, ts, seq, x, y, heading, speed,"
                " battery, status, received_at FROM telemetry_readings r WHERE ts = (SELECT max(ts)"
                " FROM telemetry_readings WHERE robot_id = r.robot_id)"
            )
        )
        connection.execute(text("ANALYZE"))
    return time.perf_counter() - started


def last_latency(server: Server, engine: Any, accounts: dict[str, Any], quick: bool) -> dict:
    robots = [f"bench-robot-{n:03d}" for n in range(ROBOTS)]
    per_robot = STORED // ROBOTS // (10 if quick else 1)
    empty(engine)
    load_seconds = bulk_load(engine, robots, per_robot)
    key = accounts["keys"]["staff_read"]["key"]  # staff read every robot
    headers = {"Authorization": f"Bearer {key}"}
    figures: dict[str, Any] = {
        "stored_readings": per_robot * ROBOTS,
        "robots": ROBOTS,
        "bulk_load_seconds": round(load_seconds, 1),
    }
    rng = random.Random(3)  # noqa: S311
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=30) as client:
        for name, params in [
            ("one_robot", lambda: {"robot": rng.choice(robots)}),
            ("all_robots", dict),
        ]:
            for _ in range(50):  # warm-up
                client.get("/api/telemetry/last", params=params())
            samples = []
            for _ in range(300 if quick else 2000):
                started = time.perf_counter()
                response = client.get("/api/telemetry/last", params=params())
                samples.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200 and response.json()["readings"]
            figures[name] = summary(samples)
            found = figures[name]
            print(f"  last ({name}): p50 {found['p50_ms']} ms, p99 {found['p99_ms']} ms")
    empty(engine)
    return figures


# --- 4. history in buckets ------------------------------------------------------------------


def history_query(server: Server, engine: Any, accounts: dict[str, Any], quick: bool) -> dict:
    """`query` with `bucket` over 30 days of one robot at 1 Hz (3 days with --quick)."""
    days = 3 if quick else HISTORY_DAYS
    end_ms = int(time.time()) * 1000
    start_ms = end_ms - days * 86_400_000
    empty(engine)
    load_seconds = bulk_load(engine, ["bench-history"], days * 86_400, start_ms)
    started = time.perf_counter()
    with engine.begin() as connection:  # what migration 0004 does over stored readings
        rollups.rebuild(connection)
    summarise_seconds = time.perf_counter() - started
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:  # fresh statistics, as autovacuum would make them
            connection.execute(
                text("ANALYZE telemetry_readings, telemetry_minutes, telemetry_hours")
            )
    key = accounts["keys"]["staff_read"]["key"]
    figures: dict[str, Any] = {
        "stored_readings": days * 86_400,
        "days": days,
        "bulk_load_seconds": round(load_seconds, 1),
        "summarise_seconds": round(summarise_seconds, 1),
    }
    with httpx.Client(
        base_url=server.base_url, headers={"Authorization": f"Bearer {key}"}, timeout=120
    ) as client:
        for bucket in ("1h", "1d"):
            for agg in ("avg", "last"):
                params = {
                    "robot": "bench-history",
                    "from": str(start_ms),
                    "to": str(end_ms),
                    "bucket": bucket,
                    "agg": agg,
                    "limit": "1000",
                }
                client.get("/api/telemetry/query", params=params)  # warm-up
                samples = []
                for _ in range(3 if quick else 7):
                    started = time.perf_counter()
                    response = client.get("/api/telemetry/query", params=params)
                    samples.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, response.text
                figures[f"{bucket}_{agg}"] = summary(samples)
                print(f"  query, {days} days in {bucket} buckets, {agg}: "
                      f"p50 {figures[f'{bucket}_{agg}']['p50_ms']} ms")  # fmt: skip
    empty(engine)
    return figures


# --- 5. live delivery ------------------------------------------------------------------------


async def live_latency(server: Server, accounts: dict[str, Any], quick: bool) -> dict:
    robot = accounts["robots"]["ana-rover-1"]
    read_key = accounts["keys"]["ana_read"]["key"]
    write_key = accounts["keys"]["ana1_write"]["key"]
    readings_to_send = 50 if quick else 200
    latencies: list[float] = []
    received = [0] * SUBSCRIBERS
    ready = asyncio.Event()
    opened = 0
    limits = httpx.Limits(max_connections=SUBSCRIBERS + 10)

    async def subscribe(client: httpx.AsyncClient, number: int) -> None:
        nonlocal opened
        headers = {"Authorization": f"Bearer {read_key}"}
        async with client.stream("GET", "/api/telemetry/live", headers=headers) as response:
            assert response.status_code == 200
            opened += 1
            if opened == SUBSCRIBERS:
                ready.set()
            async for line in response.aiter_lines():
                if line.startswith("data: "):
                    arrived = time.time_ns()
                    sent = json.loads(line[6:])["extra"]["sent_ns"]
                    latencies.append((arrived - sent) / 1e6)
                    received[number] += 1
                    if received[number] == readings_to_send:
                        return

    async with httpx.AsyncClient(base_url=server.base_url, timeout=60, limits=limits) as client:
        tasks = [asyncio.create_task(subscribe(client, n)) for n in range(SUBSCRIBERS)]
        await asyncio.wait_for(ready.wait(), 60)
        await asyncio.sleep(0.5)
        poster_headers = {"Authorization": f"Bearer {write_key}"}
        base_ms = int(time.time() * 1000) - 3_600_000
        for i in range(readings_to_send):
            body = {
                "robot_id": robot,
                "ts": base_ms + i,
                "x": 1.0,
                "y": 2.0,
                "heading": 0.0,
                "speed": 0.0,
                "battery": 50.0,
                "status": "moving",
                "extra": {"sent_ns": time.time_ns()},
            }
            response = await client.post("/api/telemetry/ingest", json=body, headers=poster_headers)
            assert response.status_code == 202
            await asyncio.sleep(0.02)  # 50 readings/s, each to 100 subscribers
        await asyncio.wait_for(asyncio.gather(*tasks), 120)
    figures = {
        "subscribers": SUBSCRIBERS,
        "readings": readings_to_send,
        "fan_out": "redis" if os.environ.get("REDIS_URL") else "in-process",
        **summary(latencies),
    }
    p50, p99 = figures["p50_ms"], figures["p99_ms"]
    print(f"  live: {len(latencies)} deliveries, p50 {p50} ms, p99 {p99} ms")
    return figures


# --- driver ----------------------------------------------------------------------------------


PARTS: dict[str, Callable[[Server, Any, Cms, bool], dict]] = {
    "ingest": lambda server, engine, cms, quick: ingest(server, engine, cms.accounts, quick),
    "key_check": key_check,
    "last": lambda server, engine, cms, quick: last_latency(server, engine, cms.accounts, quick),
    "history": lambda server, engine, cms, quick: history_query(
        server, engine, cms.accounts, quick
    ),
    "live": lambda server, engine, cms, quick: asyncio.run(
        live_latency(server, cms.accounts, quick)
    ),
}


def run_backend(
    name: str, database_url: str, var_dir: Path, cms: Cms, quick: bool, parts: list[str]
) -> dict:
    print(f"==> {name}")
    engine = make_engine(database_url)
    MIGRATIONS.upgrade(engine)
    server = start(var_dir, database_url, cms, f"telemetry-{name}")
    try:
        return {part: PARTS[part](server, engine, cms, quick) for part in parts}
    finally:
        server.stop()
        engine.dispose()


def targets(results: dict[str, Any]) -> list[Target]:
    found = []
    for backend, figures in results.items():
        for size in ("100", "1000") if "ingest" in figures else ():
            share = figures["ingest"][size]["share_of_reference"]
            found.append(
                Target(f"{backend}: ingest, batches of {size}, share of the database's limit",
                       share, INGEST_SHARE, "x", at_least=True)
            )  # fmt: skip
        if "last" in figures:
            found.append(
                Target(f"{backend}: last, one robot, p99", figures["last"]["one_robot"]["p99_ms"],
                       LAST_P99_MS, "ms")
            )  # fmt: skip
        if "live" in figures:
            found.append(
                Target(f"{backend}: live, p99", figures["live"]["p99_ms"], LIVE_P99_MS, "ms")
            )
        if "history" not in figures:
            continue
        days = figures["history"]["days"]
        for name in ("1h_avg", "1h_last", "1d_avg", "1d_last"):
            found.append(
                Target(f"{backend}: query, {days} days in buckets ({name}), p50",
                       figures["history"][name]["p50_ms"], HISTORY_MS, "ms")
            )  # fmt: skip
    return found


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a tenth of the work (smoke test)")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument(
        "--only",
        action="append",
        choices=list(PARTS),
        help="measure this part only (repeatable); the figures are printed and checked, and "
        f"{RESULTS.name} is left as it is",
    )
    args = parser.parse_args()
    parts = args.only or list(PARTS)
    with tempfile.TemporaryDirectory(prefix="croody-bench-telemetry-") as folder:
        var_dir = Path(folder)
        os.environ["CROODY_VAR_DIR"] = str(var_dir)
        print("==> CMS (full migrate; users, a robot, keys) served by python -m cms")
        cms = start_accounts_cms(var_dir)
        print(f"  seeded in {cms.seed_seconds:.0f} s, answering at {cms.server.base_url}")
        try:
            results = {
                "sqlite": run_backend(
                    "sqlite",
                    f"sqlite:///{var_dir / 'telemetry.sqlite3'}",
                    var_dir,
                    cms,
                    args.quick,
                    parts,
                )
            }
            pg = None if args.no_postgres else postgres_url()
            if pg:
                try:
                    results["postgresql"] = run_backend(
                        "postgresql", pg, var_dir, cms, args.quick, parts
                    )
                finally:
                    drop_database(pg)
            else:
                print("==> postgresql: not reachable, skipped")
        finally:
            cms.stop()
    report = {
        "benchmark": "telemetry",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "quick": args.quick,
        "machine": machine(),
        "setup": {
            "server": "python -m apis.telemetry (uvicorn, 1 worker), same machine as the clients",
            "ingest_clients": f"{CLIENTS} threads, keep-alive http.client",
            "durability": "SQLite WAL synchronous=FULL; PostgreSQL synchronous_commit=on",
            "reference": (
                "the database's own limit, one transaction per batch: COPY on PostgreSQL, one"
                " prepared multi-row INSERT on SQLite; rows made ready before the clock starts"
            ),
            "key_check": (
                "keys verified by asking python -m cms (dev settings, SQLite, 1 worker) at"
                " /internal/keys/<prefix>/, cached 20 s by the service; key_check: one reading"
                f" per request on one connection, each probe key once uncached then"
                f" {CACHED_PER_KEY} times cached"
            ),
        },
        "results": results,
    }
    report["targets"], status = check_targets(targets(results))
    if args.only:
        print(f"==> --only: {RESULTS.relative_to(REPO_ROOT)} left as it was")
        return status
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"==> {RESULTS.relative_to(REPO_ROOT)}")
    return status


if __name__ == "__main__":
    sys.exit(main())
