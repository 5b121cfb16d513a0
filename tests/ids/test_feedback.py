"""Reading the analysts' labels as a training supplement: what each label trains as, and the
files that are refused with the line to fix."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from apis.ids.csv_export import HEADER
from apis.ids.features import FEATURE_NAMES
from apis.ids.ml.dataset import DatasetError
from apis.ids.ml.feedback import load_feedback

from .support import neptune_record, normal_record


def row(record: dict[str, Any], *, label: str, verdict: str, category: str, id_: int) -> dict:
    probabilities = {"p_normal": 0.7, "p_DoS": 0.05, "p_Probe": 0.05, "p_R2L": 0.15, "p_U2R": 0.05}
    return {
        "id": id_,
        "verdict": verdict,
        "category": category,
        **probabilities,
        **record,
        "triage_label": label,
    }


def write(path: Path, rows: list[dict], header: tuple[str, ...] = HEADER) -> Path:
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, extrasaction="ignore", restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_each_label_trains_as_the_class_an_analyst_meant(tmp_path: Path) -> None:
    rows = [
        row(neptune_record(), label="confirmed_attack", verdict="attack", category="DoS", id_=1),
        # A miss: served normal, confirmed an attack: trained as its likeliest attack class.
        row(normal_record(), label="confirmed_attack", verdict="normal", category="normal", id_=2),
        row(normal_record(), label="false_positive", verdict="attack", category="Probe", id_=3),
        row(normal_record(), label="benign_expected", verdict="attack", category="DoS", id_=4),
        row(normal_record(), label="", verdict="normal", category="normal", id_=5),  # unlabelled
        row(neptune_record(), label="confirmed_attack", verdict="attack", category="DoS", id_=1),
    ]
    feedback = load_feedback(write(tmp_path / "labels.csv", rows))
    assert feedback.categories.tolist() == ["DoS", "R2L", "normal", "normal"]
    assert feedback.labels.tolist() == [
        "confirmed_attack",
        "confirmed_attack",
        "false_positive",
        "benign_expected",
    ]
    assert feedback.served_attack.tolist() == [True, False, True, True]
    assert feedback.X.shape == (4, len(FEATURE_NAMES))
    assert feedback.X[0, FEATURE_NAMES.index("flag")] == "S0"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"triage_label": "maybe"}, r"labels.csv:2: unknown triage label 'maybe'"),
        ({"src_bytes": "lots"}, r"labels.csv:2: could not convert"),
        ({"src_bytes": "nan"}, r"labels.csv:2: a feature is not a finite number"),
        ({"src_bytes": "inf"}, r"labels.csv:2: a feature is not a finite number"),
    ],
)
def test_a_bad_row_is_refused_with_its_line(tmp_path: Path, change: dict, message: str) -> None:
    base = row(normal_record(), label="false_positive", verdict="attack", category="DoS", id_=1)
    with pytest.raises(DatasetError, match=message):
        load_feedback(write(tmp_path / "labels.csv", [base | change]))


def test_a_file_that_is_not_the_export_says_how_to_get_one(tmp_path: Path) -> None:
    path = write(tmp_path / "labels.csv", [], header=("id", "label"))
    with pytest.raises(DatasetError, match=r"label=labelled&format=csv"):
        load_feedback(path)
    with pytest.raises(DatasetError, match="not found"):
        load_feedback(tmp_path / "missing.csv")
