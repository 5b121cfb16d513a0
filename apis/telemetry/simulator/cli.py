"""The command line: `python -m apis.telemetry.simulator [options]` (its --help is the
package's docstring). A first Ctrl+C or SIGTERM stops the robots gently, a second at once."""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import re
import signal
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import apis.telemetry.simulator as package
from apis.telemetry.simulator.client import INGEST_PATH, Simulation, Tally
from apis.telemetry.simulator.keys import DEMO_ROBOTS, find_robot_keys
from croody_core.keyfile import KEYS_FILE_NAME, KeySpecError

DEFAULT_URL = "http://127.0.0.1:8000"
MAX_RATE = 100.0  # readings per second per robot: timestamps are whole milliseconds


def _positive(kind: type) -> Any:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not value > 0 or math.isinf(value):
            raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
        return value

    return parse


def _chance(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
    return value


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(
        prog="python -m apis.telemetry.simulator",
        description=package.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cli.add_argument(
        "--robots",
        type=_positive(int),
        metavar="N",
        help=f"how many robots (default: one per key; {DEMO_ROBOTS} with --create-keys)",
    )
    cli.add_argument(
        "--rate",
        type=_positive(float),
        default=1.0,
        metavar="R",
        help=f"readings per second for each robot (default 1, at most {MAX_RATE:g})",
    )
    cli.add_argument(
        "--url",
        default=os.environ.get("TELEMETRY_URL") or DEFAULT_URL,
        help="the gateway or the telemetry service (default: $TELEMETRY_URL, else "
        f"{DEFAULT_URL}); readings go to URL{INGEST_PATH}",
    )
    cli.add_argument(
        "--key",
        dest="keys",
        action="append",
        default=[],
        metavar="ROBOT_ID=KEY",
        help="a robot's id and its telemetry:write key; repeat for several robots "
        "(default: $SIMULATOR_API_KEYS, comma-separated)",
    )
    cli.add_argument(
        "--keys-file", type=Path, metavar="PATH", help="ROBOT_ID=KEY lines (# comments allowed)"
    )
    cli.add_argument(
        "--create-keys",
        action="store_true",
        help="development: register demo robots with keys for --user in the local CMS "
        f"database (manage.py demo_robots, kept in $CROODY_VAR_DIR/{KEYS_FILE_NAME}) "
        "and use them",
    )
    cli.add_argument(
        "--user", default="admin", help="owner of the demo robots with --create-keys (admin)"
    )
    cli.add_argument(
        "--duration", type=_positive(float), metavar="SECONDS", help="stop after this long"
    )
    cli.add_argument(
        "--gap-chance",
        type=_chance,
        default=0.01,
        metavar="P",
        help="chance per reading that a robot loses its link for 3-10 readings, then sends "
        "them as one batch (default 0.01)",
    )
    cli.add_argument("--seed", type=int, help="make the paths repeatable")
    cli.add_argument(
        "--progress-every",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="progress line interval on stderr (default 5; 0: only the summary)",
    )
    return cli


def main(argv: Sequence[str] | None = None) -> int:
    cli = parser()
    args = cli.parse_args(argv)
    if args.rate > MAX_RATE:
        cli.error(f"--rate must be at most {MAX_RATE:g} readings per second per robot")
    if not re.match(r"^https?://[^/\s]+", args.url):
        cli.error(f"--url must be http(s)://host[:port], got {args.url!r}")
    try:
        robot_keys = find_robot_keys(
            keys=args.keys,
            keys_file=args.keys_file,
            create=args.create_keys,
            robots=args.robots,
            user=args.user,
            out=sys.stderr,
        )
    except KeySpecError as error:
        cli.error(str(error))
    simulation = Simulation(
        robot_keys, url=args.url, rate=args.rate, gap_chance=args.gap_chance, seed=args.seed
    )
    simulation.say(
        f"{len(robot_keys)} robots posting {args.rate:g} readings/s each to "
        f"{simulation.url}{INGEST_PATH} (Ctrl+C stops): {', '.join(_ids(robot_keys))}"
    )
    tally = asyncio.run(_run_until_signalled(simulation, args.duration, args.progress_every))
    return 2 if tally.refused else 0


def _ids(robot_keys: Iterable[tuple[str, str]]) -> list[str]:
    return [robot_id for robot_id, _key in robot_keys]


async def _run_until_signalled(
    simulation: Simulation, duration: float | None, progress_every: float
) -> Tally:
    """Run; the first SIGINT/SIGTERM stops gently (drain, summary), a second one at once."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()

    def stop() -> None:
        if simulation.stopping.is_set():
            if task is not None:
                task.cancel()
            return
        simulation.say("stopping: sending what the robots hold (Ctrl+C again to quit now)")
        simulation.stopping.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop)
    try:
        return await simulation.run(duration, progress_every)
    except asyncio.CancelledError:
        tally = simulation.tally
        tally.unsent = simulation.waiting()
        simulation.say(f"quit: {tally.unsent} unsent readings dropped; stored {tally.accepted}")
        return tally
