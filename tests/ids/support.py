"""Shared by the IDS tests: where the data set lives, and example records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from apis.ids.features import FEATURE_NAMES
from apis.ids.records import DEFAULT_DATASET

REPO_ROOT = Path(__file__).resolve().parents[2]
# The NSL-KDD training file shipped in the repository (gzip; apis/ids/data/README.md).
DATASET = DEFAULT_DATASET

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
