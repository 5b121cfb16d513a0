"""Cross-validation schemes, threshold choice and metrics.

Two schemes, both producing out-of-fold (OOF) class probabilities for every row:

* stratified K-fold by category: the usual "same attack types" estimate;
* leave-attack-types-out (LATO): every attack *name* is held out whole in exactly
  one fold, with a random share of the normal rows, so each fold's model never
  saw the attacks it is scored on. Production traffic carries attack names the
  training file lacks; this is the estimate that speaks to them.

Each is reported per fold too, so the spread shows how much a figure depends on
which attack types happened to be held out. A third check holds out the hardest
rows (by the data set's difficulty column) and trains on the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold

from apis.ids.decision import decide
from apis.ids.features import ATTACK_CLASSES, CLASSES, NORMAL
from apis.ids.ml.candidates import Detector

Folds = list[tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True, slots=True)
class OutOfFold:
    proba: np.ndarray  # (n, len(CLASSES))
    score: np.ndarray  # (n,) the attack score the threshold applies to
    fold_of_row: np.ndarray  # (n,) fold index in which each row was scored


def stratified_folds(categories: np.ndarray, n_splits: int, seed: int) -> Folds:
    splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(categories)), categories))


def attack_type_fold_assignment(
    labels: np.ndarray, categories: np.ndarray, n_splits: int
) -> dict[str, int]:
    """Deal attack names to folds round-robin, category by category, largest first.

    Deterministic and spread out: each fold holds out names from several
    categories, and no category ever loses all its names in one fold's training
    set as long as it has at least two names.
    """
    names, counts = np.unique(labels[categories != NORMAL], return_counts=True)
    count_of = dict(zip(names.tolist(), counts.tolist(), strict=True))
    category_of = {name: categories[labels == name][0] for name in count_of}
    assignment: dict[str, int] = {}
    slot = 0
    for category in ATTACK_CLASSES:
        in_category = [n for n in count_of if category_of[n] == category]
        for name in sorted(in_category, key=lambda n: (-count_of[n], n)):
            assignment[name] = slot % n_splits
            slot += 1
    return assignment


def leave_attack_types_out_folds(
    labels: np.ndarray, categories: np.ndarray, n_splits: int, seed: int
) -> Folds:
    fold = np.empty(len(labels), dtype=np.int64)
    for name, k in attack_type_fold_assignment(labels, categories, n_splits).items():
        fold[labels == name] = k
    normal_rows = np.flatnonzero(categories == NORMAL)
    shuffled = np.random.default_rng(seed).permutation(normal_rows)
    for k, rows in enumerate(np.array_split(shuffled, n_splits)):
        fold[rows] = k
    rows = np.arange(len(labels))
    return [(rows[fold != k], rows[fold == k]) for k in range(n_splits)]


def hardest_rows_split(difficulty: np.ndarray, cutoff: int) -> tuple[np.ndarray, np.ndarray]:
    """(train, test): the rows at most `cutoff` of the data set's reference classifiers got
    right are the test set. Nearly every R2L and U2R row is among them, so this is a
    pessimistic check of rare, hard traffic, not a second estimate of the same thing."""
    rows = np.arange(len(difficulty))
    hard = difficulty <= cutoff
    return rows[~hard], rows[hard]


def fit_and_predict_proba(
    make_detector: Callable[[], Detector],
    X: np.ndarray,
    y: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Fit on `train`; return the class probabilities (CLASSES order) and attack scores of
    `test`."""
    model = make_detector().fit(X[train], y[train])
    proba = model.predict_proba(X[test])
    return proba, model.score(X[test], proba)


def out_of_fold_proba(
    make_detector: Callable[[], Detector],
    X: np.ndarray,
    y: np.ndarray,
    folds: Folds,
    on_fold: Callable[[int], None] | None = None,
) -> OutOfFold:
    proba = np.full((len(y), len(CLASSES)), np.nan)
    score = np.full(len(y), np.nan)
    fold_of_row = np.full(len(y), -1, dtype=np.int64)
    for k, (train, test) in enumerate(folds):
        proba[test], score[test] = fit_and_predict_proba(make_detector, X, y, train, test)
        fold_of_row[test] = k
        if on_fold is not None:
            on_fold(k)
    if (fold_of_row < 0).any():
        raise ValueError("folds do not cover every row")
    return OutOfFold(proba=proba, score=score, fold_of_row=fold_of_row)


def threshold_for_fpr(normal_scores: np.ndarray, all_scores: np.ndarray, max_fpr: float) -> float:
    """Lowest threshold on the attack score whose false-positive rate is <= max_fpr.

    Detection only grows as the threshold falls, so maximising detection under
    the FPR cap means taking the lowest admissible threshold. It is placed
    midway between the highest normal score that must stay below it and the
    next higher score of any row, rather than on a training score itself.
    """
    allowed = int(np.floor(max_fpr * len(normal_scores)))
    ordered = np.sort(normal_scores)[::-1]
    if allowed >= len(ordered):
        return 0.0
    must_pass = ordered[allowed]  # the (allowed + 1)-th highest normal score
    above = all_scores[all_scores > must_pass]
    upper = above.min() if above.size else 1.0
    return float((must_pass + upper) / 2.0) if upper > must_pass else float(np.nextafter(1.0, 2.0))


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def classification_metrics(
    proba: np.ndarray,
    score: np.ndarray,
    categories: np.ndarray,
    labels: np.ndarray,
    threshold: float,
) -> dict[str, Any]:
    """Binary and per-class metrics of the deployed decision rule at ``threshold``."""
    is_attack, predicted = decide(score, proba, threshold)
    truth = np.array([CLASSES.index(c) for c in categories])
    true_attack = truth != 0
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=range(len(CLASSES)), zero_division=0
    )
    per_class = {
        cls: {
            "precision": float(precision[i]),
            "recall": float(recall[i]),
            "f1": float(f1[i]),
            "support": int(support[i]),
        }
        for i, cls in enumerate(CLASSES)
    }
    detection_by_category = {
        cls: _rate(int((is_attack & (truth == i)).sum()), int((truth == i).sum()))
        for i, cls in enumerate(CLASSES)
        if i != 0
    }
    present = [v for v in detection_by_category.values() if v is not None]
    detection_by_attack_type = {
        str(name): float(is_attack[labels == name].mean())
        for name in sorted(set(labels[true_attack].tolist()))
    }
    return {
        "threshold": threshold,
        "detection_rate": _rate(int((is_attack & true_attack).sum()), int(true_attack.sum())),
        "false_positive_rate": _rate(
            int((is_attack & ~true_attack).sum()), int((~true_attack).sum())
        ),
        "detection_rate_macro_over_categories": float(np.mean(present)) if present else None,
        "detection_rate_by_category": detection_by_category,
        "detection_rate_by_attack_type": detection_by_attack_type,
        "macro_f1": float(np.mean(f1)),
        "per_class": per_class,
        "confusion_matrix": confusion_matrix(truth, predicted, labels=range(len(CLASSES))).tolist(),
        "roc_auc_attack_vs_normal": _roc_auc(score, true_attack),
    }


def _roc_auc(score: np.ndarray, positive: np.ndarray) -> float | None:
    from sklearn.metrics import roc_auc_score

    if positive.all() or not positive.any():
        return None
    return float(roc_auc_score(positive, score))


def _spread(values: Sequence[float | None]) -> dict[str, float | int] | None:
    present = np.array([v for v in values if v is not None], dtype=np.float64)
    if not present.size:
        return None
    return {
        "mean": float(present.mean()),
        "std": float(present.std()),
        "min": float(present.min()),
        "max": float(present.max()),
        "folds": int(present.size),
    }


def per_fold_detection(oof: OutOfFold, categories: np.ndarray, threshold: float) -> dict[str, Any]:
    """Detection per attack category, its macro-average over the categories present, and
    the false-positive rate, in each fold at `threshold`; then their spread over folds."""
    flagged = oof.score >= threshold
    folds: list[dict[str, Any]] = []
    macros: list[float | None] = []
    false_positives: list[float | None] = []
    by_category_of_fold: list[dict[str, float | None]] = []
    for k in np.unique(oof.fold_of_row):
        here = oof.fold_of_row == k
        by_category = {
            c: _rate(
                int((flagged & here & (categories == c)).sum()),
                int((here & (categories == c)).sum()),
            )
            for c in ATTACK_CLASSES
        }
        present = [v for v in by_category.values() if v is not None]
        normal = here & (categories == NORMAL)
        macros.append(float(np.mean(present)) if present else None)
        false_positives.append(_rate(int((flagged & normal).sum()), int(normal.sum())))
        by_category_of_fold.append(by_category)
        folds.append(
            {
                "fold": int(k),
                "detection_rate_by_category": by_category,
                "detection_rate_macro_over_categories": macros[-1],
                "false_positive_rate": false_positives[-1],
            }
        )
    spread = {
        "detection_rate_macro_over_categories": _spread(macros),
        "false_positive_rate": _spread(false_positives),
        "detection_rate_by_category": {
            c: _spread([fold[c] for fold in by_category_of_fold]) for c in ATTACK_CLASSES
        },
    }
    return {"folds": folds, "spread": spread}


def cross_fitted_threshold_check(
    oof: OutOfFold, categories: np.ndarray, max_fpr: float
) -> dict[str, float | None]:
    """Honesty check on the threshold rule: pick it on the other folds, apply to this one.

    The final threshold is picked on all OOF scores, which flatters the FPR it
    reaches on those same scores; this shows what the rule achieves on rows it
    did not see when the threshold was set.
    """
    score = oof.score
    normal = categories == NORMAL
    flagged = np.zeros(len(score), dtype=bool)
    for k in np.unique(oof.fold_of_row):
        here = oof.fold_of_row == k
        t = threshold_for_fpr(score[~here & normal], score[~here], max_fpr)
        flagged[here] = score[here] >= t
    return {
        "detection_rate": _rate(int((flagged & ~normal).sum()), int((~normal).sum())),
        "false_positive_rate": _rate(int((flagged & normal).sum()), int(normal.sum())),
    }


def summarise(metrics: dict[str, Any], keys: Sequence[str]) -> dict[str, Any]:
    return {k: metrics[k] for k in keys}
