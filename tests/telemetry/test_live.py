"""GET /api/telemetry/live over a real uvicorn server: delivery, filters, heartbeat, resume,
fan-out between processes through Redis, and the end of a stream whose key is revoked."""

import json
import subprocess
import sys
import threading
import time

import pytest
from fastapi.testclient import TestClient

from apis.common.key_directory import FRESH_SECONDS
from tests.servers import REPO

from .conftest import REDIS_URL, reading, server_env, session_cookie
from .sse import LiveStream

INGEST = "/api/telemetry/ingest"
LIVE = "/api/telemetry/live"


@pytest.fixture
def server(start_telemetry):
    return start_telemetry()


def post(http, server, seed, label: str, body) -> None:
    response = http.post(f"{server.base_url}{INGEST}", json=body, headers=seed.key(label))
    assert response.status_code == 202, response.text


def open_stream(server, headers, **params) -> LiveStream:
    query = "&".join(f"{name}={value}" for name, value in params.items())
    stream = LiveStream(f"{server.base_url}{LIVE}?{query}", headers)
    assert stream.status == 200
    return stream


def test_owner_sees_new_readings_of_their_robots_only(server, http, seed):
    stream = open_stream(server, seed.key("ana_read"))
    try:
        post(http, server, seed, "bruno1_write", reading(seed.robots["bruno-rover-1"], 1))
        post(http, server, seed, "ana1_write", reading(seed.robots["ana-rover-1"], 2, x=7.5))
        [first] = stream.readings(1)
        assert first["robot_id"] == seed.robots["ana-rover-1"]  # bruno's was never sent
        assert first["x"] == 7.5
        assert first["_event_id"] == str(first["id"])
        assert set(first) >= {"ts", "seq", "y", "heading", "speed", "battery", "status", "extra"}
    finally:
        stream.close()


def test_a_batch_arrives_in_order(server, http, seed):
    robot = seed.robots["ana-rover-1"]
    stream = open_stream(server, seed.key("ana_read"))
    try:
        post(http, server, seed, "ana1_write", [reading(robot, i, x=float(i)) for i in range(50)])
        got = stream.readings(50)
        assert [item["x"] for item in got] == [float(i) for i in range(50)]
        ids = [item["id"] for item in got]
        assert ids == sorted(ids)
    finally:
        stream.close()


def test_filter_by_robot(server, http, seed):
    stream = open_stream(server, seed.key("ana_read"), robot=seed.robots["ana-rover-2"])
    try:
        post(http, server, seed, "ana1_write", reading(seed.robots["ana-rover-1"], 1))
        post(http, server, seed, "ana2_write", reading(seed.robots["ana-rover-2"], 2))
        [first] = stream.readings(1)
        assert first["robot_id"] == seed.robots["ana-rover-2"]
    finally:
        stream.close()


def test_staff_and_the_site_cookie_see_all_and_own(server, http, seed):
    staff = open_stream(server, seed.key("staff_read"))
    owner = open_stream(server, session_cookie(seed.users["bruno"]))
    try:
        post(http, server, seed, "ana1_write", reading(seed.robots["ana-rover-1"], 1))
        post(http, server, seed, "bruno1_write", reading(seed.robots["bruno-rover-1"], 2))
        assert [item["robot_id"] for item in staff.readings(2)] == [
            seed.robots["ana-rover-1"],
            seed.robots["bruno-rover-1"],
        ]
        assert [item["robot_id"] for item in owner.readings(1)] == [seed.robots["bruno-rover-1"]]
    finally:
        staff.close()
        owner.close()


def test_heartbeat_while_idle(server, seed):
    stream = open_stream(server, seed.key("ana_read"))
    try:
        comments = stream.comments(timeout=3)  # the test server beats every second
        assert any(comment.startswith("ping") for comment in comments), comments
    finally:
        stream.close()


def test_resume_with_last_event_id_delivers_what_was_missed(server, http, seed):
    robot = seed.robots["ana-rover-1"]
    stream = open_stream(server, seed.key("ana_read"))
    try:
        post(http, server, seed, "ana1_write", [reading(robot, i, x=float(i)) for i in range(3)])
        seen = stream.readings(3)
    finally:
        stream.close()
    last_id = seen[-1]["_event_id"]
    # Disconnected: these are posted while nobody listens.
    post(http, server, seed, "ana1_write", [reading(robot, i, x=float(i)) for i in range(3, 8)])
    resumed = open_stream(server, {**seed.key("ana_read"), "Last-Event-ID": last_id})
    try:
        missed = resumed.readings(5)
        assert [item["x"] for item in missed] == [3.0, 4.0, 5.0, 6.0, 7.0]
        post(http, server, seed, "ana1_write", reading(robot, 8, x=8.0))
        [live] = resumed.readings(1)
        assert live["x"] == 8.0  # then live, with nothing repeated
    finally:
        resumed.close()


def test_resume_respects_who_may_read(server, http, seed):
    post(http, server, seed, "bruno1_write", reading(seed.robots["bruno-rover-1"], 1))
    post(http, server, seed, "ana1_write", reading(seed.robots["ana-rover-1"], 2))
    stream = open_stream(server, {**seed.key("ana_read"), "Last-Event-ID": "0"})
    try:
        [only] = stream.readings(1)
        assert only["robot_id"] == seed.robots["ana-rover-1"]
    finally:
        stream.close()


@pytest.mark.parametrize("value", ["abc", "-1", "99999999999999999999"])
def test_a_bad_last_event_id_is_422(server, http, seed, value):
    response = http.get(
        f"{server.base_url}{LIVE}", headers={**seed.key("ana_read"), "Last-Event-ID": value}
    )
    assert response.status_code == 422
    assert response.json()["error"] == "validation_error"


def test_live_needs_a_credential(server, http):
    response = http.get(f"{server.base_url}{LIVE}")
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"


@pytest.mark.skipif(not REDIS_URL, reason="fan-out between processes needs REDIS_URL")
def test_two_processes_share_readings_through_redis(start_telemetry, http, seed):
    first = start_telemetry("telemetry-a")
    second = start_telemetry("telemetry-b")
    on_first = open_stream(first, seed.key("ana_read"))
    on_second = open_stream(second, seed.key("ana_read"))
    try:
        robot = seed.robots["ana-rover-1"]
        post(http, first, seed, "ana1_write", reading(robot, 1, x=1.0))
        post(http, second, seed, "ana1_write", reading(robot, 2, x=2.0))
        assert sorted(item["x"] for item in on_first.readings(2)) == [1.0, 2.0]
        assert sorted(item["x"] for item in on_second.readings(2)) == [1.0, 2.0]
    finally:
        on_first.close()
        on_second.close()


@pytest.mark.skipif(not REDIS_URL, reason="fan-out between workers needs REDIS_URL")
def test_several_workers_deliver_every_reading(start_telemetry, http, seed):
    server = start_telemetry("telemetry-workers", WEB_CONCURRENCY="2")
    streams = [open_stream(server, seed.key("ana_read")) for _ in range(4)]
    try:
        robot = seed.robots["ana-rover-1"]
        for i in range(6):  # spread over both workers by the kernel
            post(http, server, seed, "ana1_write", reading(robot, i, x=float(i)))
        for stream in streams:
            assert sorted(item["x"] for item in stream.readings(6)) == [float(i) for i in range(6)]
    finally:
        for stream in streams:
            stream.close()


def test_a_stream_ends_once_its_key_is_revoked(make_api, seed, monkeypatch, tmp_path):
    """In process, with the clock moved past the key cache and a quick re-check."""
    headers = seed.key("ana_stream")
    ended = threading.Event()
    with TestClient(make_api(key_recheck_seconds=0.2)) as client:

        def listen() -> None:
            with client.stream("GET", LIVE, headers=headers) as response:
                assert response.status_code == 200
                for _line in response.iter_lines():
                    pass
            ended.set()

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        time.sleep(1)
        assert not ended.is_set()
        env = server_env(tmp_path, seed, "sqlite://", DATABASE_URL=seed.url)
        subprocess.run(
            [sys.executable, "manage.py", "apikey", "revoke", seed.keys["ana_stream"]["prefix"]],
            cwd=REPO,
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
        cache = client.app.state.keys.keys
        later = cache.clock() + FRESH_SECONDS + 1
        monkeypatch.setattr(cache, "clock", lambda: later)
        assert ended.wait(10), "the stream should end once the revocation is seen"


def test_a_subscriber_that_missed_messages_catches_up_from_the_database(make_api, seed, engine):
    """After a gap (a full queue, or Redis away) the stream re-reads what it missed."""
    from apis.telemetry import store
    from apis.telemetry.live import GAP
    from apis.telemetry.schemas import ReadingIn

    robot = seed.robots["ana-rover-1"]
    received: list[dict] = []
    api = make_api()
    with (
        TestClient(api) as client,
        client.stream("GET", LIVE, headers=seed.key("ana_read")) as response,
    ):
        lines = response.iter_lines()
        posted = client.post(INGEST, json=reading(robot, 1, x=1.0), headers=seed.key("ana1_write"))
        assert posted.status_code == 202
        # Stored without being announced: as if the message had been lost on the way.
        store.insert_readings(engine, [ReadingIn.model_validate(reading(robot, 2, x=2.0))])
        client.portal.call(api.state.live._offer, GAP)
        for line in lines:
            if line.startswith("data: "):
                received.append(json.loads(line[6:]))
                if len(received) == 2:
                    break
    assert [item["x"] for item in received] == [1.0, 2.0]


def test_a_full_queue_turns_into_a_gap():
    from apis.telemetry.live import GAP, QUEUE_BATCHES, Subscription

    async def scenario() -> list:
        subscription = Subscription(robots=None)
        for n in range(QUEUE_BATCHES + 5):
            subscription.offer([(n, "r", "{}")])
        return [subscription.queue.get_nowait() for _ in range(subscription.queue.qsize())]

    import asyncio

    queued = asyncio.run(scenario())
    # The backlog is dropped for a GAP (the reader re-reads it from the database); what
    # arrives afterwards queues behind it.
    assert queued[0] is GAP
    assert [batch[0][0] for batch in queued[1:]] == list(
        range(QUEUE_BATCHES + 1, QUEUE_BATCHES + 5)
    )
