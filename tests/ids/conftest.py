"""IDS test fixtures: the shipped data set, the committed model, one retrain."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from apis.ids.artifact import DEFAULT_MODEL_DIR, read_metadata
from apis.ids.scoring import IdsModel

from .support import DATASET, REPO_ROOT


@pytest.fixture(scope="session")
def dataset_path() -> Path:
    """The NSL-KDD training file shipped in apis/ids/data/ (gzip-compressed)."""
    return DATASET


@pytest.fixture(scope="session")
def committed_metadata() -> dict[str, Any]:
    return read_metadata(DEFAULT_MODEL_DIR)


@pytest.fixture(scope="session")
def model() -> IdsModel:
    return IdsModel.load(DEFAULT_MODEL_DIR)


@pytest.fixture(scope="session")
def retrained_dir(dataset_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run the real training command once per session into a temporary directory."""
    out = tmp_path_factory.mktemp("ids-model")
    proc = subprocess.run(
        [sys.executable, "-m", "apis.ids.ml.train", "--data", str(dataset_path), "--out", str(out)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, f"training failed:\n{proc.stderr[-4000:]}"
    assert proc.stdout.strip().endswith("metadata.json")
    assert "selected" in proc.stderr  # progress goes to stderr
    return out


@pytest.fixture(scope="session")
def retrained_metadata(retrained_dir: Path) -> dict[str, Any]:
    return read_metadata(retrained_dir)
