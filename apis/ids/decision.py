"""The decision rule turning an attack score and class probabilities into a verdict and a
category.

Validation metrics and the live scorer both call this, so the reported numbers
describe exactly what the service answers.
"""

from __future__ import annotations

import numpy as np

from apis.ids.features import CLASSES, NORMAL

NORMAL_INDEX = CLASSES.index(NORMAL)
if NORMAL_INDEX != 0:  # decide() slices the attack columns as proba[:, 1:]
    raise ImportError("CLASSES must list normal first")


def attack_score(proba: np.ndarray) -> np.ndarray:
    """P(attack) = 1 - P(normal), for probability columns in CLASSES order."""
    return 1.0 - proba[:, NORMAL_INDEX]


def decide(score: np.ndarray, proba: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Return (is_attack, class index in CLASSES) for each row.

    ``score`` is the attack score: P(attack) for forest-only versions, the blend with novelty
    otherwise (apis.ids.novelty). The binary verdict comes from the tuned threshold on it,
    not from the argmax, so the category follows the verdict: ``normal`` when the verdict is
    normal, otherwise the most probable attack class (even where P(normal) is the single
    largest probability, as for an attack only the novelty half caught).
    """
    is_attack = score >= threshold
    best_attack = 1 + np.argmax(proba[:, 1:], axis=1)
    return is_attack, np.where(is_attack, best_attack, NORMAL_INDEX)
