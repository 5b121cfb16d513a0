"""Why the forest scored one record as it did: per-tree decision-path contributions.

The Saabas method (as in the ``treeinterpreter`` package). In each tree, the record follows
one path from the root to a leaf; every node holds the share of each class among the
training samples that reached it. Each step down the path changes P(attack) = 1 - P(normal),
and that change is credited to the feature the step's split tested. So, per tree,

    leaf P(attack) = root P(attack) + sum of the changes along the path,

and averaging over the trees (as the forest averages their leaves) gives exactly

    score = bias + sum over the 41 features of their contributions,

where ``bias`` is the trees' mean root P(attack) (the training prior, the same for every
record). A positive contribution pushed this record's score towards attack. Only the splits
on this record's own path count, so it costs one walk per tree, done for one record on
request: batch scoring never pays for it.

It is a local, model-specific account, not a causal one: a feature tested higher in a tree
is credited with the change at its split, whatever later splits do (see
docs/ids-service.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from apis.ids.scoring import TREE_INPUT, IdsModel

METHOD = "saabas"
TOP_FEATURES = 5


@dataclass(frozen=True, slots=True)
class Attribution:
    bias: float  # the trees' mean P(attack) at their roots
    contributions: dict[str, float]  # every feature's signed share of score - bias
    # bias + sum(contributions): the forest's P(attack) for the record. For versions with a
    # novelty half that is one of the two parts of the attack score (apis.ids.novelty).
    score: float

    def top(self, n: int = TOP_FEATURES) -> list[tuple[str, float]]:
        """The n features with the largest contributions either way, largest first."""
        ranked = sorted(self.contributions.items(), key=lambda item: (-abs(item[1]), item[0]))
        return ranked[:n]


def attribute(model: IdsModel, record: Mapping[str, Any]) -> Attribution:
    """Contributions of each feature to ``record``'s P(attack) under ``model``.

    Raises ValueError for a model whose trees cannot be reached (see IdsModel.forest_input)
    and RecordError for a record that cannot be scored.
    """
    trees, X = model.forest_input([record])
    normal = model.normal_column
    contributions = np.zeros(len(TREE_INPUT))
    bias = 0.0
    for tree in trees:
        # Node ids grow from a parent to its children, so the sorted ids are the path in order.
        path = np.sort(tree.decision_path(X).indices)
        values = tree.value[path, 0, :]
        p_attack = 1.0 - values[:, normal] / values.sum(axis=1)
        bias += p_attack[0]
        np.add.at(contributions, tree.feature[path[:-1]], np.diff(p_attack))
    contributions /= len(trees)
    bias /= len(trees)
    return Attribution(
        bias=float(bias),
        contributions=dict(zip(TREE_INPUT, contributions.tolist(), strict=True)),
        score=float(bias + contributions.sum()),
    )
