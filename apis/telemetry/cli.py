"""`python -m apis.telemetry migrate|prune`: the telemetry database's maintenance commands."""

from __future__ import annotations

import argparse
import re
import sys
import time

from apis.common.database import make_engine
from apis.telemetry.migrate import MIGRATIONS
from apis.telemetry.schemas import format_ms, now_ms
from apis.telemetry.settings import get_settings
from apis.telemetry.store import drop_expired_partitions, prune

UNIT_MS = {"s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}


def duration_ms(text: str) -> int:
    """`30d`, `12h`, `90m`, `2w`, `45s` in milliseconds."""
    match = re.fullmatch(r"\s*(\d+)\s*([smhdw])\s*", text)
    if match is None or int(match[1]) == 0:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a duration: a positive number and a unit, e.g. 30d, 12h, 90m"
        )
    return int(match[1]) * UNIT_MS[match[2]]


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python -m apis.telemetry",
        description="Maintain the telemetry database (without a command: serve the API).",
    )
    root.add_argument(
        "--database-url", help="default: TELEMETRY_DATABASE_URL, else var/telemetry.sqlite3"
    )
    commands = root.add_subparsers(dest="command", required=True, metavar="{migrate,prune}")
    commands.add_parser(
        "migrate",
        help="bring the schema up to date (the server also does it when it starts)",
        description="Apply the telemetry schema migrations; a no-op when up to date.",
    )
    pruning = commands.add_parser(
        "prune",
        help="delete readings older than a given age, in batches",
        description=(
            "Delete readings whose timestamp is older than --older-than. On PostgreSQL, months "
            "entirely older are dropped whole (readings are partitioned by month); the rest "
            "goes in small batches so ingest goes on meanwhile. Each robot's latest reading "
            "stays available."
        ),
        epilog="example: python -m apis.telemetry prune --older-than 30d",
    )
    pruning.add_argument(
        "--older-than", type=duration_ms, required=True, metavar="AGE", help="e.g. 30d, 12h"
    )
    pruning.add_argument(
        "--batch-size", type=int, default=10_000, help="readings per transaction (10000)"
    )
    return root


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    engine = make_engine(args.database_url or get_settings().database_url)
    try:
        if args.command == "migrate":
            MIGRATIONS.upgrade(engine)
            print(f"telemetry schema at revision {MIGRATIONS.current(engine)}")
            return 0
        if args.batch_size < 1:
            print("--batch-size must be at least 1", file=sys.stderr)
            return 2
        MIGRATIONS.upgrade(engine)
        cutoff = now_ms() - args.older_than
        started = time.monotonic()
        for relname in drop_expired_partitions(engine, cutoff):
            print(f"dropped {relname}: a whole month before {format_ms(cutoff)}")
        total = 0
        for deleted in prune(engine, cutoff, args.batch_size):
            total += deleted
            print(f"deleted {deleted} (total {total}, {time.monotonic() - started:.1f} s)")
        print(f"done: {total} readings from before {format_ms(cutoff)} deleted")
        return 0
    finally:
        engine.dispose()
