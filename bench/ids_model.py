"""In-process benchmark of the IDS model: load time, artifact size, latency, throughput.

Run from the repository root:  .venv/bin/python -m bench.ids_model [--model-dir DIR]
Writes bench/results/ids_model.json. Records come from the NSL-KDD training file
shipped in apis/ids/data/ (apis.ids.records.DEFAULT_DATASET); should it be absent,
they are synthesised from the model's feature schema; the JSON says which.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # allow `python bench/ids_model.py` as well as `-m`
    sys.path.insert(0, str(REPO_ROOT))

from apis.ids.artifact import DEFAULT_MODEL_DIR  # noqa: E402
from apis.ids.features import (  # noqa: E402
    CATEGORICAL_FEATURES,
    FEATURE_KINDS,
    FEATURE_NAMES,
    NUMERIC_FEATURES,
    FeatureKind,
)
from apis.ids.records import DEFAULT_DATASET  # noqa: E402
from apis.ids.scoring import IdsModel  # noqa: E402

DATASET = DEFAULT_DATASET
RESULTS = REPO_ROOT / "bench" / "results" / "ids_model.json"
BATCH = 10_000


def _records_from_dataset(path: Path, n: int) -> list[dict[str, Any]]:
    from apis.ids.ml.dataset import load_nsl_kdd

    X = load_nsl_kdd(path).X[:n].tolist()
    # JSON would deliver integers for the integer features: mimic that.
    records = []
    for row in X:
        record = dict(zip(FEATURE_NAMES, row, strict=True))
        for name, kind in FEATURE_KINDS.items():
            if kind in (FeatureKind.COUNT, FeatureKind.BINARY):
                record[name] = int(record[name])
        records.append(record)
    return records


def _synthetic_records(model: IdsModel, n: int) -> list[dict[str, Any]]:
    rng = random.Random(0)  # noqa: S311 -- reproducible benchmark rows, not secrets
    schema = {f["name"]: f for f in model.metadata["feature_schema"]["features"]}
    records = []
    for _ in range(n):
        record: dict[str, Any] = {}
        for name, kind in FEATURE_KINDS.items():
            spec = schema[name]
            if kind is FeatureKind.CATEGORICAL:
                record[name] = rng.choice(spec["vocabulary"])
            elif kind is FeatureKind.RATE:
                record[name] = round(rng.random(), 2)
            elif kind is FeatureKind.BINARY:
                record[name] = rng.randint(0, 1)
            else:
                record[name] = rng.randint(0, int(min(spec["training_range"][1], 1000)))
        records.append(record)
    return records


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def _throughput(rows: int, seconds: list[float]) -> dict[str, float]:
    median, best = statistics.median(seconds), min(seconds)
    return {
        "seconds_median": median,
        "seconds_best": best,
        "rows_per_second_median": rows / median,
        "rows_per_second_best": rows / best,
    }


def run(model_dir: Path, single_runs: int, batch_runs: int) -> dict[str, Any]:
    loads = []
    for _ in range(5):
        started = time.perf_counter()
        model = IdsModel.load(model_dir)
        loads.append(time.perf_counter() - started)

    if DATASET.is_file():
        records, source = _records_from_dataset(DATASET, BATCH), "NSL-KDD KDDTrain+_20Percent rows"
    else:
        records, source = _synthetic_records(model, BATCH), "synthetic rows from the feature schema"

    model.score(records[:100])  # warm-up
    single = []
    for i in range(single_runs):
        record = [records[i % len(records)]]
        started = time.perf_counter()
        model.score(record)
        single.append(time.perf_counter() - started)

    def batch_seconds(fn: Any) -> list[float]:
        times = []
        for _ in range(batch_runs):
            started = time.perf_counter()
            fn(records)
            times.append(time.perf_counter() - started)
        return times

    per_record = batch_seconds(model.score)
    columnar = batch_seconds(model.score_batch)
    categorical = [[r[name] for r in records] for name in CATEGORICAL_FEATURES]
    numeric = np.array([[r[name] for name in NUMERIC_FEATURES] for r in records], dtype=np.float64)
    arrays = batch_seconds(lambda _: model.score_columns(categorical, numeric))
    artifact = model_dir / model.metadata["artifact"]["file"]
    return {
        "model_version": model.version,
        "model": model.metadata["model"]["candidate"],
        "fast_path": model.uses_fast_path,
        "artifact_bytes": artifact.stat().st_size,
        "load_seconds_median": statistics.median(loads),
        "single_record_ms": {
            "runs": single_runs,
            "p50": _percentile(single, 50) * 1e3,
            "p99": _percentile(single, 99) * 1e3,
        },
        "batch": {
            "rows": len(records),
            "runs": batch_runs,
            # The shared VM is noisy: the median is the figure to quote, best-of
            # shows what the code does when nothing else competes for the CPU.
            "score": _throughput(len(records), per_record),
            "score_batch": _throughput(len(records), columnar),
            "score_columns": _throughput(len(records), arrays),
        },
        "records": source,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average_1m": os.getloadavg()[0],
        },
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ids_model", description=__doc__)
    parser.add_argument("--model-dir", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--single-runs", type=int, default=2000)
    parser.add_argument("--batch-runs", type=int, default=30)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    results = run(args.model_dir, args.single_runs, args.batch_runs)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
