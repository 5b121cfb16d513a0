"""Per-tree decision-path contributions (apis.ids.attribution): what the detail view shows as
the features that drove a score must add up to that score, name the right features and cost
one record's walk only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from apis.ids.attribution import TOP_FEATURES, attribute
from apis.ids.features import CATEGORICAL_FEATURES, CLASSES, FEATURE_NAMES
from apis.ids.ml.dataset import load_nsl_kdd
from apis.ids.scoring import TREE_INPUT, IdsModel, RecordError, assemble_matrix

from .support import neptune_record, normal_record


@pytest.fixture(scope="module")
def records(dataset_path: Path) -> list[dict[str, Any]]:
    """300 rows of every kind spread over the shipped data set, and one unknown service."""
    X = load_nsl_kdd(dataset_path).X
    rows = [dict(zip(FEATURE_NAMES, row, strict=True)) for row in X[:: len(X) // 300].tolist()]
    return [*rows, normal_record() | {"service": "quic"}]


def test_bias_plus_contributions_is_the_predicted_probability(
    model: IdsModel, records: list[dict[str, Any]]
) -> None:
    batch = model.score_batch(records)
    assert batch.score.min() < model.threshold < batch.score.max()  # both verdicts
    # The forest's P(attack): the half of the score the trees explain.
    scores = 1.0 - batch.proba[:, CLASSES.index("normal")]
    assert ((scores > 0) & (scores < 1)).sum() >= 10  # not only certain records
    biases = set()
    for record, score in zip(records, scores.tolist(), strict=True):
        result = attribute(model, record)
        total = result.bias + sum(result.contributions.values())
        assert total == pytest.approx(score, abs=1e-9)
        assert result.score == pytest.approx(score, abs=1e-9)
        biases.add(round(result.bias, 12))
    assert len(biases) == 1  # the prior at the roots: the same for every record


def test_contributions_match_a_plain_walk_down_each_tree(model: IdsModel) -> None:
    """An independent walk (children, thresholds) credits the same features the same amounts."""
    record = neptune_record()
    trees, X = model.forest_input([record])
    normal = model.normal_column
    expected = dict.fromkeys(FEATURE_NAMES, 0.0)
    for tree in trees:
        node = 0
        p_attack = 1 - tree.value[node, 0, normal] / tree.value[node, 0].sum()
        while tree.children_left[node] != -1:
            feature = int(tree.feature[node])
            go_left = X[0, feature] <= tree.threshold[node]
            node = int(tree.children_left[node] if go_left else tree.children_right[node])
            child = 1 - tree.value[node, 0, normal] / tree.value[node, 0].sum()
            expected[TREE_INPUT[feature]] += (child - p_attack) / len(trees)
            p_attack = child
    got = attribute(model, record).contributions
    for name in FEATURE_NAMES:
        assert got[name] == pytest.approx(expected[name], abs=1e-12), name


def test_the_trees_read_the_columns_named_by_tree_input(model: IdsModel) -> None:
    """The matrix explained is the pipeline's own transform, so each column's name is right."""
    records = [normal_record(), neptune_record(), normal_record() | {"flag": "QQ"}]
    _, X = model.forest_input(records)
    matrix = assemble_matrix(
        [[r[name] for name in CATEGORICAL_FEATURES] for r in records],
        np.array([[r[n] for n in FEATURE_NAMES if n not in CATEGORICAL_FEATURES] for r in records]),
    )
    transformed = model.pipeline.named_steps["features"].transform(matrix).astype(np.float32)
    np.testing.assert_array_equal(X, transformed)
    assert sorted(TREE_INPUT) == sorted(FEATURE_NAMES)


def test_top_features_are_the_largest_either_way(model: IdsModel) -> None:
    attack = attribute(model, neptune_record())
    top = attack.top()
    assert len(top) == TOP_FEATURES
    sizes = [abs(c) for _, c in top]
    assert sizes == sorted(sizes, reverse=True)
    rest = set(attack.contributions) - {name for name, _ in top}
    assert max(abs(attack.contributions[name]) for name in rest) <= sizes[-1]
    # A SYN flood is pushed towards attack; a plain ftp transfer away from it.
    assert sum(c for _, c in top) > 0
    assert sum(c for _, c in attribute(model, normal_record()).top()) < 0


def test_a_pipeline_of_another_shape_is_not_explained(model: IdsModel) -> None:
    generic = IdsModel(model.pipeline, model.metadata)
    generic._trees = None
    with pytest.raises(ValueError, match="only the forest pipelines"):
        attribute(generic, normal_record())


def test_a_bad_record_is_a_record_error(model: IdsModel) -> None:
    with pytest.raises(RecordError):
        attribute(model, normal_record() | {"src_bytes": float("nan")})
