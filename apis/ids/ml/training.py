"""Compare the candidates, pick model and threshold by validation, fit and write the artifact.

Selection, stated up front and recorded in metadata.json:

1. For every candidate, out-of-fold (OOF) probabilities under stratified 5-fold CV
   and under leave-attack-types-out (LATO) 5-fold CV.
2. Its threshold on P(attack) is the lowest one keeping the false-positive rate
   on normal rows <= MAX_FPR in *both* OOF sets (lowest = most detection).
3. The selected candidate has the highest LATO detection rate macro-averaged over
   the four attack categories (so neptune's many rows cannot stand in for R2L's
   few) at its threshold; ties go to the higher stratified macro-F1.
4. It is refitted on all rows; the threshold from step 2 is kept.

Every scheme is also reported per fold, and a last check trains without the
hardest rows (difficulty <= HARDEST_DIFFICULTY) and scores them.
"""

from __future__ import annotations

import platform
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from apis.ids.artifact import (
    ARTIFACT_NAME,
    CONFUSION_MATRIX_NAME,
    METADATA_NAME,
    TRUSTED_TYPES,
    dump_pipeline,
    write_metadata,
)
from apis.ids.features import (
    ATTACK_CATEGORIES,
    CATEGORICAL_FEATURES,
    CLASSES,
    FEATURE_KINDS,
    FEATURE_NAMES,
    NORMAL,
    NUMERIC_FEATURES,
    FeatureKind,
)
from apis.ids.ml.candidates import CANDIDATES, RANDOM_STATE
from apis.ids.ml.confusion_svg import confusion_matrices_svg
from apis.ids.ml.dataset import Dataset, load_nsl_kdd
from apis.ids.ml.feedback import evaluate_feedback, load_feedback, with_supplement
from apis.ids.ml.validation import (
    attack_type_fold_assignment,
    classification_metrics,
    cross_fitted_threshold_check,
    fit_and_predict_proba,
    hardest_rows_split,
    leave_attack_types_out_folds,
    out_of_fold_proba,
    per_fold_detection,
    stratified_folds,
    threshold_for_fpr,
)

MODEL_VERSION = "2.0.0"
METADATA_FORMAT = 1
MAX_FPR = 0.02  # alert budget: at most 2 in 100 normal connections flagged
N_SPLITS = 5
# Rows at most this many of the data set's 21 reference classifiers got right: about 6 % of
# the file, holding 97 % of its R2L rows and all of its U2R rows.
HARDEST_DIFFICULTY = 15
DEFAULT_CANDIDATES = (
    "random_forest",
    "extra_trees",
    "hist_gradient_boosting",
    "random_forest_with_novelty",
)
SCORE_RULE = "P(attack) = 1 - P(normal)"
NOVELTY_SCORE_RULE = (
    "the larger of two normal percentiles: of P(attack) = 1 - P(normal) among the forest's "
    "out-of-bag scores of normal training rows, and of the novelty (distance to the nearest "
    "normal training row of the same service) among the normal rows' own"
)
DATASET_NAME = "NSL-KDD KDDTrain+_20Percent"

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def _class_index(categories: np.ndarray) -> np.ndarray:
    return np.array([CLASSES.index(c) for c in categories], dtype=np.int64)


def evaluate_candidate(
    name: str,
    dataset: Dataset,
    y: np.ndarray,
    folds: dict[str, list[tuple[np.ndarray, np.ndarray]]],
    max_fpr: float,
    progress: Progress,
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    make = CANDIDATES[name]
    oof = {}
    for scheme, scheme_folds in folds.items():

        def on_fold(k: int, s: str = scheme) -> None:
            progress(f"  {name}: {s} fold {k + 1}/{N_SPLITS} done")

        oof[scheme] = out_of_fold_proba(make, dataset.X, y, scheme_folds, on_fold=on_fold)
    normal = dataset.categories == NORMAL
    threshold = max(threshold_for_fpr(o.score[normal], o.score, max_fpr) for o in oof.values())
    result: dict[str, Any] = {"threshold": threshold}
    for scheme, o in oof.items():
        result[scheme] = classification_metrics(
            o.proba, o.score, dataset.categories, dataset.labels, threshold
        )
        result[scheme]["per_fold"] = per_fold_detection(o, dataset.categories, threshold)
    train_rows, hard_rows = hardest_rows_split(dataset.difficulty, HARDEST_DIFFICULTY)
    hard_proba, hard_score = fit_and_predict_proba(make, dataset.X, y, train_rows, hard_rows)
    progress(f"  {name}: hardest rows held out done")
    result["hardest_rows_held_out"] = classification_metrics(
        hard_proba,
        hard_score,
        dataset.categories[hard_rows],
        dataset.labels[hard_rows],
        threshold,
    )
    result["leave_attack_types_out_cross_fitted_threshold"] = cross_fitted_threshold_check(
        oof["leave_attack_types_out"], dataset.categories, max_fpr
    )
    return result, {scheme: o.score for scheme, o in oof.items()}


def select_candidate(results: dict[str, dict[str, Any]]) -> str:
    return max(
        results,
        key=lambda n: (
            results[n]["leave_attack_types_out"]["detection_rate_macro_over_categories"],
            results[n]["stratified"]["macro_f1"],
        ),
    )


def feature_schema(dataset: Dataset, pipeline: Pipeline) -> dict[str, Any]:
    """Names, kinds, value constraints, training ranges and the learnt vocabularies."""
    encoder = pipeline.named_steps["features"].named_transformers_["categorical"]
    vocabularies = {
        name: [str(v) for v in cats]
        for name, cats in zip(CATEGORICAL_FEATURES, encoder.categories_, strict=True)
    }
    constraints: dict[FeatureKind, dict[str, Any]] = {
        FeatureKind.COUNT: {"type": "integer", "minimum": 0},
        FeatureKind.BINARY: {"type": "integer", "enum": [0, 1]},
        FeatureKind.RATE: {"type": "number", "minimum": 0.0, "maximum": 1.0},
        FeatureKind.CATEGORICAL: {"type": "string"},
    }
    features = []
    for i, name in enumerate(FEATURE_NAMES):
        kind = FEATURE_KINDS[name]
        entry: dict[str, Any] = {"name": name, "kind": kind.value, **constraints[kind]}
        if kind is FeatureKind.CATEGORICAL:
            entry["vocabulary"] = vocabularies[name]
            entry["unknown_values"] = "scored (encoded as unseen) and flagged"
        else:
            column = dataset.X[:, i].astype(np.float64)
            entry["training_range"] = [float(column.min()), float(column.max())]
        features.append(entry)
    return {"n_features": len(features), "order": list(FEATURE_NAMES), "features": features}


def _library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for dist in ("scikit-learn", "numpy", "scipy", "skops", "threadpoolctl"):
        versions[dist] = version(dist)
    return versions


def _model_description(name: str, pipeline: Pipeline) -> dict[str, Any]:
    classifier = pipeline.named_steps["classifier"]
    params = {
        k: v
        for k, v in classifier.get_params().items()
        if v is None or isinstance(v, bool | int | float | str)
    }
    return {"candidate": name, "estimator": type(classifier).__name__, "params": params}


def train(
    data_path: str | Path,
    out_dir: str | Path,
    candidates: Sequence[str] = DEFAULT_CANDIDATES,
    max_fpr: float = MAX_FPR,
    progress: Progress = _quiet,
    version: str = MODEL_VERSION,
    feedback_path: str | Path | None = None,
) -> dict[str, Any]:
    """Run the whole training; write artifact, metadata and SVG into out_dir; return metadata.

    `version` names the result in the model registry (apis.ids.registry). `feedback_path`,
    the analysts' labelled predictions (apis.ids.ml.feedback), joins the final fit and is
    measured on the card; it never takes part in choosing the candidate or threshold."""
    unknown = [c for c in candidates if c not in CANDIDATES]
    if unknown or not candidates:
        raise ValueError(f"unknown candidates {unknown}; choose from {sorted(CANDIDATES)}")
    started = time.perf_counter()
    out_dir = Path(out_dir)

    progress(f"reading {data_path}")
    dataset = load_nsl_kdd(data_path)
    feedback = load_feedback(feedback_path) if feedback_path is not None else None
    y = _class_index(dataset.categories)
    progress(f"{len(dataset)} rows, {len(set(dataset.labels.tolist()))} labels")
    folds = {
        "stratified": stratified_folds(dataset.categories, N_SPLITS, RANDOM_STATE),
        "leave_attack_types_out": leave_attack_types_out_folds(
            dataset.labels, dataset.categories, N_SPLITS, RANDOM_STATE
        ),
    }

    # OpenMP/BLAS pools cost more than they give on 2-core machines for these
    # small fits (measured ~5x slower for HistGradientBoosting and
    # LogisticRegression); forests still use 2 joblib threads.
    with threadpool_limits(limits=1):
        results: dict[str, dict[str, Any]] = {}
        oof: dict[str, dict[str, np.ndarray]] = {}
        for name in candidates:
            t0 = time.perf_counter()
            progress(f"validating {name}")
            results[name], oof[name] = evaluate_candidate(
                name, dataset, y, folds, max_fpr, progress
            )
            progress(f"  {name}: {time.perf_counter() - t0:.1f}s, {_one_line(results[name])}")
        chosen = select_candidate(results)
        threshold = results[chosen]["threshold"]
        feedback_section = None
        fitted = dataset
        if feedback is not None:
            progress(f"measuring {chosen} on {len(feedback)} labelled cases")
            feedback_section = evaluate_feedback(
                feedback, dataset, _class_index, CANDIDATES[chosen], threshold, RANDOM_STATE
            )
            fitted = with_supplement(dataset, feedback)
        progress(f"selected {chosen}, threshold {threshold:.6f}; fitting on all rows")
        detector = CANDIDATES[chosen]().fit(fitted.X, _class_index(fitted.categories))
        pipeline = detector.pipeline

    out_dir.mkdir(parents=True, exist_ok=True)
    artifact_path = out_dir / ARTIFACT_NAME
    novelty = detector.novelty
    artifact_sha = dump_pipeline(
        pipeline, artifact_path, None if novelty is None else novelty.state()
    )
    chosen_metrics = results[chosen]
    svg = confusion_matrices_svg(
        [
            ("Stratified 5-fold (OOF)", chosen_metrics["stratified"]["confusion_matrix"]),
            (
                "Leave-attack-types-out 5-fold (OOF)",
                chosen_metrics["leave_attack_types_out"]["confusion_matrix"],
            ),
        ],
        CLASSES,
        caption=f"{chosen}, threshold {threshold:.4f} on P(attack); rows: true class, "
        "columns: predicted (normal when below the threshold)",
    )
    (out_dir / CONFUSION_MATRIX_NAME).write_text(svg)

    label_counts = Counter(dataset.labels.tolist())
    hard_categories = dataset.categories[dataset.difficulty <= HARDEST_DIFFICULTY]
    metadata: dict[str, Any] = {
        "metadata_format": METADATA_FORMAT,
        "version": version,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "dataset": {
            "name": DATASET_NAME,
            "file": dataset.name,
            "sha256": dataset.sha256,
            "rows": len(dataset),
            "label_counts": dict(sorted(label_counts.items())),
            "class_counts": {c: int((dataset.categories == c).sum()) for c in CLASSES},
            # Never a feature; only used to hold the hardest rows out in validation.
            "columns_not_features": ["difficulty"],
        },
        "libraries": _library_versions(),
        "artifact": {
            "file": ARTIFACT_NAME,
            "format": "skops",
            "sha256": artifact_sha,
            "size_bytes": artifact_path.stat().st_size,
            "trusted_types": list(TRUSTED_TYPES),
        },
        "model": _model_description(chosen, pipeline)
        | ({"novelty": novelty.describe(NUMERIC_FEATURES)} if novelty is not None else {}),
        "classes": list(CLASSES),
        "attack_categories": {k: list(v) for k, v in ATTACK_CATEGORIES.items()},
        "threshold": threshold,
        "decision_rule": {
            "score": SCORE_RULE if novelty is None else NOVELTY_SCORE_RULE,
            "verdict": "attack if score >= threshold else normal",
            "category": "normal if the verdict is normal, else the most probable attack class",
        },
        "feature_schema": feature_schema(fitted, pipeline),
        "validation": {
            "max_false_positive_rate": max_fpr,
            "threshold_rule": (
                "lowest threshold with false-positive rate <= max_false_positive_rate on the "
                "out-of-fold normal rows of both CV schemes"
            ),
            "selection_rule": (
                "highest leave-attack-types-out detection rate, macro-averaged over the attack "
                "categories, at the candidate's threshold; ties: higher stratified macro-F1"
            ),
            "schemes": {
                "stratified": {"n_splits": N_SPLITS, "stratify_by": "class", "seed": RANDOM_STATE},
                "leave_attack_types_out": {
                    "n_splits": N_SPLITS,
                    "held_out_fold_of_attack_type": attack_type_fold_assignment(
                        dataset.labels, dataset.categories, N_SPLITS
                    ),
                    "normal_rows": "random equal split",
                    "seed": RANDOM_STATE,
                },
                "hardest_rows_held_out": {
                    "difficulty_at_most": HARDEST_DIFFICULTY,
                    "held_out_class_counts": {
                        c: int((hard_categories == c).sum()) for c in CLASSES
                    },
                    "threshold": "the candidate's, chosen on the cross-validation schemes",
                },
            },
            "selected": chosen,
            "candidates": results,
        },
        "confusion_matrix_svg": CONFUSION_MATRIX_NAME,
        **({"feedback": feedback_section} if feedback_section is not None else {}),
        "training_seconds": round(time.perf_counter() - started, 1),
    }
    write_metadata(metadata, out_dir / METADATA_NAME)
    progress(f"wrote {out_dir / METADATA_NAME} in {metadata['training_seconds']}s")
    return metadata


def _one_line(result: dict[str, Any]) -> str:
    s, lato = result["stratified"], result["leave_attack_types_out"]
    return (
        f"threshold={result['threshold']:.4f} "
        f"stratified DR={s['detection_rate']:.4f} FPR={s['false_positive_rate']:.4f} "
        f"macroF1={s['macro_f1']:.4f} | held-out types DR={lato['detection_rate']:.4f} "
        f"macro over categories={lato['detection_rate_macro_over_categories']:.4f} "
        f"FPR={lato['false_positive_rate']:.4f} macroF1={lato['macro_f1']:.4f}"
    )


def print_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
