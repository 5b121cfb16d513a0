"""Analysts' labels as a training supplement, and how a new version does on them.

The supplement is the IDS API's own CSV export of labelled predictions
(``GET /api/ids/predictions?label=labelled&format=csv``; the admin's model versions page
links to it): the 41 features, the served verdict and probabilities, and the triage label.
Each labelled row becomes a training row:

* ``confirmed_attack``: the attack category served, or, for an attack the model called
  normal (a miss), its most probable attack category;
* ``false_positive`` and ``benign_expected``: normal.

The supplement never takes part in choosing the candidate or its threshold (those stay on
the training file). It is added to the final fit, and measured twice on the card: what the
versions that served those predictions did, and what the new version does on each labelled
case when it was trained without it (k-fold over the labelled rows, the training file always
in the fit).
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import KFold

from apis.ids.features import (
    ATTACK_CLASSES,
    CATEGORICAL_FEATURES,
    FEATURE_NAMES,
    NORMAL,
    NUMERIC_FEATURES,
)
from apis.ids.ml.candidates import Detector
from apis.ids.ml.dataset import Dataset, DatasetError
from apis.ids.ml.validation import fit_and_predict_proba
from apis.ids.records import open_text, sha256_text
from apis.ids.scoring import assemble_matrix

CONFIRMED, FALSE_POSITIVE, BENIGN = "confirmed_attack", "false_positive", "benign_expected"
LABELS = (CONFIRMED, FALSE_POSITIVE, BENIGN)
# What a labelled row is called among the training labels (never an NSL-KDD attack name).
SUPPLEMENT_LABEL = "analyst_label"
MAX_FOLDS = 5
_REQUIRED = ("id", "verdict", "category", "triage_label", *FEATURE_NAMES)


@dataclass(frozen=True, slots=True)
class Feedback:
    X: np.ndarray  # (n, 41) object array, FEATURE_NAMES order
    categories: np.ndarray  # (n,) the class each row is trained as
    labels: np.ndarray  # (n,) the analysts' triage label
    served_attack: np.ndarray  # (n,) bool: the served verdict was attack
    name: str
    sha256: str

    def __len__(self) -> int:
        return len(self.labels)


def _target(row: dict[str, str], line: int, name: str) -> str:
    label = row["triage_label"]
    if label in (FALSE_POSITIVE, BENIGN):
        return NORMAL
    if row["category"] in ATTACK_CLASSES:
        return row["category"]
    try:  # a missed attack: the most probable attack class
        proba = {c: float(row[f"p_{c}"]) for c in ATTACK_CLASSES}
    except (KeyError, ValueError):
        raise DatasetError(f"{name}:{line}: a missed attack needs its p_* columns") from None
    return max(ATTACK_CLASSES, key=lambda c: proba[c])


def load_feedback(path: str | Path) -> Feedback:
    """The labelled rows of a predictions CSV (unlabelled rows are skipped; an id seen
    twice counts once). Raises DatasetError naming the line of a bad row."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"feedback file not found: {path}")
    categorical: list[list[str]] = []
    numeric: list[list[float]] = []
    categories: list[str] = []
    labels: list[str] = []
    served: list[bool] = []
    seen: set[str] = set()
    with open_text(path) as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in _REQUIRED if c not in (reader.fieldnames or ())]
        if missing:
            raise DatasetError(
                f"{path.name}: not an IDS predictions CSV (missing {', '.join(missing[:5])}); "
                "export it with GET /api/ids/predictions?label=labelled&format=csv"
            )
        for line, row in enumerate(reader, start=2):
            label = row["triage_label"]
            if not label or row["id"] in seen:
                continue
            if label not in LABELS:
                raise DatasetError(f"{path.name}:{line}: unknown triage label {label!r}")
            seen.add(row["id"])
            try:
                values = [float(row[f]) for f in NUMERIC_FEATURES]
            except ValueError as exc:
                raise DatasetError(f"{path.name}:{line}: {exc}") from None
            if not all(math.isfinite(v) for v in values):
                raise DatasetError(f"{path.name}:{line}: a feature is not a finite number")
            # The export writes a cell starting like a formula with a leading quote.
            categorical.append([row[f].removeprefix("'") for f in CATEGORICAL_FEATURES])
            numeric.append(values)
            categories.append(_target(row, line, path.name))
            labels.append(label)
            served.append(row["verdict"] == "attack")
    return Feedback(
        X=assemble_matrix(
            categorical, np.asarray(numeric, dtype=np.float64).reshape(-1, len(NUMERIC_FEATURES))
        ),
        categories=np.asarray(categories, dtype=object),
        labels=np.asarray(labels, dtype=object),
        served_attack=np.asarray(served, dtype=bool),
        name=path.name,
        sha256=sha256_text(path),
    )


def with_supplement(dataset: Dataset, feedback: Feedback) -> Dataset:
    """The training file's rows followed by the labelled ones (for the final fit only)."""
    return Dataset(
        X=np.concatenate([dataset.X, feedback.X]),
        labels=np.concatenate(
            [dataset.labels, np.full(len(feedback), SUPPLEMENT_LABEL, dtype=object)]
        ),
        categories=np.concatenate([dataset.categories, feedback.categories]),
        difficulty=np.concatenate([dataset.difficulty, np.zeros(len(feedback), np.int64)]),
        name=dataset.name,
        sha256=dataset.sha256,
    )


def _on_labels(alerts: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    confirmed, benign = labels == CONFIRMED, labels != CONFIRMED

    def rate(hits: np.ndarray, of: np.ndarray) -> float | None:
        return float(hits[of].mean()) if of.any() else None

    return {
        "confirmed_attacks_detected": int(alerts[confirmed].sum()),
        "detection_rate_on_confirmed": rate(alerts, confirmed),
        "alerts_on_false_positives_and_benign": int(alerts[benign].sum()),
        "false_alarm_rate_on_false_positives_and_benign": rate(alerts, benign),
    }


def evaluate_feedback(
    feedback: Feedback,
    dataset: Dataset,
    class_index: Callable[[np.ndarray], np.ndarray],
    make_detector: Callable[[], Detector],
    threshold: float,
    seed: int,
) -> dict[str, Any]:
    """The card's `feedback` section (see the module's docstring)."""
    section: dict[str, Any] = {
        "file": feedback.name,
        "sha256": feedback.sha256,
        "rows": len(feedback),
        "label_counts": dict(sorted(Counter(feedback.labels.tolist()).items())),
        "trained_as": dict(sorted(Counter(feedback.categories.tolist()).items())),
        "served": _on_labels(feedback.served_attack, feedback.labels),
    }
    n = len(feedback)
    if n < 2:
        section["this_version"] = None
        section["this_version_note"] = "fewer than 2 labelled cases: none can be held out"
        return section
    combined = with_supplement(dataset, feedback)
    y = class_index(combined.categories)
    base = np.arange(len(dataset))
    alerts = np.zeros(n, dtype=bool)
    folds = KFold(n_splits=min(MAX_FOLDS, n), shuffle=True, random_state=seed)
    for train, test in folds.split(np.arange(n)):
        fit_rows = np.concatenate([base, len(dataset) + train])
        _, score = fit_and_predict_proba(
            make_detector, combined.X, y, fit_rows, len(dataset) + test
        )
        alerts[test] = score >= threshold
    section["this_version"] = _on_labels(alerts, feedback.labels) | {
        "method": f"{folds.get_n_splits()}-fold over the labelled cases; the training file "
        "always in the fit",
    }
    return section
