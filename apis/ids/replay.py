"""Replay NSL-KDD connection records against the IDS API, so the demo has traffic.

    python -m apis.ids.replay --rate 20 --key crd_… [--file PATH] \\
        [--url http://127.0.0.1:8000] [--batch 1] [--limit 1000] [--loop]

Posts the file's records to POST /api/ids/predict at about --rate records per second
(--batch records per request), prints progress to stderr once a second and a
summary at the end. When the file has labels, the summary compares the verdicts
with them. --file defaults to the NSL-KDD training file shipped in apis/ids/data/
(gzip-compressed); any NSL-KDD file, plain text or gzip, may be given. When the file
is the one the served model was trained on (same SHA-256 as its card says), the
tool says so: those verdicts are in-sample and flatter the model.
Standard library only: it runs wherever Python does.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import sys
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from apis.ids.records import DEFAULT_DATASET, LabelledRecord, read_records, sha256_text

PREDICT_PATH = "/api/ids/predict"
MODEL_PATH = "/api/ids/model"
IN_SAMPLE_NOTE = (
    "note: {file} is the file the served model was trained on (same SHA-256 as its card): "
    "the verdicts below are in-sample and flatter the model. For what to expect on new "
    "traffic read the card's leave-attack-types-out figures (GET {model_path}, "
    "docs/ids-model-card.md), or replay a file the model never saw with --file."
)
MAX_CONSECUTIVE_FAILURES = 5


class ReplayError(RuntimeError):
    """The replay cannot go on (bad key, unreachable service); the message says why."""


@dataclass
class Tally:
    sent: int = 0
    verdicts: dict[str, int] = field(default_factory=lambda: {"normal": 0, "attack": 0})
    unknown: int = 0
    failed_requests: int = 0
    # label -> verdict counts, for files that carry labels
    labelled_attacks: int = 0
    detected_attacks: int = 0
    labelled_normal: int = 0
    false_alarms: int = 0

    def add(self, batch: list[LabelledRecord], predictions: list[dict[str, Any]]) -> None:
        for item, prediction in zip(batch, predictions, strict=True):
            verdict = prediction["verdict"]
            self.verdicts[verdict] = self.verdicts.get(verdict, 0) + 1
            self.unknown += bool(prediction.get("unknown_values"))
            if item.label is None:
                continue
            if item.label == "normal":
                self.labelled_normal += 1
                self.false_alarms += verdict == "attack"
            else:
                self.labelled_attacks += 1
                self.detected_attacks += verdict == "attack"
        self.sent += len(batch)

    def line(self, elapsed: float) -> str:
        rate = self.sent / elapsed if elapsed > 0 else 0.0
        text = (
            f"sent {self.sent} records ({rate:.1f}/s) · attack {self.verdicts.get('attack', 0)}"
            f" · normal {self.verdicts.get('normal', 0)} · unknown values {self.unknown}"
            f" · failed requests {self.failed_requests}"
        )
        if self.labelled_attacks:
            text += f" · labelled attacks detected {self.detected_attacks}/{self.labelled_attacks}"
        if self.labelled_normal:
            text += f" · false alarms {self.false_alarms}/{self.labelled_normal}"
        return text


class Client:
    """One keep-alive HTTP connection to the service, reopened after errors."""

    def __init__(self, url: str, key: str, timeout: float = 30.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ReplayError(f"--url must be http(s)://host[:port], got {url!r}")
        self.scheme, self.netloc = parts.scheme, parts.netloc
        self.base_path = parts.path.rstrip("/")
        self.headers = {
            "Authorization": f"Bearer {key}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        self.timeout = timeout
        self.connection: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        if self.connection is None:
            cls = (
                http.client.HTTPSConnection
                if self.scheme == "https"
                else http.client.HTTPConnection
            )
            self.connection = cls(self.netloc, timeout=self.timeout)
        return self.connection

    def post(self, body: bytes) -> tuple[int, dict[str, str], bytes]:
        return self.request("POST", PREDICT_PATH, body)

    def request(
        self, method: str, path: str, body: bytes | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        try:
            connection = self._connect()
            connection.request(method, self.base_path + path, body=body, headers=self.headers)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def training_file_sha256(client: Client) -> str | None:
    """The SHA-256 of the file the served model was trained on, from its card; None when
    the card cannot be read (the replay goes on without the in-sample check)."""
    try:
        status, _headers, content = client.request("GET", MODEL_PATH)
        if status != 200:
            return None
        sha = json.loads(content)["dataset"]["sha256"]
    except (OSError, http.client.HTTPException, ValueError, KeyError, TypeError):
        return None
    return sha if isinstance(sha, str) else None


def _batches(records: Iterator[LabelledRecord], size: int) -> Iterator[list[LabelledRecord]]:
    while batch := list(itertools.islice(records, size)):
        yield batch


def _retry_after(headers: dict[str, str]) -> float:
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), "1")
    try:
        return max(0.0, float(value))
    except ValueError:
        return 1.0


def _message(body: bytes) -> str:
    try:
        return str(json.loads(body).get("message", body[:200]))
    except (ValueError, AttributeError):
        return body[:200].decode(errors="replace")


def send(client: Client, batch: list[LabelledRecord], tally: Tally, out: TextIO) -> None:
    """Post one batch until it is answered; raise ReplayError when it never will be."""
    body = json.dumps({"records": [item.record for item in batch]}).encode()
    failures = 0
    while True:
        try:
            status, headers, content = client.post(body)
        except (OSError, http.client.HTTPException) as exc:
            status, headers, content = 0, {}, str(exc).encode()
        if status == 200:
            tally.add(batch, json.loads(content)["predictions"])
            return
        if status in (401, 403):
            raise ReplayError(f"the API refused the key ({status}): {_message(content)}")
        if status == 429:
            time.sleep(_retry_after(headers))
            continue
        if status in (413, 415, 422):
            # The records themselves are refused: count them and go on with the next ones.
            tally.failed_requests += 1
            print(f"batch refused ({status}): {_message(content)}", file=out)
            return
        failures += 1
        tally.failed_requests += 1
        if failures >= MAX_CONSECUTIVE_FAILURES:
            reason = _message(content) if status else content.decode(errors="replace")
            raise ReplayError(f"giving up after {failures} failed attempts: {status} {reason}")
        time.sleep(min(2.0**failures, 30.0))


def replay(
    client: Client,
    records: Iterator[LabelledRecord],
    *,
    rate: float,
    batch_size: int,
    out: TextIO = sys.stderr,
    progress_every: float = 1.0,
) -> Tally:
    """Send records at about `rate` per second; return what the service answered."""
    tally = Tally()
    started = time.monotonic()
    last_progress = started
    for batch in _batches(records, batch_size):
        # Pace by schedule, not by sleeping a fixed gap, so slow answers do not lower the rate.
        due = started + tally.sent / rate
        if (delay := due - time.monotonic()) > 0:
            time.sleep(delay)
        send(client, batch, tally, out)
        now = time.monotonic()
        if now - last_progress >= progress_every:
            print(tally.line(now - started), file=out, flush=True)
            last_progress = now
    print(tally.line(time.monotonic() - started), file=out, flush=True)
    return tally


def _positive(kind: type) -> Any:
    def parse(text: str) -> Any:
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
        return value

    return parse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m apis.ids.replay",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--file",
        type=Path,
        default=DEFAULT_DATASET,
        help="NSL-KDD file, CSV rows, plain or gzip (default: the shipped %(default)s)",
    )
    parser.add_argument("--rate", type=_positive(float), required=True, help="records per second")
    parser.add_argument("--key", required=True, help="API key with the ids:score scope")
    parser.add_argument(
        "--url", default="http://127.0.0.1:8000", help="gateway or IDS service base URL"
    )
    parser.add_argument(
        "--batch", type=_positive(int), default=1, help="records per request (max 10000)"
    )
    parser.add_argument("--limit", type=_positive(int), default=None, help="stop after N records")
    parser.add_argument("--loop", action="store_true", help="start the file again at its end")
    args = parser.parse_args(argv)
    if args.batch > 10_000:
        parser.error("--batch must be at most 10000")
    if not args.file.is_file():
        parser.error(f"--file {args.file}: no such file")

    def records() -> Iterator[LabelledRecord]:
        for _ in itertools.count() if args.loop else range(1):
            yield from read_records(args.file)

    stream = itertools.islice(records(), args.limit)
    try:
        client = Client(args.url, args.key)
    except ReplayError as exc:
        parser.error(str(exc))
    print(
        f"replaying {args.file.name} to {args.url}{PREDICT_PATH} at {args.rate:g} records/s",
        file=sys.stderr,
    )
    try:
        trained_on = training_file_sha256(client)
        in_sample = None if trained_on is None else trained_on == sha256_text(args.file)
        if in_sample:
            note = IN_SAMPLE_NOTE.format(file=args.file.name, model_path=MODEL_PATH)
            print(note, file=sys.stderr, flush=True)
        tally = replay(client, stream, rate=args.rate, batch_size=args.batch)
    except ReplayError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # a malformed row in the file
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (OSError, EOFError, zlib.error) as exc:  # unreadable file, e.g. a broken gzip
        print(f"error: {args.file}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    finally:
        client.close()
    summary = {"sent": tally.sent, **tally.verdicts, "failed_requests": tally.failed_requests}
    print(json.dumps(summary | {"in_sample": in_sample}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
