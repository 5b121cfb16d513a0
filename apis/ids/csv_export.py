"""Stored predictions as CSV lines, for spreadsheets and scripts."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from apis.ids.features import CATEGORICAL_FEATURES, CLASSES, FEATURE_NAMES
from apis.ids.store import StoredPrediction, Triage

HEADER: tuple[str, ...] = (
    "id",
    "created_at",
    "source",
    "model_version",
    "verdict",
    "category",
    "score",
    *(f"p_{name}" for name in CLASSES),
    "unknown_features",
    *FEATURE_NAMES,
    # Appended last, so the columns scripts already read keep their positions.
    "triage_label",
    "triage_note",
    "triage_by",
    "triage_by_user_id",
    "triage_at",
)
# A cell starting with one of these is run as a formula by spreadsheet programs.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value  # shown as text, never evaluated (OWASP CSV injection advice)
    return value


def _row(p: StoredPrediction) -> list[Any]:
    return [
        p.id,
        p.created_at.isoformat().replace("+00:00", "Z"),
        p.source,
        p.model_version,
        p.verdict,
        p.category,
        p.score,
        *(p.probabilities[name] for name in CLASSES),
        ",".join(name for name in CATEGORICAL_FEATURES if name in p.unknown_values),
        *(p.features[name] for name in FEATURE_NAMES),
        *_triage_cells(p.triage),
    ]


def _triage_cells(t: Triage | None) -> tuple[Any, ...]:
    if t is None:
        return ("", "", "", "", "")
    at = t.labelled_at.isoformat().replace("+00:00", "Z")
    return (t.label, t.note or "", t.labelled_by, t.labelled_by_user_id, at)


def csv_chunks(predictions: Iterable[StoredPrediction], rows_per_chunk: int = 500) -> Iterator[str]:
    """The header, then the rows, a few hundred per chunk (for a streamed response)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    pending = 1
    for prediction in predictions:
        writer.writerow([_cell(value) for value in _row(prediction)])
        pending += 1
        if pending >= rows_per_chunk:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue()
