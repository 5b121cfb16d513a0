"""How unlike normal traffic a connection is: the novelty half of the attack score.

A forest only knows the attacks it was shown; a connection of a new kind often looks normal
to it. This measures the other side: how far a connection lies from the *normal* training
connections of its own service, so an attack the forest never saw still stands out when no
normal connection resembles it.

* Space: the numeric features the forest found most telling (``features``), log1p-scaled
  (byte counts and durations span nine orders of magnitude), standardised on normal rows.
* Novelty: the distance to the nearest normal connection of the same service (the mean
  over the ``NEIGHBOURS`` nearest, which is 1: 2, 3 and 5 caught fewer unseen attacks).
  Services with fewer than ``MIN_SERVICE_ROWS`` normal rows, and services never seen, are
  compared with every normal row, plus ``UNSEEN_SERVICE_PENALTY``.
* Both halves become *normal percentiles*: the share of normal training connections scoring
  lower (the forest's from its out-of-bag votes, the novelty's leaving each row
  out of its own neighbours), so neither half's scale dominates. The attack score is the
  larger of the two: a connection is flagged when the forest *or* the novelty puts it among
  the most unusual normal traffic, so the attacks the forest knows keep its detection (their
  mean lost half of the known R2L attacks). The threshold on it is chosen by validation like
  any other, and the false-alarm budget is shared between the two halves.

Exact nearest neighbours come from ``scipy.spatial.cKDTree``, built when the model loads
from plain arrays kept in the artifact (so loading trusts no new type).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.spatial import cKDTree

NEIGHBOURS = 1
MIN_SERVICE_ROWS = 20
UNSEEN_SERVICE_PENALTY = 1.0
STATE_FORMAT = 1


def _percentile(sorted_reference: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Share of the reference strictly below each value: 0 for a connection as ordinary as
    the most ordinary normal ones (a forest score of 0, a normal twin at distance 0), 1 above
    every normal one."""
    return np.searchsorted(sorted_reference, values, side="left") / len(sorted_reference)


@dataclass(frozen=True, slots=True)
class NoveltyScore:
    """Column-wise parts of a batch's attack score."""

    score: np.ndarray  # (n,) the larger of the two normal percentiles: the attack score
    forest_percentile: np.ndarray  # (n,)
    novelty_percentile: np.ndarray  # (n,)


class Novelty:
    """Fitted reference of normal connections; ``fit`` for training, ``from_state`` to serve."""

    def __init__(
        self,
        features: np.ndarray,
        center: np.ndarray,
        scale: np.ndarray,
        services: list[str],
        reference: np.ndarray,
        service_index: np.ndarray,
        distance_reference: np.ndarray,
        forest_reference: np.ndarray,
    ) -> None:
        self.features = np.asarray(features, dtype=np.int64)
        self.center = np.asarray(center, dtype=np.float64)
        self.scale = np.asarray(scale, dtype=np.float64)
        self.services = list(services)
        self.reference = np.asarray(reference, dtype=np.float64)
        self.service_index = np.asarray(service_index, dtype=np.int64)  # -1: shared only
        self.distance_reference = np.sort(np.asarray(distance_reference, dtype=np.float64))
        self.forest_reference = np.sort(np.asarray(forest_reference, dtype=np.float64))
        if self.reference.shape != (len(self.service_index), len(self.features)):
            raise ValueError("novelty reference rows do not match their features")
        self._everyone = cKDTree(self.reference)
        self._trees = {
            name: cKDTree(self.reference[self.service_index == i])
            for i, name in enumerate(self.services)
        }

    # -- training --

    @classmethod
    def fit(
        cls,
        numeric: np.ndarray,
        service: np.ndarray,
        features: np.ndarray,
        forest_scores_of_normal: np.ndarray,
    ) -> Novelty:
        """Learn the reference from *normal* rows only: ``numeric`` (n, 38), their service
        names, the chosen feature columns and the forest's out-of-bag P(attack) for them."""
        z = np.log1p(np.maximum(numeric[:, features], 0.0))
        center, scale = z.mean(axis=0), z.std(axis=0)
        scale[scale == 0] = 1.0
        reference = (z - center) / scale
        names, counts = np.unique(service.astype(str), return_counts=True)
        services = sorted(
            str(s) for s, c in zip(names, counts, strict=True) if c >= MIN_SERVICE_ROWS
        )
        position = {s: i for i, s in enumerate(services)}
        service_index = np.array([position.get(str(s), -1) for s in service], dtype=np.int64)
        # Each normal row's own novelty, leaving it out of its neighbours.
        left_out = np.empty(len(reference))
        everyone = cKDTree(reference)
        shared = service_index == -1
        if shared.any():
            left_out[shared] = _mean_distance(everyone, reference[shared], skip_self=True)
            left_out[shared] += UNSEEN_SERVICE_PENALTY
        for i in range(len(services)):
            own = service_index == i
            tree = cKDTree(reference[own])
            left_out[own] = _mean_distance(tree, reference[own], skip_self=True)
        return cls(
            features, center, scale, services, reference, service_index, left_out,
            forest_scores_of_normal,
        )  # fmt: skip

    # -- serving --

    def distance(self, numeric: np.ndarray, service: list[str]) -> np.ndarray:
        """Mean distance of each row to its nearest normal reference rows (see module)."""
        n = numeric.shape[0]
        z = (np.log1p(np.maximum(numeric[:, self.features], 0.0)) - self.center) / self.scale
        out = np.empty(n)
        # Row numbers per service in one pass (a mask per service costs ~0.1 ms each).
        rows_of: dict[str, list[int]] = {}
        for i, name in enumerate(service):
            rows_of.setdefault(name, []).append(i)
        shared: list[int] = []
        for name, rows in rows_of.items():
            tree = self._trees.get(name)
            if tree is None:
                shared.extend(rows)
            else:
                out[rows] = _mean_distance(tree, z[rows], skip_self=False)
        if shared:
            out[shared] = _mean_distance(self._everyone, z[shared], skip_self=False)
            out[shared] += UNSEEN_SERVICE_PENALTY
        return out

    def blend(
        self, forest_score: np.ndarray, numeric: np.ndarray, service: list[str]
    ) -> NoveltyScore:
        forest = _percentile(self.forest_reference, forest_score)
        novelty = _percentile(self.distance_reference, self.distance(numeric, service))
        return NoveltyScore(
            score=np.maximum(forest, novelty), forest_percentile=forest, novelty_percentile=novelty
        )

    # -- the artifact holds plain arrays, never the trees --

    def state(self) -> dict[str, Any]:
        return {
            "format": STATE_FORMAT,
            "features": self.features,
            "center": self.center,
            "scale": self.scale,
            "services": list(self.services),
            "reference": self.reference,
            "service_index": self.service_index,
            "distance_reference": self.distance_reference,
            "forest_reference": self.forest_reference,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Novelty:
        if state.get("format") != STATE_FORMAT:
            raise ValueError(f"novelty state format {state.get('format')!r} is not {STATE_FORMAT}")
        return cls(**{k: v for k, v in state.items() if k != "format"})

    def describe(self, feature_names: tuple[str, ...]) -> dict[str, Any]:
        """What the model card says about this half of the score."""
        return {
            "features": [feature_names[i] for i in self.features.tolist()],
            "neighbours": NEIGHBOURS,
            "reference_rows": len(self.reference),
            "services_with_own_reference": len(self.services),
            "min_service_rows": MIN_SERVICE_ROWS,
            "unseen_service_penalty": UNSEEN_SERVICE_PENALTY,
        }


def _mean_distance(tree: cKDTree, rows: np.ndarray, *, skip_self: bool) -> np.ndarray:
    if not len(rows):
        return np.empty(0)
    k = NEIGHBOURS + int(skip_self)
    k = min(k, tree.n)
    found, _ = tree.query(rows, k=k)
    distances = np.asarray(found, dtype=np.float64).reshape(len(rows), -1)
    if skip_self and distances.shape[1] > 1:
        distances = distances[:, 1:]  # the row itself (or an exact duplicate) at distance 0
    mean: np.ndarray = distances.mean(axis=1)
    return mean
