"""Reading an NSL-KDD file into the model's input matrix and labels.

No pandas: rows become a 2-D ``object`` array in FEATURE_NAMES order (strings for
the categorical columns, floats for the numeric ones), the same layout the scorer
builds from request records, so training and serving share one input contract.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from apis.ids.features import (
    CATEGORICAL_FEATURES,
    FEATURE_NAMES,
    N_FEATURES,
    NUMERIC_FEATURES,
    category_of,
)

# Column positions inside FEATURE_NAMES (and so inside the input matrix).
CATEGORICAL_INDEX: tuple[int, ...] = tuple(FEATURE_NAMES.index(n) for n in CATEGORICAL_FEATURES)
NUMERIC_INDEX: tuple[int, ...] = tuple(FEATURE_NAMES.index(n) for n in NUMERIC_FEATURES)

# 41 features, then label, then difficulty (read and dropped).
_N_COLUMNS = N_FEATURES + 2


class DatasetError(ValueError):
    """The training file is missing or not in the NSL-KDD layout."""


@dataclass(frozen=True, slots=True)
class Dataset:
    X: np.ndarray  # (n, 41) object array, FEATURE_NAMES order
    labels: np.ndarray  # (n,) attack name or "normal"
    categories: np.ndarray  # (n,) one of CLASSES
    name: str
    sha256: str

    def __len__(self) -> int:
        return len(self.labels)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def assemble_matrix(categorical: list, numeric: np.ndarray) -> np.ndarray:
    """Interleave categorical strings and float columns into the (n, 41) input."""
    n = numeric.shape[0]
    X = np.empty((n, N_FEATURES), dtype=object)
    if n:
        X[:, CATEGORICAL_INDEX] = np.asarray(categorical, dtype=object).reshape(n, -1)
        X[:, NUMERIC_INDEX] = numeric
    return X


def load_nsl_kdd(path: str | Path) -> Dataset:
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"NSL-KDD file not found: {path}")
    categorical: list[list[str]] = []
    numeric: list[list[str]] = []
    labels: list[str] = []
    with path.open(newline="") as fh:
        for line_no, row in enumerate(csv.reader(fh), start=1):
            if not row:
                continue
            if len(row) != _N_COLUMNS:
                raise DatasetError(
                    f"{path.name}:{line_no}: expected {_N_COLUMNS} columns "
                    f"(41 features, label, difficulty), got {len(row)}"
                )
            categorical.append([row[i] for i in CATEGORICAL_INDEX])
            numeric.append([row[i] for i in NUMERIC_INDEX])
            labels.append(row[N_FEATURES])
            # row[N_FEATURES + 1] is the difficulty score: intentionally discarded.
    if not labels:
        raise DatasetError(f"{path} holds no rows")
    try:
        numeric_arr = np.asarray(numeric, dtype=np.float64)
    except ValueError as exc:
        raise DatasetError(f"{path.name}: non-numeric value in a numeric column: {exc}") from None
    try:
        categories = [category_of(label) for label in labels]
    except ValueError as exc:
        raise DatasetError(f"{path.name}: {exc}") from None
    return Dataset(
        X=assemble_matrix(categorical, numeric_arr),
        labels=np.asarray(labels, dtype=object),
        categories=np.asarray(categories, dtype=object),
        name=path.name,
        sha256=sha256_file(path),
    )
