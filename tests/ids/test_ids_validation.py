"""Fold construction, threshold choice and the decision rule, on small synthetic inputs."""

from __future__ import annotations

import numpy as np
import pytest

from apis.ids.decision import attack_score, decide
from apis.ids.ml.validation import (
    OutOfFold,
    attack_type_fold_assignment,
    classification_metrics,
    hardest_rows_split,
    leave_attack_types_out_folds,
    per_fold_detection,
    stratified_folds,
    threshold_for_fpr,
)

LABELS = np.array(
    ["normal"] * 40
    + ["neptune"] * 12
    + ["smurf"] * 6
    + ["back"] * 3
    + ["satan"] * 5
    + ["nmap"] * 4
    + ["warezclient"] * 3
    + ["imap"] * 2
    + ["rootkit"]
    + ["perl"],
    dtype=object,
)
CATS = np.array(
    ["normal"] * 40 + ["DoS"] * 21 + ["Probe"] * 9 + ["R2L"] * 5 + ["U2R"] * 2,
    dtype=object,
)


def test_leave_attack_types_out_holds_each_name_out_whole() -> None:
    folds = leave_attack_types_out_folds(LABELS, CATS, n_splits=3, seed=1)
    seen_test = np.zeros(len(LABELS), dtype=int)
    for train, test in folds:
        assert set(train).isdisjoint(test)
        seen_test[test] += 1
        held_out = {n for n in LABELS[test] if n != "normal"}
        trained = set(LABELS[train])
        assert held_out, "each fold holds out some attack names"
        assert held_out.isdisjoint(trained), "a held-out name leaked into training"
        assert "normal" in trained and "normal" in set(LABELS[test])
    assert (seen_test == 1).all(), "every row is scored exactly once"


def test_attack_names_spread_over_folds_by_category() -> None:
    assignment = attack_type_fold_assignment(LABELS, CATS, n_splits=3)
    assert set(assignment) == set(LABELS) - {"normal"}
    # Within a category the names go to different folds while folds remain.
    assert len({assignment[n] for n in ("neptune", "smurf", "back")}) == 3
    assert assignment["rootkit"] != assignment["perl"]


def test_stratified_folds_cover_every_row_once() -> None:
    folds = stratified_folds(CATS, n_splits=2, seed=0)
    tested = np.concatenate([test for _, test in folds])
    assert sorted(tested.tolist()) == list(range(len(CATS)))


def test_threshold_meets_fpr_cap_and_is_the_lowest_such() -> None:
    rng = np.random.default_rng(0)
    normal = rng.uniform(0, 0.6, 1000)
    attack = rng.uniform(0.3, 1.0, 500)
    scores = np.concatenate([normal, attack])
    t = threshold_for_fpr(normal, scores, max_fpr=0.01)
    assert (normal >= t).mean() <= 0.01
    # Any lower score of a row would let through more normals than allowed.
    lower = scores[scores < t].max()
    assert (normal >= lower).mean() > 0.01


def test_threshold_with_zero_budget_is_above_every_normal() -> None:
    normal = np.array([0.1, 0.2, 0.9])
    t = threshold_for_fpr(normal, np.array([0.1, 0.2, 0.9, 0.95]), max_fpr=0.0)
    assert 0.9 < t <= 0.95


def test_decide_keeps_category_consistent_with_verdict() -> None:
    proba = np.array(
        [
            [0.60, 0.10, 0.25, 0.05, 0.00],  # P(attack)=0.40: attack at t=0.3, Probe
            [0.80, 0.15, 0.05, 0.00, 0.00],  # P(attack)=0.20: normal
            [0.10, 0.00, 0.00, 0.00, 0.90],  # U2R
        ]
    )
    is_attack, category = decide(attack_score(proba), proba, threshold=0.3)
    assert is_attack.tolist() == [True, False, True]
    assert category.tolist() == [2, 0, 4]
    # A score other than P(attack) (the novelty blend) decides the verdict; the category
    # still comes from the probabilities, the best attack class even where normal leads.
    is_attack, category = decide(np.array([0.1, 0.99, 0.2]), proba, threshold=0.5)
    assert is_attack.tolist() == [False, True, False]
    assert category.tolist() == [0, 1, 0]


def test_metrics_of_a_perfect_classifier() -> None:
    cats = np.array(["normal", "DoS", "Probe", "R2L", "U2R"], dtype=object)
    labels = np.array(["normal", "neptune", "satan", "imap", "perl"], dtype=object)
    proba = np.eye(5)
    metrics = classification_metrics(proba, attack_score(proba), cats, labels, threshold=0.5)
    assert metrics["detection_rate"] == 1.0 and metrics["false_positive_rate"] == 0.0
    assert metrics["macro_f1"] == pytest.approx(1.0)
    assert metrics["confusion_matrix"] == np.eye(5, dtype=int).tolist()


def test_per_fold_detection_reports_each_fold_and_the_spread() -> None:
    cats = np.array(["normal", "DoS", "R2L", "normal", "DoS", "R2L"], dtype=object)
    attack = np.array([0.0, 1.0, 1.0, 1.0, 1.0, 0.0])  # fold 1: one false alarm, R2L missed
    proba = np.column_stack([1 - attack, attack, np.zeros((6, 3))])
    oof = OutOfFold(proba, attack_score(proba), np.array([0, 0, 0, 1, 1, 1]))
    report = per_fold_detection(oof, cats, 0.5)
    first, second = report["folds"]
    assert first["detection_rate_by_category"] == {
        "DoS": 1.0, "Probe": None, "R2L": 1.0, "U2R": None
    }  # fmt: skip
    assert second["detection_rate_macro_over_categories"] == 0.5  # DoS 1, R2L 0: not rows
    assert (first["false_positive_rate"], second["false_positive_rate"]) == (0.0, 1.0)
    spread = report["spread"]
    assert spread["detection_rate_macro_over_categories"] == {
        "mean": 0.75, "std": 0.25, "min": 0.5, "max": 1.0, "folds": 2
    }  # fmt: skip
    assert spread["detection_rate_by_category"]["Probe"] is None  # never held out


def test_hardest_rows_are_the_test_set() -> None:
    train, test = hardest_rows_split(np.array([21, 3, 15, 16, 0]), cutoff=15)
    assert test.tolist() == [1, 2, 4] and train.tolist() == [0, 3]
