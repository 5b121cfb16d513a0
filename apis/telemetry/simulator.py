"""Simulated robots posting readings to the telemetry API, with real keys: demo traffic.

    python -m apis.telemetry.simulator --robots 3 --rate 1 --key ROBOT_ID=crd_… [--key …]
    python -m apis.telemetry.simulator --robots 3 --rate 2 --create-keys      (development)

Each robot drives smoothly between random waypoints in an 80 m square (it turns at most 60°
a second and eases its speed in and out), drains its battery while it works, heads back to
its dock below 25 % to charge, pauses now and then and, rarely, stops with an error for a
few seconds. It posts one reading per tick (--rate per second, for each robot) with a `seq`
that only grows. Now and then a robot loses its link for a few ticks and then sends what it
buffered as one batch, as it does after a failed request: 429 and 5xx answers and network
errors are retried with exponential backoff, honouring Retry-After. Retrying is safe: the
API stores a repeated (robot, ts, seq) once. A key the API refuses (401, 403), or no API at
the URL (404), stops its robot.

Keys: `telemetry:write` keys, each bound to one robot, written ROBOT_ID=KEY (the robot id is
shown on the profile page next to the robot's name): --key (repeat it), --keys-file (one per
line, # comments) or SIMULATOR_API_KEYS (comma-separated); a key on the command line is seen
by other local users in `ps`, the other two are not. --create-keys makes demo robots and keys
for the admin user in the local CMS database (`manage.py demo_robots`) and uses them.

Progress goes to stderr every --progress-every seconds. Ctrl+C (or SIGTERM) stops the robots,
sends what they still hold (for up to 5 s) and prints a summary; a second Ctrl+C quits at once.
Exit status: 0, or 2 for bad options or a key the API refused.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import email.utils
import json
import math
import os
import random
import re
import signal
import sys
import time
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import httpx

from apis.common.database import var_dir
from apis.telemetry.schemas import MAX_BATCH, now_ms
from cms.accounts import keys

INGEST_PATH = "/api/telemetry/ingest"
DEFAULT_URL = "http://127.0.0.1:8000"
KEYS_FILE_NAME = "simulator-keys"  # in CROODY_VAR_DIR, written by `manage.py demo_robots`
ROBOT_ID = re.compile(r"^[A-Za-z0-9_-]{1,50}$")  # the API's robot id rule
MAX_RATE = 100.0  # readings per second per robot: timestamps are whole milliseconds

# --- How a robot moves -------------------------------------------------------------------

ARENA = 40.0  # waypoints lie within ±ARENA metres of the origin
TURN_RATE = 60.0  # degrees per second
ACCELERATION = 0.4  # m/s²; robots brake twice as hard
ARRIVAL_RADIUS = 1.0  # metres
MIN_LEG = 8.0  # metres between one waypoint and the next
CRUISE_SPEEDS = (0.6, 1.5)  # m/s, chosen per robot
LOW_BATTERY = 25.0  # percent: go home and charge
FULL_BATTERY = 98.0
DRAIN_IDLE = 0.02  # percent per second, electronics
DRAIN_PER_SPEED = 0.12  # percent per second per m/s
CHARGE_RATE = 1.5  # percent per second (a demo: minutes, not hours)
PAUSE_CHANCE = 0.3  # at a waypoint, chance of waiting a few seconds
ERROR_RATE = 1 / 900  # errors per second of driving
MAX_STEP_SECONDS = 5.0  # a stalled event loop must not teleport a robot


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def bearing(dx: float, dy: float) -> float:
    """Degrees clockwise from north (+y) of the vector (dx, dy), in [0, 360)."""
    return math.degrees(math.atan2(dx, dy)) % 360


@dataclass
class RobotPath:
    """One robot's state, advanced in time by `advance` and reported by `reading`."""

    robot_id: str
    rng: random.Random
    x: float
    y: float
    dock: tuple[float, float]
    cruise: float
    heading: float = 0.0
    speed: float = 0.0
    battery: float = 100.0
    status: str = "docked"
    target: tuple[float, float] = (0.0, 0.0)
    returning: bool = False  # on the way to the dock to charge
    hold: float = 0.0  # seconds left while idle, docked or in error
    odometer: float = 0.0
    seq: int = 0

    @classmethod
    def start(cls, robot_id: str, rng: random.Random) -> RobotPath:
        # Each robot has its own dock, the same every run: a restarted robot starts at home.
        home = random.Random(robot_id)  # noqa: S311
        dock = (home.uniform(-ARENA, ARENA), home.uniform(-ARENA, ARENA))
        return cls(
            robot_id=robot_id,
            rng=rng,
            x=dock[0],
            y=dock[1],
            dock=dock,
            cruise=rng.uniform(*CRUISE_SPEEDS),
            heading=rng.uniform(0, 360),
            battery=rng.uniform(45, 100),
            hold=rng.uniform(0.5, 3),
            target=dock,
        )

    def advance(self, seconds: float) -> None:
        dt = _clamp(seconds, 0.0, MAX_STEP_SECONDS)
        if self.status == "charging":
            self.battery = min(100.0, self.battery + CHARGE_RATE * dt)
            if self.battery >= FULL_BATTERY:
                self._pause("docked", self.rng.uniform(2, 5))
            return
        if self.status == "moving":
            self._drive(dt)
        else:  # idle, docked or error: waiting
            self.hold -= dt
            if self.hold <= 0:
                self._set_off()
        self.battery = max(0.0, self.battery - (DRAIN_IDLE + DRAIN_PER_SPEED * self.speed) * dt)
        if self.status != "moving":
            return
        if self.battery < LOW_BATTERY and not self.returning:
            self.returning, self.target = True, self.dock
        elif self.rng.random() < ERROR_RATE * dt:
            self._pause("error", self.rng.uniform(4, 12))  # keeps its target: resumes after

    def _drive(self, dt: float) -> None:
        dx, dy = self.target[0] - self.x, self.target[1] - self.y
        distance = math.hypot(dx, dy)
        if distance < ARRIVAL_RADIUS:
            self._arrive()
            return
        turn = (bearing(dx, dy) - self.heading + 540) % 360 - 180  # shortest way, (-180, 180]
        self.heading = (self.heading + _clamp(turn, -TURN_RATE * dt, TURN_RATE * dt)) % 360
        # Slow down for sharp turns and to stop at the waypoint, speed up gently.
        wanted = min(self.cruise, math.sqrt(2 * ACCELERATION * distance))
        wanted *= max(0.2, math.cos(math.radians(min(abs(turn), 90))))
        self.speed += _clamp(wanted - self.speed, -2 * ACCELERATION * dt, ACCELERATION * dt)
        self.speed = max(0.0, self.speed)
        step = self.speed * dt
        self.x += math.sin(math.radians(self.heading)) * step
        self.y += math.cos(math.radians(self.heading)) * step
        self.odometer += step

    def _arrive(self) -> None:
        if self.returning:
            self.returning = False
            self.status, self.speed = "charging", 0.0
        elif self.rng.random() < PAUSE_CHANCE:
            self._pause("idle", self.rng.uniform(3, 10))
        else:
            self.target = self._waypoint()

    def _pause(self, status: str, seconds: float) -> None:
        self.status, self.speed, self.hold = status, 0.0, seconds

    def _set_off(self) -> None:
        if self.status != "error" and not self.returning:
            self.target = self._waypoint()
        self.status = "moving"

    def _waypoint(self) -> tuple[float, float]:
        while True:
            point = (self.rng.uniform(-ARENA, ARENA), self.rng.uniform(-ARENA, ARENA))
            if math.hypot(point[0] - self.x, point[1] - self.y) >= MIN_LEG:
                return point

    def reading(self, ts_ms: int) -> dict[str, Any]:
        """The reading to post now (each call takes the next `seq`)."""
        self.seq += 1
        temperature = 24 + 6 * self.speed / self.cruise + self.rng.gauss(0, 0.3)
        return {
            "robot_id": self.robot_id,
            "ts": ts_ms,
            "seq": self.seq,
            "x": round(self.x, 3),
            "y": round(self.y, 3),
            "heading": round(self.heading, 1) % 360,  # 359.96 rounds to 0.0, not 360
            "speed": round(self.speed, 3),
            "battery": round(self.battery, 2),
            "status": self.status,
            "extra": {"temperature_c": round(temperature, 1), "odometer_m": round(self.odometer)},
        }


# --- Keys ----------------------------------------------------------------------------------


class KeySpecError(ValueError):
    """Keys given in the wrong form, or not to be found; the message says which and how."""


def parse_robot_key(text: str) -> tuple[str, str]:
    """`ROBOT_ID=crd_…` as (robot id, key)."""
    robot_id, sep, key = text.strip().partition("=")
    robot_id, key = robot_id.strip(), key.strip()
    if not sep:
        raise KeySpecError(
            f"{_shown(text)} is not ROBOT_ID=KEY: write the robot's id (on the profile page, "
            "next to its name), '=', then its telemetry:write key"
        )
    if not ROBOT_ID.match(robot_id):
        raise KeySpecError(f"{robot_id!r} is not a robot id (letters, digits, '-' and '_')")
    if keys.parse_key(key) is None:
        raise KeySpecError(
            f"the key for {robot_id} is not a Croody API key (crd_<prefix>_<secret>)"
        )
    return robot_id, key


def _shown(text: str) -> str:
    """A mistyped key names itself without its secret."""
    text = text.strip()
    return repr(text[:16] + "…") if len(text) > 16 else repr(text)


def parse_keys_text(text: str) -> list[tuple[str, str]]:
    """ROBOT_ID=KEY entries separated by newlines or commas; blank lines and # comments skipped."""
    found = []
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        found += [parse_robot_key(item) for item in line.split(",") if item.strip()]
    return found


def read_keys_file(path: Path) -> list[tuple[str, str]]:
    try:
        return parse_keys_text(path.read_text())
    except OSError as error:
        raise KeySpecError(f"cannot read --keys-file {path}: {error.strerror}") from None


def create_demo_keys(robots: int, username: str, path: Path, out: TextIO) -> list[tuple[str, str]]:
    """Make sure the demo robots and their keys exist (manage.py demo_robots), then read them."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
    import django
    from django.core.management import call_command
    from django.core.management.base import CommandError

    django.setup()
    try:
        call_command("demo_robots", robots=robots, user=username, keys_file=str(path), stdout=out)
    except CommandError as error:
        raise KeySpecError(str(error)) from None
    return read_keys_file(path)


# --- Sending -------------------------------------------------------------------------------

BACKOFF_FIRST = 0.5  # seconds before the first retry without Retry-After; doubles each time
BACKOFF_CAP = 30.0
RETRY_AFTER_CAP = 300.0  # a Retry-After longer than this is not believed
MAX_OUTBOX = 10 * MAX_BATCH  # readings a robot keeps while the API is unreachable
LINK_GAP_TICKS = (3, 10)
# A wrong key, someone else's robot, or no telemetry API at the URL: retrying cannot help.
STOPPING_STATUSES = frozenset({401, 403, 404, 405})
DRAIN_SECONDS = 5.0


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds to wait: delta-seconds or an HTTP date; None when unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


def retry_delay(attempt: int, retry_after: str | None, rng: random.Random) -> float:
    """Seconds before retry number `attempt` (1, 2, …): the server's Retry-After when it sent
    a usable one, else exponential backoff (0.5 s, 1 s, 2 s … 30 s) with jitter, so robots
    that failed together do not retry together."""
    asked = parse_retry_after(retry_after)
    if asked is not None and asked <= RETRY_AFTER_CAP:
        return asked
    ceiling = min(BACKOFF_CAP, BACKOFF_FIRST * 2 ** (attempt - 1))
    return ceiling * rng.uniform(0.5, 1.0)


@dataclass
class Tally:
    robots: int = 0
    generated: int = 0
    accepted: int = 0
    duplicates: int = 0
    requests: int = 0
    batches: int = 0  # requests with more than one reading
    retries: int = 0
    rate_limited: int = 0
    server_errors: int = 0
    network_errors: int = 0
    rejected: int = 0  # readings the API refused as invalid (dropped)
    dropped: int = 0  # readings discarded because a robot's outbox was full
    unsent: int = 0  # readings still held when the simulator stopped
    refused: dict[str, str] = field(default_factory=dict)  # robot id -> why the API refused it

    def line(self, elapsed: float, waiting: int) -> str:
        rate = self.generated / elapsed if elapsed > 0 else 0.0
        text = (
            f"[{elapsed:6.0f} s] {self.robots - len(self.refused)}/{self.robots} robots"
            f" · {self.generated} readings ({rate:.1f}/s) · stored {self.accepted}"
            f" · duplicates {self.duplicates} · requests {self.requests}"
            f" (batches {self.batches}) · retries {self.retries} (429: {self.rate_limited},"
            f" 5xx: {self.server_errors}, network: {self.network_errors}) · waiting {waiting}"
        )
        for label, count in (("rejected", self.rejected), ("dropped", self.dropped)):
            if count:
                text += f" · {label} {count}"
        return text


@dataclass
class SimulatedRobot:
    path: RobotPath
    key: str
    outbox: deque[dict[str, Any]] = field(default_factory=deque)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    link_down: int = 0  # ticks left without a link: readings wait in the outbox
    sending: int = 0  # readings at the head of the outbox in the request being made


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
        text = str(body.get("message", ""))
        details = body.get("details")
    except (ValueError, AttributeError):
        return response.text[:200]
    return f"{text} {json.dumps(details)[:300]}" if details else text


class Simulation:
    """Robots driving and posting concurrently on one event loop."""

    def __init__(
        self,
        robot_keys: Sequence[tuple[str, str]],
        *,
        url: str,
        rate: float,
        gap_chance: float = 0.01,
        seed: int | None = None,
        out: TextIO | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        # Simulated motion and timing, not secrets: random.Random is right here.
        self.rng = random.Random(seed)  # noqa: S311
        self.jitter = random.Random()  # noqa: S311  (retry timing stays out of repeatable paths)
        self.robots = [
            SimulatedRobot(RobotPath.start(robot_id, random.Random(self.rng.random())), key)  # noqa: S311
            for robot_id, key in robot_keys
        ]
        self.url = url.rstrip("/")
        self.interval = 1.0 / rate
        self.gap_chance = gap_chance
        self.out = out or sys.stderr
        self.tally = Tally(robots=len(self.robots))
        self.stopping = asyncio.Event()
        self._transport = transport
        self._unreachable = False  # report an outage once, not per robot and retry

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def waiting(self) -> int:
        return sum(len(robot.outbox) for robot in self.robots)

    async def run(self, duration: float | None = None, progress_every: float = 5.0) -> Tally:
        limits = httpx.Limits(max_connections=min(100, max(10, len(self.robots))))
        async with httpx.AsyncClient(
            base_url=self.url, timeout=15.0, limits=limits, transport=self._transport
        ) as client:
            self.client = client
            started = time.monotonic()
            drivers = [
                asyncio.create_task(self._drive(robot, self.interval * i / len(self.robots)))
                for i, robot in enumerate(self.robots)
            ]
            senders = [asyncio.create_task(self._deliver(robot)) for robot in self.robots]
            reporter = asyncio.create_task(self._report(started, progress_every))
            try:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stopping.wait(), duration)
            finally:
                self.stopping.set()
                for task in drivers:
                    task.cancel()
                await asyncio.gather(*drivers, return_exceptions=True)
                for robot in self.robots:
                    robot.link_down = 0
                    robot.wake.set()  # send what is held
                _done, late = await asyncio.wait(senders, timeout=DRAIN_SECONDS)
                for task in late:
                    task.cancel()
                await asyncio.gather(*senders, return_exceptions=True)
                reporter.cancel()
                self.tally.unsent = self.waiting()
                elapsed = time.monotonic() - started
                self.say(f"stopped: {self.tally.line(elapsed, self.tally.unsent)}")
        return self.tally

    async def _report(self, started: float, every: float) -> None:
        if every <= 0:
            return
        while True:
            await asyncio.sleep(every)
            self.say(self.tally.line(time.monotonic() - started, self.waiting()))

    async def _drive(self, robot: SimulatedRobot, offset: float) -> None:
        """Tick at the rate: advance the path, queue a reading, wake the sender."""
        loop = asyncio.get_running_loop()
        next_tick = loop.time() + offset
        last = next_tick - self.interval
        while robot.path.robot_id not in self.tally.refused:
            await asyncio.sleep(max(0.0, next_tick - loop.time()))
            now = loop.time()
            robot.path.advance(now - last)
            last = now
            robot.outbox.append(robot.path.reading(now_ms()))
            self.tally.generated += 1
            if len(robot.outbox) > MAX_OUTBOX:  # a long outage: forget the oldest unsent one
                del robot.outbox[robot.sending]
                self.tally.dropped += 1
            # Behind schedule (a busy machine): carry on from now rather than bursting.
            next_tick = max(next_tick + self.interval, now)
            if robot.link_down:
                robot.link_down -= 1
                if not robot.link_down:
                    robot.wake.set()  # link back: what was held goes as one batch
            elif self.rng.random() < self.gap_chance:
                robot.link_down = self.rng.randint(*LINK_GAP_TICKS)
            else:
                robot.wake.set()

    async def _deliver(self, robot: SimulatedRobot) -> None:
        while not (self.stopping.is_set() and not robot.outbox):
            await robot.wake.wait()
            robot.wake.clear()
            while robot.outbox and not robot.link_down:
                batch = [robot.outbox[i] for i in range(min(len(robot.outbox), MAX_BATCH))]
                robot.sending = len(batch)
                if not await self._post(robot, batch):
                    return  # key refused
                for _ in batch:
                    robot.outbox.popleft()
                robot.sending = 0

    async def _post(self, robot: SimulatedRobot, batch: list[dict[str, Any]]) -> bool:
        """Post until the API answers for the batch. False when it refuses the key."""
        body = json.dumps(batch[0] if len(batch) == 1 else batch, separators=(",", ":"))
        headers = {"Authorization": f"Bearer {robot.key}", "Content-Type": "application/json"}
        attempt = 0
        while True:
            retry_after = None
            try:
                response = await self.client.post(INGEST_PATH, content=body, headers=headers)
            except httpx.TransportError as error:
                self.tally.network_errors += 1
                if not self._unreachable:
                    self._unreachable = True
                    self.say(f"cannot reach {self.url} ({error!r}); retrying with backoff")
            else:
                self.tally.requests += 1
                self.tally.batches += len(batch) > 1
                status = response.status_code
                if status == 202:
                    counts = response.json()
                    self.tally.accepted += counts["accepted"]
                    self.tally.duplicates += counts["duplicates"]
                    if self._unreachable:
                        self._unreachable = False
                        self.say(f"reached {self.url}")
                    return True
                if status in STOPPING_STATUSES:
                    self._refuse(robot, f"{status} {_message(response)}")
                    return False
                if status != 429 and status < 500:
                    self.tally.rejected += len(batch)
                    self.say(
                        f"{robot.path.robot_id}: readings refused ({status}): {_message(response)}"
                    )
                    return True  # a bug here, not worth retrying: drop them and go on
                if status == 429:
                    self.tally.rate_limited += 1
                else:
                    self.tally.server_errors += 1
                retry_after = response.headers.get("retry-after")
            attempt += 1
            self.tally.retries += 1
            await asyncio.sleep(retry_delay(attempt, retry_after, self.jitter))

    def _refuse(self, robot: SimulatedRobot, reason: str) -> None:
        self.tally.refused[robot.path.robot_id] = reason
        self.say(f"{robot.path.robot_id}: stopped, the API refused its requests ({reason})")
        if len(self.tally.refused) == len(self.robots):
            self.stopping.set()


# --- Command line --------------------------------------------------------------------------


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
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cli.add_argument(
        "--robots",
        type=_positive(int),
        metavar="N",
        help="how many robots (default: one per key; 3 with --create-keys)",
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


def _robot_keys(args: argparse.Namespace, cli: argparse.ArgumentParser) -> list[tuple[str, str]]:
    try:
        if args.create_keys:
            if args.keys or args.keys_file:
                cli.error("--create-keys makes its own keys: leave out --key and --keys-file")
            path = args.keys_file or var_dir() / KEYS_FILE_NAME
            return create_demo_keys(args.robots or 3, args.user, path, sys.stderr)
        found = [parse_robot_key(text) for text in args.keys]
        if args.keys_file:
            found += read_keys_file(args.keys_file)
        if not found:
            found = parse_keys_text(os.environ.get("SIMULATOR_API_KEYS", ""))
    except KeySpecError as error:
        cli.error(str(error))
    if not found:
        cli.error(
            "no robot keys: pass --key ROBOT_ID=KEY (a telemetry:write key made on your profile "
            "page), --keys-file, SIMULATOR_API_KEYS, or --create-keys for local demo robots"
        )
    robot_ids = [robot_id for robot_id, _key in found]
    if len(set(robot_ids)) != len(robot_ids):
        cli.error("each robot needs its own key: a robot id is given twice")
    robots = args.robots or len(found)
    if robots > len(found):
        cli.error(
            f"--robots {robots} needs {robots} robot keys, got {len(found)}: register more "
            "robots and keys on your profile page (or use --create-keys locally)"
        )
    return found[:robots]


def main(argv: Sequence[str] | None = None) -> int:
    cli = parser()
    args = cli.parse_args(argv)
    if args.rate > MAX_RATE:
        cli.error(f"--rate must be at most {MAX_RATE:g} readings per second per robot")
    if not re.match(r"^https?://[^/\s]+", args.url):
        cli.error(f"--url must be http(s)://host[:port], got {args.url!r}")
    robot_keys = _robot_keys(args, cli)
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


if __name__ == "__main__":
    sys.exit(main())
