"""The novelty half of the score: what it measures, how it is served, and old artifacts."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from apis.ids.artifact import (
    ARTIFACT_NAME,
    METADATA_NAME,
    ModelLoadError,
    dump_pipeline,
    write_metadata,
)
from apis.ids.decision import attack_score
from apis.ids.features import CLASSES, FEATURE_NAMES, NUMERIC_INDEX
from apis.ids.ml.candidates import CANDIDATES
from apis.ids.ml.dataset import load_nsl_kdd
from apis.ids.ml.training import feature_schema
from apis.ids.novelty import UNSEEN_SERVICE_PENALTY
from apis.ids.scoring import IdsModel

from .support import normal_record


def as_records(X: np.ndarray) -> list[dict[str, Any]]:
    return [dict(zip(FEATURE_NAMES, row, strict=True)) for row in X.tolist()]


def test_the_score_is_the_larger_of_the_two_normal_percentiles(model: IdsModel) -> None:
    assert model.novelty is not None
    X = load_nsl_kdd().X[::50]
    records = as_records(X)
    parts = model.novelty_parts(records)
    assert parts is not None
    batch = model.score_batch(records)
    np.testing.assert_array_equal(
        batch.score, np.maximum(parts.forest_percentile, parts.novelty_percentile)
    )
    assert ((batch.score >= model.threshold) == batch.is_attack).all()
    # Percentiles: shares of the normal training rows.
    assert batch.score.min() >= 0 and batch.score.max() <= 1


def test_a_normal_training_connection_is_not_novel(model: IdsModel) -> None:
    """Its own row is in the reference, at distance 0: nothing normal is closer."""
    parts = model.novelty_parts([normal_record()])
    assert parts is not None
    assert parts.novelty_percentile[0] == 0.0
    assert model.score([normal_record()])[0].verdict == "normal"


def test_an_unseen_service_is_compared_with_every_normal_row_and_penalised(
    model: IdsModel,
) -> None:
    assert model.novelty is not None
    record = normal_record()
    numeric = np.array([[record[FEATURE_NAMES[i]] for i in NUMERIC_INDEX]], dtype=np.float64)
    known = model.novelty.distance(numeric, [record["service"]])
    unseen = model.novelty.distance(numeric, ["quic"])
    # The record's own row is in the whole reference too, so only the penalty remains.
    assert known[0] == 0.0 and unseen[0] == pytest.approx(UNSEEN_SERVICE_PENALTY)
    [scored] = model.score([record | {"service": "quic"}])
    assert scored.unknown_values == {"service": "quic"}
    assert scored.score > model.score([record])[0].score


def test_training_and_serving_agree_and_novelty_catches_what_the_forest_never_saw(
    model: IdsModel, tmp_path: Path
) -> None:
    """A detector fitted without warezclient (one row in five, for speed), written as an
    artifact and loaded by the service, scores rows exactly as validation did; and some
    warezclient rows, which the forest passes, are flagged by the novelty half."""
    ds = load_nsl_kdd()
    unseen = ds.labels == "warezclient"
    rows = np.flatnonzero(~unseen)[::5]
    y = np.array([CLASSES.index(c) for c in ds.categories[rows]])
    detector = CANDIDATES["random_forest_with_novelty"]().fit(ds.X[rows], y)
    assert detector.novelty is not None
    sha = dump_pipeline(detector.pipeline, tmp_path / ARTIFACT_NAME, detector.novelty.state())
    metadata = json.loads(json.dumps(model.metadata))  # a deep copy of the committed card
    metadata["artifact"] |= {"sha256": sha}
    metadata["feature_schema"] = feature_schema(SimpleNamespace(X=ds.X[rows]), detector.pipeline)
    write_metadata(metadata, tmp_path / METADATA_NAME)
    served = IdsModel.load(tmp_path)

    X = np.concatenate([ds.X[1::7], ds.X[unseen]])
    proba = detector.predict_proba(X)
    np.testing.assert_array_equal(served.score_batch(as_records(X)).score, detector.score(X, proba))

    parts = served.novelty_parts(as_records(ds.X[unseen]))
    assert parts is not None
    cut = model.threshold  # the committed threshold stands in for this fit's
    caught_by_novelty_only = (parts.forest_percentile < cut) & (parts.novelty_percentile >= cut)
    assert caught_by_novelty_only.sum() >= 10


def test_a_forest_only_artifact_still_loads_and_scores_p_attack(
    model: IdsModel, tmp_path: Path
) -> None:
    """Versions registered before the novelty half (a bare pipeline) keep serving."""
    sha = dump_pipeline(model.pipeline, tmp_path / ARTIFACT_NAME)
    metadata = dict(model.metadata)
    metadata["artifact"] = dict(metadata["artifact"]) | {"sha256": sha}
    write_metadata(metadata, tmp_path / METADATA_NAME)
    old = IdsModel.load(tmp_path)
    assert old.novelty is None
    records = as_records(load_nsl_kdd().X[::100])
    batch = old.score_batch(records)
    np.testing.assert_array_equal(batch.score, attack_score(batch.proba))
    assert old.novelty_parts(records) is None


def test_a_damaged_novelty_reference_is_refused(model: IdsModel, tmp_path: Path) -> None:
    assert model.novelty is not None
    state = model.novelty.state() | {"format": 99}
    sha = dump_pipeline(model.pipeline, tmp_path / ARTIFACT_NAME, state)
    metadata = dict(model.metadata)
    metadata["artifact"] = dict(metadata["artifact"]) | {"sha256": sha}
    write_metadata(metadata, tmp_path / METADATA_NAME)
    with pytest.raises(ModelLoadError, match="novelty"):
        IdsModel.load(tmp_path)
