"""The scorer: integrity checks on load, unknown categories, exactness, input errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from apis.ids.artifact import (
    ARTIFACT_NAME,
    DEFAULT_MODEL_DIR,
    METADATA_NAME,
    ArtifactIntegrityError,
    ModelLoadError,
)
from apis.ids.features import CATEGORICAL_FEATURES, CLASSES, FEATURE_NAMES, NUMERIC_FEATURES
from apis.ids.ml.dataset import load_nsl_kdd
from apis.ids.scoring import IdsModel, RecordError

from .support import neptune_record, normal_record


@pytest.fixture()
def model_copy(tmp_path: Path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(DEFAULT_MODEL_DIR, target)
    return target


# -- integrity --------------------------------------------------------------


def test_committed_model_loads_and_matches_metadata(model: IdsModel) -> None:
    assert model.threshold == model.metadata["threshold"]
    assert model.uses_fast_path


def test_truncated_artifact_is_refused(model_copy: Path) -> None:
    artifact = model_copy / ARTIFACT_NAME
    artifact.write_bytes(artifact.read_bytes()[:-100])
    with pytest.raises(ArtifactIntegrityError, match=r"integrity check.*truncated"):
        IdsModel.load(model_copy)


def test_altered_artifact_is_refused(model_copy: Path) -> None:
    artifact = model_copy / ARTIFACT_NAME
    data = bytearray(artifact.read_bytes())
    data[len(data) // 2] ^= 0x01  # one flipped bit, same size
    artifact.write_bytes(bytes(data))
    with pytest.raises(ArtifactIntegrityError) as excinfo:
        IdsModel.load(model_copy)
    assert ARTIFACT_NAME in str(excinfo.value) and "SHA-256" in str(excinfo.value)


def test_metadata_hash_edit_is_refused(model_copy: Path) -> None:
    meta_path = model_copy / METADATA_NAME
    meta = json.loads(meta_path.read_text())
    meta["artifact"]["sha256"] = "0" * 64
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ArtifactIntegrityError):
        IdsModel.load(model_copy)


def test_integrity_error_is_a_model_load_error() -> None:
    # /healthz can catch one type for every reason the model is unavailable.
    assert issubclass(ArtifactIntegrityError, ModelLoadError)


def test_missing_files_raise_model_load_error(model_copy: Path) -> None:
    (model_copy / ARTIFACT_NAME).unlink()
    with pytest.raises(ModelLoadError, match="unreadable"):
        IdsModel.load(model_copy)
    (model_copy / METADATA_NAME).unlink()
    with pytest.raises(ModelLoadError, match="metadata not found"):
        IdsModel.load(model_copy)


# -- scoring ----------------------------------------------------------------


def test_scores_normal_and_attack_records(model: IdsModel) -> None:
    normal, attack = model.score([normal_record(), neptune_record()])
    assert (normal.verdict, normal.category) == ("normal", "normal")
    assert (attack.verdict, attack.category) == ("attack", "DoS")
    for result in (normal, attack):
        assert list(result.probabilities) == list(CLASSES)
        assert sum(result.probabilities.values()) == pytest.approx(1.0)
        assert result.score == pytest.approx(1.0 - result.probabilities["normal"])
        assert result.unknown_values == {} and not result.has_unknown_values


def test_unknown_categorical_values_are_scored_and_flagged(model: IdsModel) -> None:
    record = neptune_record() | {"service": "quic", "flag": "ZZ"}
    known = normal_record()
    results = model.score([record, known])
    flagged, clean = results
    assert flagged.unknown_values == {"service": "quic", "flag": "ZZ"}
    assert flagged.has_unknown_values
    assert 0.0 <= flagged.score <= 1.0 and flagged.verdict in ("attack", "normal")
    assert clean.unknown_values == {}
    # Scored exactly as the sklearn pipeline scores the same unseen values.
    row = np.array([[record[n] for n in FEATURE_NAMES]], dtype=object)
    expected = model.pipeline.predict_proba(row)[0]
    assert [flagged.probabilities[c] for c in CLASSES] == expected.tolist()


def test_unknown_protocol_is_flagged_too(model: IdsModel) -> None:
    (result,) = model.score([normal_record() | {"protocol_type": "sctp"}])
    assert result.unknown_values == {"protocol_type": "sctp"}


def test_fast_path_equals_pipeline_predict_proba(model: IdsModel, dataset_path: Path) -> None:
    X = load_nsl_kdd(dataset_path).X
    records = [dict(zip(FEATURE_NAMES, row, strict=True)) for row in X.tolist()]
    batch = model.score_batch(records)
    np.testing.assert_array_equal(batch.proba, model.pipeline.predict_proba(X))
    assert not batch.unknown.any()


def test_verdict_follows_threshold_and_category_follows_verdict(
    model: IdsModel, dataset_path: Path
) -> None:
    X = load_nsl_kdd(dataset_path).X[:3000]
    records = [dict(zip(FEATURE_NAMES, row, strict=True)) for row in X.tolist()]
    for result in model.score(records):
        assert (result.verdict == "attack") == (result.score >= model.threshold)
        if result.verdict == "normal":
            assert result.category == "normal"
        else:
            attack_probs = {c: p for c, p in result.probabilities.items() if c != "normal"}
            assert result.category == max(attack_probs, key=attack_probs.get)


def test_score_empty_batch(model: IdsModel) -> None:
    assert model.score([]) == []
    assert model.score_batch([]).proba.shape == (0, len(CLASSES))
    generic = IdsModel(model.pipeline, model.metadata)
    generic._codes = None
    assert generic.score([]) == []


def test_score_columns_matches_score_batch(model: IdsModel, dataset_path: Path) -> None:
    X = load_nsl_kdd(dataset_path).X[:2000]
    records = [dict(zip(FEATURE_NAMES, row, strict=True)) for row in X.tolist()]
    records[5] = records[5] | {"service": "quic"}
    categorical = [[r[name] for r in records] for name in CATEGORICAL_FEATURES]
    numeric = np.array([[r[n] for n in NUMERIC_FEATURES] for r in records], dtype=np.float64)
    by_columns = model.score_columns(categorical, numeric)
    by_records = model.score_batch(records)
    np.testing.assert_array_equal(by_columns.proba, by_records.proba)
    np.testing.assert_array_equal(by_columns.unknown, by_records.unknown)
    assert by_columns.unknown[5].tolist() == [False, True, False]


@pytest.mark.parametrize(
    ("categorical", "numeric", "message"),
    [
        ([["tcp"], ["http"]], np.zeros((1, 38)), "3 categorical columns"),
        ([["tcp"], ["http"], ["SF"]], np.zeros((1, 37)), r"\(n, 38\)"),
        ([["tcp"], ["http"], ["SF", "S0"]], np.zeros((1, 38)), "differ in length"),
        ([["tcp"], [80], ["SF"]], np.zeros((1, 38)), "must be strings"),
        ([["tcp"], ["http"], ["SF"]], np.full((1, 38), np.inf), "finite"),
    ],
)
def test_score_columns_rejects_bad_shapes(
    model: IdsModel, categorical: list, numeric: np.ndarray, message: str
) -> None:
    with pytest.raises(RecordError, match=message):
        model.score_columns(categorical, numeric)


def test_generic_path_matches_fast_path(model: IdsModel) -> None:
    generic = IdsModel(model.pipeline, model.metadata)
    generic._codes = None  # force pipeline.predict_proba
    records = [normal_record(), neptune_record(), neptune_record() | {"service": "quic"}]
    fast = model.score_batch(records)
    slow = generic.score_batch(records)
    np.testing.assert_array_equal(fast.proba, slow.proba)
    np.testing.assert_array_equal(fast.unknown, slow.unknown)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r.pop("src_bytes"), r"record 1: missing features \['src_bytes'\]"),
        (lambda r: r.update(difficulty=20), r"unexpected features \['difficulty'\]"),
        (lambda r: r.update(src_bytes="lots"), "src_bytes must be a number"),
        (lambda r: r.update(count=None), "count must be a number"),
        (lambda r: r.update(serror_rate=float("nan")), "serror_rate is not a finite number"),
        (lambda r: r.update(service=7), "service must be a string"),
    ],
)
def test_bad_records_are_rejected_with_the_reason(model: IdsModel, change, message: str) -> None:
    bad = normal_record()
    change(bad)
    with pytest.raises(RecordError, match=message):
        model.score([normal_record(), bad])


def test_non_mapping_record_is_rejected(model: IdsModel) -> None:
    with pytest.raises(RecordError, match="expected a mapping"):
        model.score([list(normal_record().values())])


def test_categorical_features_are_the_three_strings() -> None:
    assert CATEGORICAL_FEATURES == ("protocol_type", "service", "flag")
