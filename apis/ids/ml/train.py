"""Command line: ``python -m apis.ids.ml.train [--data PATH] [--out DIR]``.

Validates the candidates, writes the selected model, metadata.json and the
confusion-matrix SVG. Progress goes to stderr; the metadata path to stdout.
Without --data it trains on the NSL-KDD file shipped in apis/ids/data/.
"""

from __future__ import annotations

import argparse
import sys

from apis.ids.artifact import DEFAULT_MODEL_DIR, METADATA_NAME, ModelLoadError
from apis.ids.ml.candidates import CANDIDATES
from apis.ids.ml.dataset import DEFAULT_DATASET, DatasetError
from apis.ids.ml.training import (
    DEFAULT_CANDIDATES,
    MAX_FPR,
    MODEL_VERSION,
    print_progress,
    train,
)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m apis.ids.ml.train",
        description=(
            "Train the IDS connection classifier on an NSL-KDD file: compare candidates by "
            "stratified and leave-attack-types-out cross-validation, choose the model and the "
            "P(attack) threshold, and write the skops artifact, metadata.json and "
            "confusion_matrix.svg."
        ),
    )
    parser.add_argument(
        "--data",
        default=str(DEFAULT_DATASET),
        help="NSL-KDD file, plain or gzip (41 features, label, difficulty; no header) "
        "(default: the shipped %(default)s)",
    )
    parser.add_argument(
        "--out",
        default=str(DEFAULT_MODEL_DIR),
        help="output directory (default: %(default)s)",
    )
    parser.add_argument(
        "--candidates",
        default=",".join(DEFAULT_CANDIDATES),
        help=f"comma-separated candidates from {', '.join(CANDIDATES)} (default: %(default)s)",
    )
    parser.add_argument(
        "--max-fpr",
        type=float,
        default=MAX_FPR,
        help="false-positive-rate cap used to set the threshold (default: %(default)s)",
    )
    parser.add_argument(
        "--version",
        default=MODEL_VERSION,
        help="the version's name in the model registry; a registered name cannot be reused "
        "for other bytes (default: %(default)s)",
    )
    parser.add_argument(
        "--feedback",
        default=None,
        help="the analysts' labelled predictions, as exported by "
        "GET /api/ids/predictions?label=labelled&format=csv: added to the final fit and "
        "measured on the card (never used to choose the model)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    candidates = [c.strip() for c in args.candidates.split(",") if c.strip()]
    if not 0.0 <= args.max_fpr < 1.0:
        print("error: --max-fpr must be in [0, 1)", file=sys.stderr)
        return 2
    try:
        train(
            args.data,
            args.out,
            candidates,
            args.max_fpr,
            progress=print_progress,
            version=args.version,
            feedback_path=args.feedback,
        )
    except (DatasetError, ModelLoadError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{args.out.rstrip('/')}/{METADATA_NAME}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
