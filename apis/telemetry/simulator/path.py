"""How a simulated robot moves: smooth legs between random waypoints, a battery that drains
and recharges at the robot's dock, pauses and rare errors (RobotPath, advanced in time)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

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
