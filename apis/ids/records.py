"""NSL-KDD text rows as JSON-ready records: what the replay tool posts and benchmarks send.

apis.ids.ml.dataset reads a whole file into the training matrix (floats); this module
keeps each row as the record a client would send: integers for the count and binary
features (the API's schema is strict), floats for the rates, strings for the rest.

It also knows where the NSL-KDD training file shipped with the repository is
(DEFAULT_DATASET, gzip-compressed; see apis/ids/data/README.md) and opens any
NSL-KDD file, plain or gzip, as text (open_text). Standard library only, so the
replay tool runs wherever Python does.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from apis.ids.features import FEATURE_KINDS, N_FEATURES, FeatureKind

# NSL-KDD KDDTrain+_20Percent (25,192 rows), compressed with `gzip -9n`.
DEFAULT_DATASET = Path(__file__).resolve().parent / "data" / "nsl-kdd-train-20percent.txt.gz"
_GZIP_MAGIC = b"\x1f\x8b"

_CONVERTERS = tuple(
    str if kind is FeatureKind.CATEGORICAL else float if kind is FeatureKind.RATE else int
    for kind in FEATURE_KINDS.values()
)
_NAMES = tuple(FEATURE_KINDS)


@dataclass(frozen=True, slots=True)
class LabelledRecord:
    record: dict[str, Any]
    label: str | None  # the NSL-KDD label ("normal" or an attack name) when the row has one


def parse_row(fields: Sequence[str]) -> dict[str, Any]:
    """The first 41 fields of an NSL-KDD row as a record; ValueError when malformed."""
    if len(fields) < N_FEATURES:
        raise ValueError(f"expected at least {N_FEATURES} fields, got {len(fields)}")
    return {
        name: convert(text.strip())
        for name, convert, text in zip(_NAMES, _CONVERTERS, fields, strict=False)
    }


def is_gzip(path: str | Path) -> bool:
    """Whether the file starts with the gzip magic bytes (its name does not matter)."""
    with Path(path).open("rb") as fh:
        return fh.read(2) == _GZIP_MAGIC


def open_bytes(path: str | Path) -> io.BufferedIOBase:
    """The file's uncompressed bytes: a gzip file is decompressed as it is read."""
    return gzip.open(path, "rb") if is_gzip(path) else Path(path).open("rb")


def sha256_text(path: str | Path) -> str:
    """SHA-256 of the file's uncompressed content (gzip files are decompressed first): the
    file's identity in model metadata, whichever way it is stored."""
    digest = hashlib.sha256()
    with open_bytes(path) as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def open_text(path: str | Path) -> TextIO:
    """An NSL-KDD file, plain text or gzip-compressed, opened for csv.reader."""
    if is_gzip(path):
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return Path(path).open(encoding="utf-8", newline="")


def read_records(path: str | Path, limit: int | None = None) -> Iterator[LabelledRecord]:
    """Rows of an NSL-KDD file (41 features, optionally label and difficulty), lazily.

    The file may be gzip-compressed (as DEFAULT_DATASET is).
    """
    sent = 0
    with open_text(path) as fh:
        for line_no, row in enumerate(csv.reader(fh), start=1):
            if limit is not None and sent >= limit:
                return
            if not row:
                continue
            sent += 1
            try:
                record = parse_row(row)
            except ValueError as exc:
                raise ValueError(f"{Path(path).name}:{line_no}: {exc}") from None
            yield LabelledRecord(record, row[N_FEATURES].strip() if len(row) > N_FEATURES else None)
