"""Nothing acknowledged is lost: SIGKILL the server in the middle of a load, restart it, and
find every reading that was answered 202."""

import os
import signal
import threading
import time

import httpx
from sqlalchemy import select, text

from apis.telemetry.tables import readings

from .conftest import reading

INGEST = "/api/telemetry/ingest"
WRITERS = 4
BATCH = 50


def test_every_acknowledged_reading_survives_sigkill(start_telemetry, seed, engine):
    server = start_telemetry("durability")
    robot = seed.robots["ana-rover-1"]
    acknowledged: list[set[int]] = [set() for _ in range(WRITERS)]
    failures: list[int] = [0] * WRITERS
    stop = threading.Event()

    def write(writer: int) -> None:
        # Each writer owns the seq numbers writer, writer + WRITERS, …: no two collide.
        with httpx.Client(base_url=server.base_url, headers=seed.key("ana1_write")) as client:
            batch_number = 0
            while not stop.is_set():
                seqs = [(batch_number * BATCH + i) * WRITERS + writer for i in range(BATCH)]
                batch_number += 1
                body = [reading(robot, seq=seq, x=float(seq)) for seq in seqs]
                try:
                    response = client.post(INGEST, json=body, timeout=10)
                except httpx.HTTPError:
                    failures[writer] += 1
                    if failures[writer] > 3:
                        return
                    time.sleep(0.05)
                    continue
                if response.status_code == 202:
                    acknowledged[writer].update(seqs)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while sum(map(len, acknowledged)) < 2000 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(server.process.pid, signal.SIGKILL)  # mid-load: requests are in flight
    server.process.wait(timeout=10)
    time.sleep(0.5)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)

    acked = set().union(*acknowledged)
    assert len(acked) >= 2000, "the load should have been running when the server died"
    assert any(failures), "some requests should have been cut off by the kill"

    restarted = start_telemetry("durability-restarted")
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        stored = set(connection.scalars(select(readings.c.seq).where(readings.c.robot_id == robot)))
    missing = acked - stored
    assert not missing, f"{len(missing)} acknowledged readings were lost"
    # The restarted server serves them: latest is the newest acknowledged-or-later reading.
    answer = httpx.get(
        f"{restarted.base_url}/api/telemetry/last",
        params={"robot": robot},
        headers=seed.key("ana_read"),
    )
    assert answer.status_code == 200
    assert answer.json()["readings"][0]["seq"] >= max(acked)
