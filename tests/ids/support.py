"""Shared by the IDS tests: where the data set lives, and example records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from apis.ids.artifact import DEFAULT_MODEL_DIR, read_metadata
from apis.ids.features import FEATURE_NAMES
from apis.ids.records import DEFAULT_DATASET

REPO_ROOT = Path(__file__).resolve().parents[2]
# The NSL-KDD training file shipped in the repository (gzip; apis/ids/data/README.md).
DATASET = DEFAULT_DATASET
# The version of the committed model, which a fresh service serves.
SHIPPED_VERSION: str = read_metadata(DEFAULT_MODEL_DIR)["version"]

# Row 1 of KDDTrain+_20Percent: a normal ftp_data transfer.
_ROW_1 = (
    "0,tcp,ftp_data,SF,491,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,2,2,0.00,0.00,0.00,0.00,1.00,0.00,"
    "0.00,150,25,0.17,0.03,0.17,0.00,0.00,0.00,0.05,0.00"
)
# Row 3: a neptune SYN flood (S0 flag, serror rates 1.0).
_ROW_3 = (
    "0,tcp,private,S0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,123,6,1.00,1.00,0.00,0.00,0.05,0.07,"
    "0.00,255,26,0.10,0.05,0.00,0.00,1.00,1.00,0.00,0.00"
)


def _parse(row: str) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for name, text in zip(FEATURE_NAMES, row.split(","), strict=True):
        if name in ("protocol_type", "service", "flag"):
            record[name] = text
        elif "." in text:
            record[name] = float(text)
        else:
            record[name] = int(text)
    return record


def normal_record() -> dict[str, Any]:
    return _parse(_ROW_1)


def neptune_record() -> dict[str, Any]:
    return _parse(_ROW_3)


def dataset_records(label: str, count: int) -> list[dict[str, Any]]:
    """The first `count` rows of the shipped training file with this label, as API records."""
    import gzip

    found: list[dict[str, Any]] = []
    with gzip.open(DATASET, "rt") as fh:
        for line in fh:
            fields = line.rstrip("\n").split(",")
            if fields[41] == label:
                found.append(_parse(",".join(fields[:41])))
                if len(found) == count:
                    break
    return found


def subsample(path: Path, every: int = 5) -> Path:
    """Every `every`-th row of the shipped training file, for a quick training run."""
    import gzip

    with gzip.open(DATASET, "rt") as fh:
        path.write_text("".join(line for i, line in enumerate(fh, 1) if i % every == 0))
    return path
