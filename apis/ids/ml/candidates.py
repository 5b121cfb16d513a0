"""Candidate pipelines compared by validation; each is built unfitted.

Every candidate is one sklearn Pipeline ``features -> classifier`` taking the
(n, 41) object matrix of apis.ids.ml.dataset, so all encoders are fitted on the
training rows only (inside each CV fold too). Sizes are kept small so the
chosen artifact stays well under a few MB, scoring stays fast, and the whole
training run (3 candidates x 10 folds) stays around a minute on two cores.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (
    ExtraTreesClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, OrdinalEncoder, StandardScaler

from apis.ids.features import CATEGORICAL_INDEX, NUMERIC_INDEX

RANDOM_STATE = 20240611
# Threads for tree fitting (joblib); prediction is switched to 1 after fit so the
# order of the per-tree sums, and hence every probability, is reproducible.
FIT_JOBS = 2

# Unknown categorical values at prediction time: trees see a code below every
# known code; gradient boosting sees "missing".
UNKNOWN_CODE = -1


def _ordinal_features(unknown_value: float) -> ColumnTransformer:
    return ColumnTransformer(
        [
            (
                "categorical",
                OrdinalEncoder(
                    handle_unknown="use_encoded_value",
                    unknown_value=unknown_value,
                    dtype=np.float64,
                ),
                list(CATEGORICAL_INDEX),
            ),
            ("numeric", "passthrough", list(NUMERIC_INDEX)),
        ]
    )


def random_forest() -> Pipeline:
    return Pipeline(
        [
            ("features", _ordinal_features(UNKNOWN_CODE)),
            (
                "classifier",
                RandomForestClassifier(
                    # 40 fully grown trees: 60 scored the same within CV noise but cost
                    # 50% more per prediction; depth caps (16-20) lowered macro-F1.
                    n_estimators=40,
                    class_weight="balanced_subsample",
                    n_jobs=FIT_JOBS,
                    random_state=RANDOM_STATE,
                ),
            ),
        ]
    )


def extra_trees() -> Pipeline:
    return Pipeline(
        [
            ("features", _ordinal_features(UNKNOWN_CODE)),
            (
                "classifier",
                ExtraTreesClassifier(
                    # 40 fully grown trees: 60 scored the same within CV noise but cost
                    # 50% more per prediction; depth caps (16-20) lowered macro-F1.
                    n_estimators=40,
                    class_weight="balanced_subsample",
                    n_jobs=FIT_JOBS,
                    random_state=RANDOM_STATE,
                ),
            ),
        ]
    )


def hist_gradient_boosting() -> Pipeline:
    return Pipeline(
        [
            ("features", _ordinal_features(np.nan)),
            (
                "classifier",
                HistGradientBoostingClassifier(
                    max_iter=30,
                    max_leaf_nodes=15,
                    learning_rate=0.2,
                    categorical_features=[0, 1, 2],  # the encoded columns come first
                    class_weight="balanced",
                    early_stopping=False,  # a fixed size keeps runs reproducible
                    random_state=RANDOM_STATE,
                ),
            ),
        ]
    )


def logistic_regression() -> Pipeline:
    # Byte counts and durations span 9 orders of magnitude: log1p before scaling.
    numeric = Pipeline(
        [("log1p", FunctionTransformer(np.log1p, validate=True)), ("scale", StandardScaler())]
    )
    features = ColumnTransformer(
        [
            (
                "categorical",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                list(CATEGORICAL_INDEX),
            ),
            ("numeric", numeric, list(NUMERIC_INDEX)),
        ]
    )
    return Pipeline(
        [
            ("features", features),
            (
                "classifier",
                LogisticRegression(C=1.0, max_iter=1000, class_weight="balanced"),
            ),
        ]
    )


CANDIDATES: dict[str, Callable[[], Pipeline]] = {
    "random_forest": random_forest,
    "extra_trees": extra_trees,
    "hist_gradient_boosting": hist_gradient_boosting,
    "logistic_regression": logistic_regression,
}


def serial_prediction(pipeline: Pipeline) -> Pipeline:
    """Make a fitted pipeline predict single-threaded (reproducible sums)."""
    classifier = pipeline.named_steps["classifier"]
    if "n_jobs" in classifier.get_params():
        classifier.set_params(n_jobs=1)
    return pipeline
