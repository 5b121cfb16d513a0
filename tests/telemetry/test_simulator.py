"""The robot simulator: believable paths, its command line, and posting to a real server
(batches, retries honouring Retry-After, a clean stop on Ctrl+C, keys the API refuses)."""

from __future__ import annotations

import asyncio
import email.utils
import io
import itertools
import json
import math
import random
import re
import signal
import stat
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from apis.telemetry.schemas import ReadingIn, now_ms
from apis.telemetry.simulator import client, keys
from apis.telemetry.simulator import path as motion
from apis.telemetry.simulator.client import Simulation, retry_delay
from apis.telemetry.simulator.path import RobotPath
from apis.telemetry.tables import latest, readings
from croody_core import keyfile
from croody_core.keyfile import parse_robot_key
from tests.servers import (
    INTERNAL_SECRET,
    REPO,
    Server,
    base_env,
    free_port,
    seed_cms,
    start_cms,
    start_server,
)

from .conftest import SESSION_SECRET, server_env

DT = 0.5  # seconds per step in the path tests


def seeded(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 -- repeatable paths, not secrets


def drive(path: RobotPath, seconds: float, dt: float = DT) -> list[dict]:
    """Readings every dt seconds of simulated time, with timestamps that fit the API's rules."""
    steps = int(seconds / dt)
    start = now_ms() - int(seconds * 1000) - 1000
    out = []
    for step in range(steps):
        path.advance(dt)
        out.append(path.reading(start + int(step * dt * 1000)))
    return out


@pytest.fixture(scope="module")
def four_hours() -> list[dict]:
    return drive(RobotPath.start("rover-7", seeded(7)), 4 * 3600)


# --- paths ---------------------------------------------------------------------------------


def test_every_reading_is_one_the_api_accepts(four_hours):
    for item in four_hours[::50]:
        ReadingIn.model_validate(item)
    assert [item["seq"] for item in four_hours] == list(range(1, len(four_hours) + 1))
    assert all(len(json.dumps(item["extra"])) < 100 for item in four_hours)


def test_movement_is_smooth_and_follows_the_heading(four_hours):
    top_speed = motion.CRUISE_SPEEDS[1]
    aligned = 0
    for before, after in itertools.pairwise(four_hours):
        step = math.hypot(after["x"] - before["x"], after["y"] - before["y"])
        assert step <= top_speed * DT + 0.01  # no jumps
        turn = abs((after["heading"] - before["heading"] + 180) % 360 - 180)
        assert turn <= motion.TURN_RATE * DT + 0.2  # no sudden turns
        assert abs(after["speed"] - before["speed"]) <= 2 * motion.ACCELERATION * DT + 0.01 or (
            after["status"] != "moving"  # an error or a pause stops the robot at once
        )
        if step > 0.2:  # it moves where it faces
            direction = motion.bearing(after["x"] - before["x"], after["y"] - before["y"])
            assert abs((direction - after["heading"] + 180) % 360 - 180) < 3
            aligned += 1
    assert aligned > len(four_hours) / 4  # and it does move, a good part of the time
    assert all(abs(item["x"]) < motion.ARENA + 10 for item in four_hours)
    assert all(abs(item["y"]) < motion.ARENA + 10 for item in four_hours)


def test_battery_drains_then_recharges_at_the_dock(four_hours):
    path = RobotPath.start("rover-7", seeded(7))
    statuses = Counter(item["status"] for item in four_hours)
    assert {"moving", "idle", "charging", "docked", "error"} <= set(statuses)
    assert statuses["moving"] > statuses["charging"]
    cycles = 0
    for before, after in itertools.pairwise(four_hours):
        if after["status"] == "charging":
            assert math.hypot(after["x"] - path.dock[0], after["y"] - path.dock[1]) < 2
            if before["status"] == "charging":
                assert after["battery"] > before["battery"]  # charging adds
            else:
                cycles += 1
                assert before["battery"] < motion.LOW_BATTERY
        elif before["status"] != "charging":
            assert after["battery"] <= before["battery"]  # anything else drains it
    assert cycles >= 2
    assert min(item["battery"] for item in four_hours) > 10


def test_a_seed_repeats_the_same_path():
    first = drive(RobotPath.start("r", seeded(3)), 120)
    again = drive(RobotPath.start("r", seeded(3)), 120)
    other = drive(RobotPath.start("r", seeded(4)), 120)
    strip = [{k: v for k, v in item.items() if k != "ts"} for item in first]
    assert strip == [{k: v for k, v in item.items() if k != "ts"} for item in again]
    assert [item["x"] for item in first] != [item["x"] for item in other]
    # Whatever the seed, a robot starts at its own dock: a restart does not teleport it.
    assert RobotPath.start("r", seeded(1)).dock == RobotPath.start("r", seeded(2)).dock
    assert RobotPath.start("r", seeded(1)).dock != RobotPath.start("q", seeded(1)).dock


# --- retries and keys ----------------------------------------------------------------------


def test_retry_after_is_honoured_in_seconds_or_as_a_date():
    rng = seeded(1)
    assert retry_delay(1, "3", rng) == 3.0
    in_ten = email.utils.format_datetime(datetime.fromtimestamp(time.time() + 10, UTC), True)
    assert 8 <= retry_delay(1, in_ten, rng) <= 10
    assert retry_delay(1, "Wed, 21 Oct 2015 07:28:00 GMT", rng) == 0.0  # already past
    assert retry_delay(1, "99999", rng) <= client.BACKOFF_CAP  # not believed


def test_without_retry_after_the_backoff_doubles_up_to_a_cap_with_jitter():
    rng = seeded(1)
    for attempt in range(1, 12):
        ceiling = min(client.BACKOFF_CAP, client.BACKOFF_FIRST * 2 ** (attempt - 1))
        delays = [retry_delay(attempt, None if attempt % 2 else "soon", rng) for _ in range(50)]
        assert all(ceiling / 2 <= delay <= ceiling for delay in delays)
        assert len(set(delays)) > 40  # robots that failed together do not retry together


KEY = "crd_abcd1234_" + "A" * 43


def test_keys_are_robot_id_equals_key():
    assert parse_robot_key(f" rover-1-3f9a1c = {KEY} ") == ("rover-1-3f9a1c", KEY)
    text = f"# demo\nrover-1={KEY}\n\nrover-2={KEY}, rover-3={KEY}  # trailing comment\n"
    assert [robot for robot, _key in keyfile.parse_keys_text(text)] == [
        "rover-1",
        "rover-2",
        "rover-3",
    ]
    with pytest.raises(keyfile.KeySpecError, match="ROBOT_ID=KEY") as bare:
        parse_robot_key(KEY)
    assert KEY not in str(bare.value)  # a mistake never prints the secret
    with pytest.raises(keyfile.KeySpecError, match="not a Croody API key"):
        parse_robot_key("rover-1=crd_short")
    with pytest.raises(keyfile.KeySpecError, match="not a robot id"):
        parse_robot_key(f"rover 1={KEY}")


# --- --create-keys: manage.py demo_robots in a process of its own ----------------------------

FAKE_MANAGE = """
import os, sys
args = dict(zip(sys.argv[2::2], sys.argv[3::2]))
print("demo_robots in", os.getcwd(), "with", os.environ["DJANGO_SETTINGS_MODULE"], flush=True)
if args["--user"] == "nobody":
    sys.exit("CommandError: No user named 'nobody': run `manage.py setup_croody`")
if args["--user"] == "crash":
    print("Traceback (most recent call last):", file=sys.stderr)
    sys.exit("django.db.utils.OperationalError: no such table: accounts_robot")
robots = int(args["--robots"])
with open(args["--keys-file"], "w") as keys:
    keys.writelines(f"demo-{n}={KEY}\\n" for n in range(1, robots + 1))
print(f"{robots} demo robots for {args['--user']} in {args['--keys-file']}")
"""


@pytest.fixture
def fake_manage(tmp_path, monkeypatch) -> Path:
    """A manage.py of its own in a repository root of its own: no Django, no database."""
    root = tmp_path.resolve() / "repo"
    root.mkdir()
    (root / "manage.py").write_text(f"KEY = {KEY!r}\n{FAKE_MANAGE}")
    monkeypatch.setattr(keys, "REPO_ROOT", root)
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)
    monkeypatch.chdir(tmp_path)
    return root


def test_create_keys_runs_demo_robots_as_a_command_and_reads_its_keys(fake_manage, tmp_path):
    out = io.StringIO()
    found = keys.create_demo_keys(2, "sam", Path("simulator-keys"), out)
    assert found == [("demo-1", KEY), ("demo-2", KEY)]
    lines = out.getvalue().splitlines()
    assert lines[0] == f"demo_robots in {fake_manage} with cms.settings.dev"
    # Run in the repository root, it is given where the keys go from here.
    assert lines[1] == f"2 demo robots for sam in {tmp_path.resolve() / 'simulator-keys'}"


def test_create_keys_failing_says_why_with_a_hint(fake_manage):
    out = io.StringIO()
    with pytest.raises(keyfile.KeySpecError) as refused:
        keys.create_demo_keys(1, "nobody", Path("keys"), out)
    assert str(refused.value) == (
        "manage.py demo_robots: No user named 'nobody': run `manage.py setup_croody`"
    )
    with pytest.raises(keyfile.KeySpecError) as crashed:
        keys.create_demo_keys(1, "crash", Path("keys"), out)
    message = str(crashed.value)
    assert "failed (exit status 1): django.db.utils.OperationalError: no such table" in message
    assert "make setup" in message and "--keys-file" in message
    assert "Traceback (most recent call last):" in out.getvalue()  # its output, as it came


def test_the_simulator_never_loads_django_or_the_cms():
    code = (
        "import sys, apis.telemetry.simulator.cli; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'cms')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# --- the command line ----------------------------------------------------------------------


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 60):
    return subprocess.run(
        [sys.executable, "-m", "apis.telemetry.simulator", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_help_explains_the_options():
    result = run_cli("--help")
    assert result.returncode == 0
    for text in ("--robots N", "--rate R", "ROBOT_ID=KEY", "--keys-file", "--create-keys"):
        assert text in result.stdout
    assert "Retry-After" in result.stdout and "Ctrl+C" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "no robot keys"),
        (("--key", KEY), "is not ROBOT_ID=KEY"),
        (("--key", f"r1={KEY}", "--robots", "2"), "--robots 2 needs 2 robot keys, got 1"),
        (("--key", f"r1={KEY}", "--key", f"r1={KEY}"), "a robot id is given twice"),
        (("--key", f"r1={KEY}", "--rate", "0"), "must be greater than 0"),
        (("--key", f"r1={KEY}", "--rate", "500"), "at most 100"),
        (("--key", f"r1={KEY}", "--url", "localhost:8000"), "--url must be http(s)://"),
        (("--keys-file", "/nonexistent/keys"), "cannot read --keys-file"),
        (("--create-keys", "--key", f"r1={KEY}"), "leave out --key"),
    ],
)
def test_bad_options_exit_2_with_the_reason(args, message, monkeypatch):
    monkeypatch.delenv("SIMULATOR_API_KEYS", raising=False)
    result = run_cli(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "A" * 43 not in result.stderr
    assert "Traceback" not in result.stderr


# --- against a real telemetry server ---------------------------------------------------------


def stored(engine: Engine, robot_id: str | None = None) -> int:
    query = select(func.count()).select_from(readings)
    if robot_id:
        query = query.where(readings.c.robot_id == robot_id)
    with engine.connect() as connection:
        return connection.scalar(query) or 0


def summary(output: str) -> dict[str, int]:
    line = next(line for line in output.splitlines() if line.startswith("stopped: "))
    numbers = {
        name: int(value)
        for value, name in re.findall(r"(\d+) (readings|robots)", line)
        if name == "readings"
    }
    numbers["stored"] = int(re.search(r"stored (\d+)", line).group(1))
    numbers["waiting"] = int(re.search(r"waiting (\d+)", line).group(1))
    return numbers


def key_arg(seed, robot: str, label: str) -> str:
    return f"{seed.robots[robot]}={seed.keys[label]['key']}"


def test_robots_post_their_paths_to_the_api(start_telemetry, seed, engine, tmp_path):
    server = start_telemetry("simulator")
    keys_file = tmp_path / "keys"
    keys_file.write_text(f"# two robots\n{key_arg(seed, 'ana-rover-2', 'ana2_write')}\n")
    result = run_cli(
        "--url", server.base_url, "--rate", "10", "--duration", "3", "--seed", "5",
        "--progress-every", "1", "--gap-chance", "0.2",
        "--key", key_arg(seed, "ana-rover-1", "ana1_write"), "--keys-file", str(keys_file),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "2 robots posting 10 readings/s each" in result.stderr
    assert len(re.findall(r"^\[\s+\d+ s\]", result.stderr, re.M)) >= 2  # progress lines
    counts = summary(result.stderr)
    assert counts["waiting"] == 0
    assert counts["stored"] == counts["readings"] == stored(engine) >= 40
    batches = int(re.search(r"\(batches (\d+)\)", result.stderr.splitlines()[-1]).group(1))
    assert batches >= 1  # lost links were made up for by batches
    with engine.connect() as connection:
        for robot in ("ana-rover-1", "ana-rover-2"):
            rows = connection.execute(
                select(readings.c.seq, readings.c.x, readings.c.y)
                .where(readings.c.robot_id == seed.robots[robot])
                .order_by(readings.c.ts)
            ).all()
            assert [row.seq for row in rows] == list(range(1, len(rows) + 1))
            steps = [math.hypot(b.x - a.x, b.y - a.y) for a, b in itertools.pairwise(rows)]
            assert max(steps) < 1.0  # 10 readings/s at most 1.5 m/s: a smooth trail
        assert connection.scalar(select(func.count()).select_from(latest)) == 2


def test_ctrl_c_sends_what_is_held_and_prints_a_summary(start_telemetry, seed, engine):
    server = start_telemetry("simulator-sigint")
    process = subprocess.Popen(
        [
            sys.executable, "-m", "apis.telemetry.simulator", "--url", server.base_url,
            "--rate", "20", "--gap-chance", "0.3", "--progress-every", "0",
            "--key", key_arg(seed, "ana-rover-1", "ana1_write"),
        ],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while stored(engine) < 20 and time.monotonic() < deadline:
            time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "stopping: sending what the robots hold" in err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    counts = summary(err)
    assert counts["waiting"] == 0
    assert counts["stored"] == counts["readings"] == stored(engine)


def test_a_refused_key_stops_its_robot_and_exits_2(start_telemetry, seed, engine):
    server = start_telemetry("simulator-refused")
    # Bruno's robot key, presented for Ana's robot: 403 (and a revoked key would be 401).
    wrong = f"{seed.robots['ana-rover-1']}={seed.keys['bruno1_write']['key']}"
    result = run_cli("--url", server.base_url, "--rate", "5", "--duration", "20", "--key", wrong)
    assert result.returncode == 2
    assert "stopped, the API refused its requests (403" in result.stderr
    assert "0/1 robots" in result.stderr  # it stopped at once, not after 20 s
    assert stored(engine) == 0


def test_no_api_at_the_url_stops_the_robots(start_telemetry, seed):
    server = start_telemetry("simulator-404")
    key = key_arg(seed, "ana-rover-1", "ana1_write")
    result = run_cli("--url", f"{server.base_url}/wrong", "--duration", "20", "--key", key)
    assert result.returncode == 2
    assert "(404" in result.stderr


def test_rate_limited_robots_wait_and_lose_nothing(work_dir, seed, telemetry_url, engine):
    env = server_env(work_dir, seed, telemetry_url)
    env["TELEMETRY_RATE_LIMIT"] = "4/second"
    server = start_server("apis.telemetry", env, work_dir / "limited.log", probe="/healthz")
    try:
        keys = [(seed.robots["ana-rover-1"], seed.keys["ana1_write"]["key"])]
        simulation = Simulation(keys, url=server.base_url, rate=15, gap_chance=0, seed=1)
        tally = asyncio.run(simulation.run(duration=3, progress_every=0))
    finally:
        server.stop()
    assert tally.rate_limited >= 1
    assert tally.unsent == 0 and tally.rejected == 0
    assert tally.accepted == tally.generated == stored(engine)
    assert tally.batches >= 1  # what piled up while waiting went as batches


# --- Retry-After from a scripted server ----------------------------------------------------


class Scripted(BaseHTTPRequestHandler):
    """Answers from `script` in turn (status, headers), recording each request's time and body."""

    script: list[tuple[int, dict[str, str]]] = []
    seen: list[tuple[float, bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).seen.append((time.monotonic(), body))
        status, headers = self.script.pop(0) if self.script else (202, {})
        sent = json.loads(body)
        count = len(sent) if isinstance(sent, list) else 1
        payload = json.dumps({"accepted": count, "duplicates": 0} if status == 202 else {}).encode()
        self.send_response(status)
        for name, value in {**headers, "Content-Type": "application/json"}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def scripted() -> Iterator[str]:
    Scripted.script, Scripted.seen = [], []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("status", [503, 429])
def test_retry_after_is_waited_for_and_the_same_readings_sent_again(scripted, status):
    Scripted.script = [(status, {"Retry-After": "1"}), (502, {})]
    simulation = Simulation([("r1", KEY)], url=scripted, rate=1, gap_chance=0, seed=2)
    tally = asyncio.run(simulation.run(duration=0.5, progress_every=0))
    (first, body), (second, again), (third, last) = Scripted.seen[:3]
    assert second - first >= 1.0  # Retry-After: 1
    # No Retry-After: retry 2's backoff, 0.5 to 1 s, plus the request itself (slack for a busy CI).
    ceiling = client.BACKOFF_FIRST * 2
    assert ceiling / 2 <= third - second < ceiling + 0.5
    assert body == again == last  # the very same readings: the API stores them once
    assert tally.retries == 2 and tally.accepted == tally.generated == 1
    assert (tally.rate_limited, tally.server_errors) == ((1, 1) if status == 429 else (0, 2))


# --- make run SIMULATE=1: demo robots made on the spot ---------------------------------------


@pytest.fixture
def own_cms(tmp_path) -> Iterator[tuple[str, Server]]:
    """A CMS database of its own, and its server: the telemetry service asks it about keys."""
    cms_url = f"sqlite:///{tmp_path / 'cms.sqlite3'}"
    seed_cms(tmp_path, REPO / "tests/telemetry/accounts_seed.py", cms_url)
    cms = start_cms(tmp_path, cms_url)
    yield cms_url, cms
    cms.stop()


def test_create_keys_makes_demo_robots_once_and_drives_them(
    tmp_path, own_cms, telemetry_url, engine
):
    """What `make run SIMULATE=1` does, against a CMS database (and server) of its own."""
    cms_url, cms = own_cms
    env = base_env(
        tmp_path,
        DATABASE_URL=cms_url,
        TELEMETRY_DATABASE_URL=telemetry_url,
        TELEMETRY_CMS_URL=cms.base_url,
        INTERNAL_API_SECRET=INTERNAL_SECRET,
        API_SESSION_SECRET=SESSION_SECRET,
        TELEMETRY_RATE_LIMIT="",
        LOG_LEVEL="WARNING",
    )
    server = start_server("apis.telemetry", env, tmp_path / "telemetry.log", probe="/healthz")
    try:
        args = ("--create-keys", "--user", "sam", "--robots", "2", "--rate", "5")
        first = run_cli(*args, "--duration", "2", "--url", server.base_url, env=env)
        assert first.returncode == 0, first.stderr
        assert "2 demo robots for sam (2 new keys, 0 kept)" in first.stderr
        keys_file = tmp_path / keyfile.KEYS_FILE_NAME
        assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600
        written = keys_file.read_text()
        again = run_cli(*args, "--duration", "1", "--url", server.base_url, env=env)
        assert again.returncode == 0, again.stderr
        assert "(0 new keys, 2 kept)" in again.stderr
        assert keys_file.read_text() == written
    finally:
        server.stop()
    robot_ids = [robot_id for robot_id, _key in keyfile.read_keys_file(keys_file)]
    assert all(stored(engine, robot_id) >= 5 for robot_id in robot_ids)
    assert stored(engine) == summary(first.stderr)["stored"] + summary(again.stderr)["stored"]


def test_an_api_that_is_not_up_yet_is_waited_for(capsys):
    """`make run SIMULATE=1` starts the simulator alongside the gateway: it may come first."""
    port = free_port()
    Scripted.script, Scripted.seen = [], []
    httpd: list[ThreadingHTTPServer] = []

    def serve_later() -> None:
        time.sleep(1.5)
        httpd.append(ThreadingHTTPServer(("127.0.0.1", port), Scripted))
        httpd[0].serve_forever()

    threading.Thread(target=serve_later, daemon=True).start()
    simulation = Simulation([("r1", KEY)], url=f"http://127.0.0.1:{port}", rate=2, gap_chance=0)
    try:
        tally = asyncio.run(simulation.run(duration=2.5, progress_every=0))
    finally:
        if httpd:
            httpd[0].shutdown()
            httpd[0].server_close()
    err = capsys.readouterr().err
    assert tally.network_errors >= 1
    assert err.count("cannot reach") == 1 and "reached http://127.0.0.1" in err
    assert tally.accepted == tally.generated >= 4 and tally.unsent == 0


def test_a_long_outage_forgets_the_oldest_unsent_readings_not_the_ones_in_flight(
    scripted, monkeypatch
):
    monkeypatch.setattr(client, "MAX_OUTBOX", 5)
    Scripted.script = [(503, {"Retry-After": "1"})]
    simulation = Simulation([("r1", KEY)], url=scripted, rate=20, gap_chance=0, seed=4)
    tally = asyncio.run(simulation.run(duration=1.2, progress_every=0))
    sent = [json.loads(body) for _when, body in Scripted.seen]
    sent = [body if isinstance(body, list) else [body] for body in sent]
    delivered = [item["seq"] for body in sent[1:] for item in body]
    assert sent[0][0]["seq"] == 1 and delivered[0] == 1  # the reading in flight was sent again
    assert tally.dropped > 10 and tally.accepted + tally.dropped == tally.generated
    assert delivered == sorted(delivered) and len(set(delivered)) == len(delivered)
