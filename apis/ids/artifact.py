"""Writing and reading the model artifact (skops) and its metadata, with integrity checks.

skops rebuilds objects from a schema instead of unpickling, so loading runs no
code from the file; only the types below are trusted beyond skops' defaults.
The artifact's SHA-256 is recorded in metadata.json and checked before the
artifact is parsed, so a truncated or altered file is refused up front.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import skops.io as sio
from sklearn.pipeline import Pipeline

ARTIFACT_NAME = "ids_model.skops"
METADATA_NAME = "metadata.json"
CONFUSION_MATRIX_NAME = "confusion_matrix.svg"
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "model"

# Types that skops does not trust by default but the candidate pipelines need:
# fitted tree structures and the validator HistGradientBoosting keeps as a
# functools.partial. Nothing else is accepted when loading.
TRUSTED_TYPES: tuple[str, ...] = (
    "functools.partial",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.tree._tree.Tree",
    "sklearn.utils.validation.check_array",
)


class ModelLoadError(RuntimeError):
    """The model could not be loaded; the message says why (for /healthz)."""


class ArtifactIntegrityError(ModelLoadError):
    """The artifact's SHA-256 does not match metadata.json (tampered or truncated)."""


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


# skops names the arrays and memo entries of its zip by id() of the objects in the writing
# process, and zip entries carry the time they were written. Both are rewritten (ids numbered
# in order of first appearance, one fixed time), so the same fit gives the same bytes and
# `train` reproduces the committed artifact's SHA-256.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_SCHEMA = "schema.json"
_OBJECT_ID = re.compile(r'("__id__": )(\d+)|("file": ")(\d+)(\.npy")')


def _reproducible(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        numbers: dict[str, str] = {}

        def renumber(match: re.Match[str]) -> str:
            old = match.group(2) or match.group(4)
            new = numbers.setdefault(old, str(len(numbers) + 1))
            if match.group(1):
                return match.group(1) + new
            return match.group(3) + new + match.group(5)

        schema = _OBJECT_ID.sub(renumber, source.read(_SCHEMA).decode())
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for entry in source.infolist():
                if entry.filename == _SCHEMA:
                    name, content = _SCHEMA, schema.encode()
                else:
                    stem, _, suffix = entry.filename.partition(".")
                    name, content = f"{numbers[stem]}.{suffix}", source.read(entry)
                fixed = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
                fixed.compress_type = entry.compress_type
                fixed.external_attr = entry.external_attr
                target.writestr(fixed, content, compresslevel=9)
    return out.getvalue()


# An artifact holds a bare Pipeline (forest-only versions) or this dict: the pipeline and the
# novelty reference as plain arrays (apis.ids.novelty.Novelty.state).
PIPELINE_KEY, NOVELTY_KEY = "pipeline", "novelty"


def dump_pipeline(pipeline: Pipeline, path: Path, novelty: dict[str, Any] | None = None) -> str:
    """Write the fitted pipeline (and novelty state) with skops, byte for byte the same for the
    same fit; return the file's SHA-256."""
    content: Any = pipeline if novelty is None else {PIPELINE_KEY: pipeline, NOVELTY_KEY: novelty}
    data = _reproducible(sio.dumps(content, compression=zipfile.ZIP_DEFLATED, compresslevel=9))
    untrusted = set(sio.get_untrusted_types(data=data)) - set(TRUSTED_TYPES)
    if untrusted:
        # Fail at training time, not when the service first starts.
        raise ModelLoadError(f"artifact would need untrusted types {sorted(untrusted)}")
    _write_atomically(path, data)
    return sha256_bytes(data)


def write_metadata(metadata: dict[str, Any], path: Path) -> None:
    text = json.dumps(metadata, indent=2, sort_keys=False, allow_nan=False) + "\n"
    _write_atomically(path, text.encode())


def read_metadata(model_dir: Path) -> dict[str, Any]:
    path = model_dir / METADATA_NAME
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise ModelLoadError(f"model metadata not found: {path}") from None
    except OSError as exc:
        raise ModelLoadError(f"model metadata unreadable: {path}: {exc}") from None
    return parse_metadata(text, origin=str(path))


def parse_metadata(text: str, *, origin: str) -> dict[str, Any]:
    """A model card (metadata.json's text), refused unless it names what serving needs."""
    try:
        metadata = json.loads(text)
    except ValueError as exc:
        raise ModelLoadError(f"model metadata unreadable: {origin}: {exc}") from None
    if not isinstance(metadata, dict):
        raise ModelLoadError(f"model metadata {origin} is not a JSON object")
    for key in ("version", "artifact", "threshold", "classes", "feature_schema"):
        if key not in metadata:
            raise ModelLoadError(f"model metadata {origin} lacks {key!r}")
    return metadata


ModelParts = tuple[Pipeline, dict[str, Any] | None]


def load_pipeline(model_dir: Path, metadata: dict[str, Any]) -> ModelParts:
    """Read the artifact named in metadata, refusing it unless its SHA-256 matches."""
    path = model_dir / metadata["artifact"]["file"]
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelLoadError(f"model artifact unreadable: {path}: {exc}") from None
    return parse_pipeline(data, metadata, origin="metadata.json")


def verify_artifact(data: bytes, metadata: dict[str, Any], *, origin: str) -> None:
    """Refuse bytes whose SHA-256 is not the one the card (read from `origin`) records."""
    artifact = metadata["artifact"]
    expected = artifact["sha256"]
    actual = sha256_bytes(data)
    if actual != expected:
        raise ArtifactIntegrityError(
            f"model artifact {artifact['file']} failed its integrity check: SHA-256 is {actual} "
            f"({len(data)} bytes) but {origin} expects {expected} "
            f"({artifact.get('size_bytes', '?')} bytes); the file was altered or truncated"
        )


def parse_pipeline(data: bytes, metadata: dict[str, Any], *, origin: str) -> ModelParts:
    """The pipeline and novelty state (None for forest-only versions) in artifact bytes, once
    their SHA-256 matches the card's."""
    verify_artifact(data, metadata, origin=origin)
    name = metadata["artifact"]["file"]
    try:
        pipeline = sio.loads(data, trusted=list(TRUSTED_TYPES))
    except Exception as exc:  # skops raises several types; all mean "cannot serve"
        raise ModelLoadError(f"model artifact {name} could not be parsed: {exc}") from exc
    novelty = None
    if isinstance(pipeline, dict) and set(pipeline) == {PIPELINE_KEY, NOVELTY_KEY}:
        pipeline, novelty = pipeline[PIPELINE_KEY], pipeline[NOVELTY_KEY]
    if not isinstance(pipeline, Pipeline) or not isinstance(novelty, dict | None):
        raise ModelLoadError(
            f"model artifact {name} holds {type(pipeline).__name__}, not a Pipeline"
        )
    return pipeline, novelty
