"""Reading an NSL-KDD file into the model's input matrix and labels.

No pandas: rows become a 2-D ``object`` array in FEATURE_NAMES order (strings for
the categorical columns, floats for the numeric ones), the same layout the scorer
builds from request records (apis.ids.scoring.assemble_matrix), so training and
serving share one input contract.

The file may be plain text or gzip-compressed; DEFAULT_DATASET is the training
file shipped with the repository (apis/ids/data/README.md). Its name and SHA-256,
as recorded in the model metadata, are those of the uncompressed text.
"""

from __future__ import annotations

import csv
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from apis.ids.features import CATEGORICAL_INDEX, N_FEATURES, NUMERIC_INDEX, category_of
from apis.ids.records import DEFAULT_DATASET, open_text, sha256_text
from apis.ids.scoring import assemble_matrix

__all__ = ["DEFAULT_DATASET", "Dataset", "DatasetError", "load_nsl_kdd", "sha256_text"]

# 41 features, then label, then difficulty (read and dropped).
_N_COLUMNS = N_FEATURES + 2


class DatasetError(ValueError):
    """The training file is missing or not in the NSL-KDD layout."""


@dataclass(frozen=True, slots=True)
class Dataset:
    X: np.ndarray  # (n, 41) object array, FEATURE_NAMES order
    labels: np.ndarray  # (n,) attack name or "normal"
    categories: np.ndarray  # (n,) one of CLASSES
    # (n,) how many of the 21 reference classifiers of the data set's authors got the row
    # right: never a feature (it describes the data set, not the traffic), only used to
    # hold the hardest rows out in validation.
    difficulty: np.ndarray
    name: str  # file name of the text (without a trailing .gz)
    sha256: str  # of the uncompressed text

    def __len__(self) -> int:
        return len(self.labels)


def _read_rows(path: Path) -> tuple[list[list[str]], list[list[str]], list[str], list[str]]:
    categorical: list[list[str]] = []
    numeric: list[list[str]] = []
    labels: list[str] = []
    difficulty: list[str] = []
    with open_text(path) as fh:
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
            difficulty.append(row[N_FEATURES + 1])
    return categorical, numeric, labels, difficulty


def load_nsl_kdd(path: str | Path = DEFAULT_DATASET) -> Dataset:
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"NSL-KDD file not found: {path}")
    try:
        categorical, numeric, labels, difficulty = _read_rows(path)
        sha256 = sha256_text(path)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:  # BadGzipFile is an OSError
        raise DatasetError(f"{path.name}: unreadable: {exc}") from None
    if not labels:
        raise DatasetError(f"{path} holds no rows")
    try:
        numeric_arr = np.asarray(numeric, dtype=np.float64)
        difficulty_arr = np.asarray(difficulty, dtype=np.int64)
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
        difficulty=difficulty_arr,
        name=path.name.removesuffix(".gz"),
        sha256=sha256,
    )
