"""Posting the robots' readings: one event loop drives every robot (a reading per tick) and
delivers its outbox, in batches after a lost link; 429, 5xx and network errors are retried
with exponential backoff honouring Retry-After, and a refused key stops its robot."""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import json
import random
import sys
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

import httpx

from apis.telemetry.schemas import MAX_BATCH, now_ms
from apis.telemetry.simulator.path import RobotPath

INGEST_PATH = "/api/telemetry/ingest"
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
    ceiling: float = min(BACKOFF_CAP, BACKOFF_FIRST * 2 ** (attempt - 1))
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
