"""NSL-KDD text rows as JSON-ready records: what the replay tool posts and benchmarks send.

apis.ids.dataset reads a whole file into the training matrix (floats); this module
keeps each row as the record a client would send: integers for the count and binary
features (the API's schema is strict), floats for the rates, strings for the rest.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apis.ids.features import FEATURE_KINDS, N_FEATURES, FeatureKind

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


def read_records(path: str | Path, limit: int | None = None) -> Iterator[LabelledRecord]:
    """Rows of an NSL-KDD file (41 features, optionally label and difficulty), lazily."""
    sent = 0
    with Path(path).open(newline="") as fh:
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
