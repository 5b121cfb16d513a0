"""IDS API benchmark: predict latency and batch throughput, over HTTP and in process.

Run from the repository root:  .venv/bin/python -m bench.ids_api [--database-url URL]
Writes bench/results/ids_api.json.

- in process: apis.ids.service.predict (validate the JSON body, score, store every row,
  build the JSON answer) on a fresh SQLite database, i.e. everything but HTTP;
- over HTTP: a real `python -m apis.ids` (uvicorn, one worker) on loopback, one keep-alive
  connection, authenticated by a staff session cookie and rate limited as in production
  (with a limit high enough not to trigger). Every request stores its rows, as in service.
  Single records are sent with an API key as well: the service verifies it by asking a real
  CMS (`python -m cms` on a database seeded by bench/accounts_seed.py) once, then from its
  20 s cache; first requests with keys it has never seen (20 of them) are reported apart.

Also in process: the batch with a shadow version scoring beside the active one (the model
registry's shadow mode), and one record's explanation (the per-tree contributions the
prediction detail computes on request; predict itself never computes them).

Targets (issue #19; exit status 1 when one is missed): one record over HTTP p99 under
10 ms, and at least 50,000 rows/s for batches of 10,000 over HTTP (median of the runs).
Run it on a quiet machine: on 2 cores, anything else running halves the figures.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # allow `python bench/ids_api.py` as well as `-m`
    sys.path.insert(0, str(REPO_ROOT))

from apis.common.database import make_engine  # noqa: E402
from apis.ids import migrate  # noqa: E402
from apis.ids.artifact import DEFAULT_MODEL_DIR  # noqa: E402
from apis.ids.attribution import attribute  # noqa: E402
from apis.ids.records import read_records  # noqa: E402
from apis.ids.scoring import IdsModel, gc_paused  # noqa: E402
from apis.ids.service import parse_records, predict  # noqa: E402
from apis.ids.store import insert_predictions  # noqa: E402
from bench.harness import Target, check_targets, machine, start_accounts_cms  # noqa: E402
from bench.ids_model import DATASET, _percentile, _synthetic_records, _throughput  # noqa: E402
from croody_core import session as api_session  # noqa: E402
from tests.servers import base_env, start_server  # noqa: E402

RESULTS = REPO_ROOT / "bench" / "results" / "ids_api.json"
BATCH = 10_000
SINGLE_P99_MS = 10.0
BATCH_ROWS_PER_SECOND = 50_000


def _latency(samples: list[float]) -> dict[str, float]:
    return {
        "runs": len(samples),
        "p50": _percentile(samples, 50) * 1e3,
        "p99": _percentile(samples, 99) * 1e3,
        "mean": statistics.fmean(samples) * 1e3,
    }


def _timed(fn: Callable[[], Any], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


class Http:
    """One keep-alive connection, like a client library would hold."""

    def __init__(self, base_url: str, credentials: dict[str, str]) -> None:
        host, port = base_url.removeprefix("http://").split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=120)
        self.headers = {"Content-Type": "application/json", **credentials}

    def post(self, body: bytes, credentials: dict[str, str] | None = None) -> bytes:
        headers = {**self.headers, **(credentials or {})}
        self.connection.request("POST", "/api/ids/predict", body=body, headers=headers)
        response = self.connection.getresponse()
        content = response.read()
        if response.status != 200:
            raise RuntimeError(f"predict answered {response.status}: {content[:300]!r}")
        return content


def _load_seconds(model_dir: Path) -> float:
    started = time.perf_counter()
    IdsModel.load(model_dir)
    return time.perf_counter() - started


def run(model_dir: Path, database_url: str | None, single_runs: int, batch_runs: int) -> dict:
    loads = [_load_seconds(model_dir) for _ in range(5)]
    model = IdsModel.load(model_dir)
    if DATASET.is_file():
        records = [item.record for item in read_records(DATASET, limit=BATCH)]
        source = "NSL-KDD KDDTrain+_20Percent rows"
    else:
        records, source = _synthetic_records(model, BATCH), "synthetic rows from the schema"
    singles = [json.dumps(record).encode() for record in records[:single_runs]]
    batch_body = json.dumps({"records": records}).encode()

    with tempfile.TemporaryDirectory(prefix="ids-bench-") as tmp:
        var = Path(tmp)
        url = database_url or f"sqlite:///{var / 'ids-inprocess.sqlite3'}"
        engine = make_engine(url)
        migrate.upgrade(engine)

        # -- in process --
        for body in singles[:100]:  # warm-up
            predict(model, engine, body, source="bench")
        it = iter(singles * 2)
        single_inproc = _timed(
            lambda: predict(model, engine, next(it), source="bench"), len(singles)
        )
        batch_inproc = _timed(
            lambda: predict(model, engine, batch_body, source="bench"), batch_runs
        )
        # The same batch with a shadow version scoring and storing beside the active one.
        batch_shadow = _timed(
            lambda: predict(model, engine, batch_body, source="bench", shadow=model), batch_runs
        )
        # An explanation (per-tree path contributions) is computed for one prediction's
        # detail on request, never in predict: its cost per record.
        it_records = iter(records * 2)
        explain = _timed(lambda: attribute(model, next(it_records)), len(singles))
        # Where a batch's time goes (the same calls predict makes, under the same GC pause).
        with gc_paused(BATCH):
            rows = parse_records(batch_body)
            scores = model.score_batch([r.__dict__ for r in rows])
            phases = {
                "validate_json": _timed(lambda: parse_records(batch_body), 5),
                "score": _timed(lambda: model.score_batch([r.__dict__ for r in rows]), 5),
                "store": _timed(
                    lambda: insert_predictions(
                        engine, rows, scores, source="bench", model_version="b"
                    ),
                    5,
                ),
            }
        engine.dispose()

        # -- over HTTP --
        cms = start_accounts_cms(var)  # what the service asks about keys
        server_db = database_url or f"sqlite:///{var / 'ids-http.sqlite3'}"
        env = base_env(
            var,
            **cms.service_env("ids"),
            IDS_DATABASE_URL=server_db,
            IDS_MODEL_DIR=str(model_dir),
            IDS_RATE_LIMIT="1000000/minute",
            LOG_LEVEL="WARNING",
        )
        try:
            server = start_server("apis.ids", env, var / "server.log", probe="/api/ids/healthz")
        except BaseException:
            cms.stop()
            raise
        try:
            # The token the CMS mints for a signed-in staff member (this run's secret).
            cookie = api_session.issue_token(
                user_id=cms.accounts["users"]["sam"],
                is_staff=True,
                groups=(),
                secret=cms.session_secret,
                ttl=3600,
            )
            client = Http(server.base_url, {"Cookie": f"{api_session.COOKIE_NAME}={cookie}"})
            for body in singles[:100]:
                client.post(body)
            it = iter(singles * 2)
            single_http = _timed(lambda: client.post(next(it)), len(singles))
            client.post(batch_body)  # warm-up
            batch_http = _timed(lambda: client.post(batch_body), batch_runs)
            client.connection.close()

            key = cms.accounts["keys"]["staff_ids"]["key"]
            keyed = Http(server.base_url, {"Authorization": f"Bearer {key}"})
            for body in singles[:100]:  # the CMS asked once, then the cache
                keyed.post(body)
            it = iter(singles * 2)
            single_key = _timed(lambda: keyed.post(next(it)), len(singles))
            # Keys the service has never seen: each first request asks the CMS.
            probes = iter(cms.accounts["ids_probe_keys"])
            first_with_key = _timed(
                lambda: keyed.post(singles[0], {"Authorization": f"Bearer {next(probes)['key']}"}),
                len(cms.accounts["ids_probe_keys"]),
            )
            keyed.connection.close()
        finally:
            server.stop()
            cms.stop()

    return {
        "model_version": model.version,
        "artifact_bytes": (model_dir / model.metadata["artifact"]["file"]).stat().st_size,
        "model_load_seconds_median": statistics.median(loads),
        "single_record_ms": {
            "http": _latency(single_http),
            "http_api_key": _latency(single_key),
            "http_api_key_first_request_per_key": _latency(first_with_key),
            "in_process": _latency(single_inproc),
        },
        "explanation_ms_per_record_in_process": _latency(explain),
        "batch_10000": {
            "http": _throughput(BATCH, batch_http),
            "in_process": _throughput(BATCH, batch_inproc),
            "in_process_with_shadow_model": _throughput(BATCH, batch_shadow),
            "in_process_phases_seconds_median": {
                name: statistics.median(times) for name, times in phases.items()
            },
            "request_body_bytes": len(batch_body),
        },
        "database": "PostgreSQL" if database_url else "SQLite (WAL), fresh file",
        "records": source,
        "server": "python -m apis.ids: uvicorn, 1 worker, loopback, keep-alive connection",
        "credentials": (
            "http: staff session cookie (checked in the service); http_api_key: an ids:score"
            " key, verified by asking python -m cms (SQLite) at /internal/keys/<prefix>/ on its"
            " first request, then from the service's 20 s cache;"
            " http_api_key_first_request_per_key: keys never seen, one request each"
        ),
        "machine": machine(),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ids_api", description=__doc__)
    parser.add_argument("--model-dir", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--single-runs", type=int, default=2000)
    parser.add_argument("--batch-runs", type=int, default=10)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    results = run(args.model_dir, args.database_url, args.single_runs, args.batch_runs)
    print(json.dumps(results, indent=2))
    results["targets"], status = check_targets(
        [
            Target(
                "single record over HTTP, p99",
                results["single_record_ms"]["http"]["p99"],
                SINGLE_P99_MS,
                "ms",
            ),
            Target(
                "batch of 10,000 over HTTP",
                results["batch_10000"]["http"]["rows_per_second_median"],
                BATCH_ROWS_PER_SECOND,
                "rows/s",
                at_least=True,
            ),
        ]
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
