"""`python -m apis.ids.replay`: NSL-KDD rows posted to the real service, with progress."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from apis.ids.records import open_text, parse_row, read_records
from tests.servers import REPO, Server

from ..support import DATASET
from .conftest import Seeded


def replay(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "apis.ids.replay", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture()
def sample(tmp_path: Path) -> Path:
    """The first 45 rows of the training file (labels and difficulty included), plain text."""
    path = tmp_path / "sample.txt"
    with open_text(DATASET) as source:
        path.write_text("".join(next(source) for _ in range(45)))
    return path


def test_rows_become_typed_records() -> None:
    first = next(read_records(DATASET))
    assert first.label == "normal"
    assert first.record["protocol_type"] == "tcp" and first.record["src_bytes"] == 491
    assert isinstance(first.record["count"], int) and isinstance(first.record["serror_rate"], float)
    with pytest.raises(ValueError, match="at least 41"):
        parse_row(["0", "tcp"])


def test_replay_posts_every_row_and_reports(
    ids_api: Server, accounts: Seeded, sample: Path
) -> None:
    result = replay(
        "--file", str(sample), "--rate", "300", "--batch", "10",
        "--key", accounts.key("replay"), "--url", ids_api.base_url,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["sent"] == 45 and summary["failed_requests"] == 0
    assert summary["normal"] + summary["attack"] == 45
    assert "labelled attacks detected" in result.stderr and "sent 45 records" in result.stderr
    # 45 rows are not the file the model was trained on, so no in-sample warning.
    assert summary["in_sample"] is False and "in-sample" not in result.stderr
    stored = httpx.get(
        f"{ids_api.base_url}/api/ids/stats",
        params={"source": accounts.source("replay")},
        headers={"Authorization": f"Bearer {accounts.key('analyst')}"},
    ).json()
    assert stored["total"] >= 45
    assert stored["verdicts"]["attack"] >= summary["attack"]


def test_replaying_the_training_file_says_its_verdicts_are_in_sample(
    ids_api: Server, accounts: Seeded
) -> None:
    """The default file is the one the served model learnt from: a detection figure on it
    says nothing about new traffic, and the tool must not let it pass for one."""
    result = replay(
        "--rate", "500", "--batch", "10", "--limit", "20",
        "--key", accounts.key("replay"), "--url", ids_api.base_url,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["in_sample"] is True
    note = next(line for line in result.stderr.splitlines() if line.startswith("note:"))
    assert DATASET.name in note and "in-sample" in note and "leave-attack-types-out" in note
    # Said before the figures, so no one reads them first.
    assert result.stderr.index("note:") < result.stderr.index("labelled attacks detected")


def test_replay_keeps_to_the_rate(ids_api: Server, accounts: Seeded, sample: Path) -> None:
    result = replay(
        "--file", str(sample), "--rate", "20", "--limit", "20",
        "--key", accounts.key("replay"), "--url", ids_api.base_url,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["sent"] == 20
    # 20 records at 20/s: about one second, the first sent at once.
    rates = [float(line.split("(")[1].split("/s")[0]) for line in result.stderr.splitlines()
             if line.startswith("sent ")]  # fmt: skip
    assert rates and 15 <= rates[-1] <= 25


def test_replay_reads_the_shipped_data_by_default(ids_api: Server, accounts: Seeded) -> None:
    result = replay(
        "--rate", "300", "--batch", "10", "--limit", "30",
        "--key", accounts.key("replay"), "--url", ids_api.base_url,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"replaying {DATASET.name}" in result.stderr
    summary = json.loads(result.stdout)
    assert summary["sent"] == 30 and summary["failed_requests"] == 0


def test_replay_reports_an_unreadable_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.txt.gz"
    broken.write_bytes(DATASET.read_bytes()[:10] + b"\xff" * 64)  # gzip header, bad deflate data
    # The first read fails, before anything is sent: no service is needed.
    result = replay(
        "--file", str(broken), "--rate", "1000", "--key", "k", "--url", "http://127.0.0.1:9"
    )
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1].startswith("error: ")


def test_replay_stops_with_a_clear_message_on_a_bad_key(ids_api: Server, sample: Path) -> None:
    result = replay(
        "--file", str(sample), "--rate", "50", "--key", "nope", "--url", ids_api.base_url
    )
    assert result.returncode == 2
    assert "refused the key (401)" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rate", "0"], "must be greater than 0"),
        (["--batch", "10001"], "at most 10000"),
        (["--url", "ftp://x"], "--url must be http"),
    ],
)
def test_replay_refuses_bad_options(sample: Path, args: list[str], message: str) -> None:
    base = {"--file": str(sample), "--rate": "5", "--key": "k"}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value
    result = replay(*[part for item in base.items() for part in item])
    assert result.returncode == 2 and message in result.stderr


def test_replay_help() -> None:
    result = replay("--help")
    assert result.returncode == 0
    for option in ("--file", "--rate", "--key", "--url", "--batch", "--limit", "--loop"):
        assert option in result.stdout
