"""Load the committed model (verifying its hash) and score connection records.

Records are mappings with the 41 named features (apis.ids.schemas validates
them at the API edge). Work is done per column with numpy, never per row in
sklearn. For the forest pipelines the training script produces, the two slow
parts of ``pipeline.predict_proba`` are replaced by equivalent direct calls:

* the ColumnTransformer over a 41-column ``object`` matrix (about 3 ms per call
  and 40 ms per 10,000 rows here) becomes look-ups in the fitted
  OrdinalEncoder's vocabularies plus one float array;
* the forest's per-tree joblib dispatch (about 0.1 ms per tree even for a
  single row) becomes a plain loop over the fitted trees, summed in the same
  order, so the probabilities are bit-for-bit those of ``predict_proba``.

The test suite checks that equality; any other pipeline shape falls back to
``pipeline.predict_proba`` itself.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain, repeat
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder

from apis.ids.artifact import (
    DEFAULT_MODEL_DIR,
    ModelLoadError,
    load_pipeline,
    parse_pipeline,
    read_metadata,
)
from apis.ids.decision import attack_score, decide
from apis.ids.features import (
    CATEGORICAL_FEATURES,
    CATEGORICAL_INDEX,
    CLASSES,
    FEATURE_NAMES,
    N_FEATURES,
    NORMAL,
    NUMERIC_FEATURES,
    NUMERIC_INDEX,
)
from apis.ids.novelty import Novelty, NoveltyScore

ATTACK, NORMAL_VERDICT = "attack", "normal"
# The columns of the matrix the forest reads (the ColumnTransformer's output order).
TREE_INPUT: tuple[str, ...] = (*CATEGORICAL_FEATURES, *NUMERIC_FEATURES)
_FEATURE_SET = frozenset(FEATURE_NAMES)
_get_numeric = itemgetter(*NUMERIC_FEATURES)
_get_categorical = itemgetter(*CATEGORICAL_FEATURES)
_SERVICE = CATEGORICAL_FEATURES.index("service")


# Batches at least this large are built with the cyclic GC paused (see _gc_paused).
GC_PAUSE_MIN_ROWS = 1000


@contextmanager
def _gc_paused(rows: int) -> Iterator[None]:
    """Hold the cyclic garbage collector while a large batch is converted and answered.

    Building tens of thousands of tuples, dicts and results makes the collector
    walk every live object many times per batch (measured here: score() on
    10,000 rows took 1.6-3x as long with it running). Nothing built here forms
    reference cycles, so pausing it leaks nothing; it resumes on exit. If it was
    already off (another batch or the application), it is left alone.
    """
    if rows < GC_PAUSE_MIN_ROWS or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# Public name for callers that build large batches around the model (apis.ids.service).
gc_paused = _gc_paused


def assemble_matrix(categorical: Any, numeric: np.ndarray) -> np.ndarray:
    """Interleave categorical strings and float columns into the (n, 41) model input.

    The pipeline's input contract, in FEATURE_NAMES order: the training loader
    (apis.ids.ml.dataset) builds its matrix with this function too.
    """
    n = numeric.shape[0]
    X = np.empty((n, N_FEATURES), dtype=object)
    if n:
        X[:, CATEGORICAL_INDEX] = np.asarray(categorical, dtype=object).reshape(n, -1)
        X[:, NUMERIC_INDEX] = numeric
    return X


class RecordError(ValueError):
    """A record cannot be scored (missing/extra feature, non-numeric or non-finite value)."""


@dataclass(slots=True)
class RecordScore:
    verdict: str  # "attack" or "normal", from the threshold on score
    category: str  # one of CLASSES, consistent with verdict
    score: float  # the attack score the threshold applies to (see decide)
    probabilities: dict[str, float]  # per class, CLASSES order
    unknown_values: dict[str, str]  # categorical feature -> value never seen in training

    @property
    def has_unknown_values(self) -> bool:
        return bool(self.unknown_values)


@dataclass(frozen=True, slots=True)
class BatchScores:
    """Column-wise results for a batch: cheaper than one RecordScore per row."""

    proba: np.ndarray  # (n, len(CLASSES))
    score: np.ndarray  # (n,) the attack score
    is_attack: np.ndarray  # (n,) bool
    category_index: np.ndarray  # (n,) index into CLASSES
    unknown: np.ndarray  # (n, 3) bool, CATEGORICAL_FEATURES order
    categorical: list[list[Any]]  # raw values per categorical feature (columns)


def _explain(records: Sequence[Any]) -> RecordError:
    """Slow path after a failed conversion: name the first bad record and why."""
    for i, record in enumerate(records):
        if not isinstance(record, Mapping):
            return RecordError(
                f"record {i}: expected a mapping of features, got {type(record).__name__}"
            )
        missing = sorted(_FEATURE_SET - record.keys())
        extra = sorted(str(k) for k in record.keys() - _FEATURE_SET)
        if missing or extra:
            return RecordError(
                f"record {i}: missing features {missing}, unexpected features {extra}"
            )
        for name in NUMERIC_FEATURES:
            value = record[name]
            if isinstance(value, str) or not isinstance(value, int | float | np.number):
                return RecordError(f"record {i}: {name} must be a number, got {value!r}")
            if not math.isfinite(value):
                return RecordError(f"record {i}: {name} is not a finite number")
        for name in CATEGORICAL_FEATURES:
            if not isinstance(record[name], str):
                return RecordError(f"record {i}: {name} must be a string, got {record[name]!r}")
    return RecordError("records could not be converted to features")


class IdsModel:
    """The loaded model: ``IdsModel.load()`` then ``score(records)``."""

    def __init__(
        self,
        pipeline: Pipeline,
        metadata: dict[str, Any],
        novelty: dict[str, Any] | None = None,
    ) -> None:
        if tuple(metadata["classes"]) != CLASSES:
            raise ModelLoadError(f"model classes {metadata['classes']} differ from {list(CLASSES)}")
        schema = metadata["feature_schema"]
        if schema.get("order") != list(FEATURE_NAMES):
            raise ModelLoadError("model feature schema does not match the 41 NSL-KDD features")
        self.pipeline = pipeline
        self.metadata = metadata
        try:
            self.novelty = Novelty.from_state(novelty) if novelty is not None else None
        except (TypeError, ValueError) as exc:
            raise ModelLoadError(f"model novelty reference unusable: {exc}") from exc
        self.threshold = float(metadata["threshold"])
        self.version = str(metadata["version"])
        self._vocab = [
            frozenset(f["vocabulary"]) for f in schema["features"] if f["kind"] == "categorical"
        ]
        # predict_proba columns -> CLASSES positions (the model's classes are indices).
        self._columns = np.asarray(pipeline.classes_, dtype=np.int64)
        self._codes, self._unknown_code = self._fast_encoder(pipeline)
        self._trees = self._fast_forest(pipeline)

    @classmethod
    def load(cls, model_dir: str | Path = DEFAULT_MODEL_DIR) -> IdsModel:
        """Read metadata, verify the artifact's SHA-256, load it with skops.

        Raises ArtifactIntegrityError on a hash mismatch and ModelLoadError on
        any other problem, each with a message fit for a health check.
        """
        model_dir = Path(model_dir)
        metadata = read_metadata(model_dir)
        pipeline, novelty = load_pipeline(model_dir, metadata)
        return cls(pipeline, metadata, novelty)

    @classmethod
    def from_bytes(cls, data: bytes, metadata: dict[str, Any], *, origin: str) -> IdsModel:
        """A model kept elsewhere than a folder (the registry), checked the same way."""
        pipeline, novelty = parse_pipeline(data, metadata, origin=origin)
        return cls(pipeline, metadata, novelty)

    @property
    def uses_fast_path(self) -> bool:
        return self._codes is not None and self._trees is not None

    # -- fast paths, taken only when the pipeline has exactly the expected shape --

    def _fast_encoder(self, pipeline: Pipeline) -> tuple[list[dict[str, float]] | None, float]:
        features = pipeline.named_steps.get("features")
        if not isinstance(features, ColumnTransformer):
            return None, math.nan
        # The constructor spec still says "passthrough" (transformers_ holds an
        # identity FunctionTransformer in its place).
        layout = [
            (name, trans if isinstance(trans, str) else type(trans), list(cols))
            for name, trans, cols in features.transformers
        ]
        expected = [
            ("categorical", OrdinalEncoder, list(CATEGORICAL_INDEX)),
            ("numeric", "passthrough", list(NUMERIC_INDEX)),
        ]
        if layout != expected or features.remainder != "drop":
            return None, math.nan
        encoder = features.named_transformers_["categorical"]
        codes = [
            {str(v): float(code) for code, v in enumerate(cats)} for cats in encoder.categories_
        ]
        if [set(c) for c in codes] != [set(v) for v in self._vocab]:
            raise ModelLoadError("metadata vocabularies differ from the artifact's encoder")
        return codes, float(encoder.unknown_value)

    @staticmethod
    def _fast_forest(pipeline: Pipeline) -> list[Any] | None:
        forest = pipeline.named_steps.get("classifier")
        if type(forest) not in (RandomForestClassifier, ExtraTreesClassifier):
            return None
        if forest.n_outputs_ != 1:
            return None
        return [tree.tree_ for tree in forest.estimators_]

    def _encoded(
        self, codes: list[dict[str, float]], categorical: list[list[str]], numeric: np.ndarray
    ) -> np.ndarray:
        """Same float32 matrix the forest builds from the ColumnTransformer output: the
        categorical codes, then the numeric columns (TREE_INPUT order)."""
        n = numeric.shape[0]
        X = np.empty((n, N_FEATURES), dtype=np.float32)
        for j, (vocabulary, column) in enumerate(zip(codes, categorical, strict=True)):
            X[:, j] = np.fromiter(
                map(vocabulary.get, column, repeat(self._unknown_code)), np.float64, n
            )
        X[:, len(codes) :] = numeric
        return X

    def forest_input(self, records: Sequence[Mapping[str, Any]]) -> tuple[list[Any], np.ndarray]:
        """The fitted trees (``sklearn.tree._tree.Tree``) and the matrix they read for
        ``records``, its columns in TREE_INPUT order; for per-tree explanations.

        Raises RecordError for bad records and ValueError for a pipeline of another shape
        (no fast path: the trees' input is then not known here).
        """
        if self._codes is None or self._trees is None:
            raise ValueError("only the forest pipelines of the training script are supported")
        categorical, numeric = self._columns_of(records)
        return self._trees, self._encoded(self._codes, categorical, numeric)

    @property
    def normal_column(self) -> int:
        """The trees' output column of the class ``normal``."""
        return int(np.flatnonzero(self._columns == CLASSES.index(NORMAL))[0])

    # -- scoring --

    def _columns_of(
        self, records: Sequence[Mapping[str, Any]]
    ) -> tuple[list[list[str]], np.ndarray]:
        """Categorical columns (lists) and the numeric matrix, rejecting bad records."""
        n = len(records)
        try:
            # One flat stream converts ints and floats about twice as fast as
            # fromiter over per-record tuples.
            numeric = np.fromiter(
                chain.from_iterable(map(_get_numeric, records)),
                dtype=np.float64,
                count=n * len(NUMERIC_FEATURES),
            )
            rows = map(_get_categorical, records)
            categorical = [list(column) for column in zip(*rows, strict=True)]
        except (KeyError, TypeError, ValueError):
            raise _explain(records) from None
        # Every record has all 41 features by now, so a longer one has extras.
        if max(map(len, records)) != N_FEATURES or any(
            not set(map(type, column)) <= {str} for column in categorical
        ):
            raise _explain(records)
        if not np.isfinite(numeric).all():  # NaN, inf, or None (which numpy reads as NaN)
            raise _explain(records)
        return categorical, numeric.reshape(n, len(NUMERIC_FEATURES))

    def _proba(self, categorical: list[list[str]], numeric: np.ndarray) -> np.ndarray:
        n = numeric.shape[0]
        if n == 0:
            return np.zeros((0, len(CLASSES)))
        if self._codes is not None and self._trees is not None:
            X = self._encoded(self._codes, categorical, numeric)
            # Same arithmetic as ForestClassifier.predict_proba with n_jobs=1.
            raw = np.zeros((n, len(self._columns)))
            for tree in self._trees:
                raw += tree.predict(X)
            raw /= len(self._trees)
        else:
            rows = np.array(categorical, dtype=object).T
            raw = self.pipeline.predict_proba(assemble_matrix(rows, numeric))
        proba = np.zeros((n, len(CLASSES)))
        proba[:, self._columns] = raw
        return proba

    def novelty_parts(self, records: Sequence[Mapping[str, Any]]) -> NoveltyScore | None:
        """The two normal percentiles the score is the larger of; None for forest-only
        versions. Raises RecordError for bad records."""
        if self.novelty is None or not records:
            return None
        categorical, numeric = self._columns_of(records)
        forest = attack_score(self._proba(categorical, numeric))
        return self.novelty.blend(forest, numeric, categorical[_SERVICE])

    def score_batch(self, records: Sequence[Mapping[str, Any]]) -> BatchScores:
        """Score records column-wise (the fast form for large batches)."""
        with _gc_paused(len(records)):
            return self._score_batch(records)

    def _score_batch(self, records: Sequence[Mapping[str, Any]]) -> BatchScores:
        if not records:
            return self._score_columns(
                [[] for _ in CATEGORICAL_FEATURES], np.zeros((0, len(NUMERIC_FEATURES)))
            )
        categorical, numeric = self._columns_of(records)
        return self._score_columns(categorical, numeric)

    def score_columns(
        self, categorical: Sequence[Sequence[str]], numeric: np.ndarray
    ) -> BatchScores:
        """Score data that is already column-shaped (e.g. a parsed CSV upload).

        ``categorical``: three equal-length sequences of strings (protocol_type,
        service, flag); ``numeric``: float array (n, 38) in NUMERIC_FEATURES order.
        Skips reading values out of per-record dicts, the dominant cost of score().
        """
        numeric = np.asarray(numeric, dtype=np.float64)
        columns = [list(column) for column in categorical]
        n = numeric.shape[0] if numeric.ndim == 2 else -1
        if numeric.shape != (n, len(NUMERIC_FEATURES)) or len(columns) != len(CATEGORICAL_FEATURES):
            raise RecordError("expected 3 categorical columns and a (n, 38) numeric array")
        if any(len(column) != n for column in columns):
            raise RecordError("categorical columns and numeric rows differ in length")
        if any(not set(map(type, column)) <= {str} for column in columns):
            raise RecordError("protocol_type, service and flag must be strings")
        if not np.isfinite(numeric).all():
            raise RecordError("numeric features must be finite numbers")
        with _gc_paused(n):
            return self._score_columns(columns, numeric)

    def _score_columns(self, categorical: list[list[str]], numeric: np.ndarray) -> BatchScores:
        n = numeric.shape[0]
        proba = self._proba(categorical, numeric)
        score = attack_score(proba)
        if self.novelty is not None and n:
            score = self.novelty.blend(score, numeric, categorical[_SERVICE]).score
        is_attack, category_index = decide(score, proba, self.threshold)
        unknown = np.empty((n, len(CATEGORICAL_FEATURES)), dtype=bool)
        for j, (vocab, column) in enumerate(zip(self._vocab, categorical, strict=True)):
            unknown[:, j] = ~np.fromiter(map(vocab.__contains__, column), bool, n)
        return BatchScores(
            proba=proba,
            score=score,
            is_attack=is_attack,
            category_index=category_index,
            unknown=unknown,
            categorical=categorical,
        )

    def score(self, records: Sequence[Mapping[str, Any]]) -> list[RecordScore]:
        """Score records; unknown categorical values are scored anyway and listed."""
        with _gc_paused(len(records)):
            return self._score(records)

    def _score(self, records: Sequence[Mapping[str, Any]]) -> list[RecordScore]:
        batch = self._score_batch(records)
        unknown_rows = set(np.flatnonzero(batch.unknown.any(axis=1)).tolist())
        # Plain-Python look-ups reuse the same str objects instead of minting
        # 10,000 new ones from numpy string arrays.
        verdicts = map((NORMAL_VERDICT, ATTACK).__getitem__, batch.is_attack.tolist())
        categories = map(CLASSES.__getitem__, batch.category_index.tolist())
        probabilities = (dict(zip(CLASSES, p, strict=True)) for p in batch.proba.tolist())
        no_unknowns: Iterator[dict[str, str]] = ({} for _ in range(len(records)))
        results = list(
            map(RecordScore, verdicts, categories, batch.score.tolist(), probabilities, no_unknowns)
        )
        for i in unknown_rows:
            results[i].unknown_values = {
                name: batch.categorical[j][i]
                for j, name in enumerate(CATEGORICAL_FEATURES)
                if batch.unknown[i, j]
            }
        return results
