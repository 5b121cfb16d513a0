"""GET /api/telemetry/last: the latest reading per robot never moves backwards."""

from .conftest import reading

INGEST = "/api/telemetry/ingest"
LAST = "/api/telemetry/last"


def latest_of(client, seed, robot: str) -> dict:
    response = client.get(LAST, params={"robot": robot}, headers=seed.key("ana_read"))
    assert response.status_code == 200
    [item] = response.json()["readings"]
    return item


def post(client, seed, body) -> None:
    response = client.post(INGEST, json=body, headers=seed.key("ana1_write"))
    assert response.status_code == 202, response.text


def test_latest_is_the_newest_by_time_not_by_arrival(client, seed):
    robot = seed.robots["ana-rover-1"]
    post(client, seed, reading(robot, 10_000, x=10.0))
    post(client, seed, reading(robot, 5_000, x=5.0))  # late: an older reading arrives after
    post(client, seed, [reading(robot, 1_000, x=1.0), reading(robot, 9_000, x=9.0)])
    item = latest_of(client, seed, robot)
    assert item["x"] == 10.0
    assert item["ts"].endswith("Z")
    post(client, seed, reading(robot, 11_000, x=11.0))
    assert latest_of(client, seed, robot)["x"] == 11.0


def test_within_one_batch_the_newest_wins_whatever_the_order(client, seed):
    robot = seed.robots["ana-rover-1"]
    batch = [reading(robot, offset, x=float(offset)) for offset in (300, 900, 100, 600)]
    post(client, seed, batch)
    assert latest_of(client, seed, robot)["x"] == 900.0


def test_seq_breaks_ties_at_the_same_instant(client, seed):
    robot = seed.robots["ana-rover-1"]
    post(client, seed, reading(robot, seq=2, x=2.0))
    post(client, seed, reading(robot, seq=1, x=1.0))
    assert latest_of(client, seed, robot)["x"] == 2.0
    post(client, seed, reading(robot, seq=3, x=3.0))
    item = latest_of(client, seed, robot)
    assert (item["x"], item["seq"]) == (3.0, 3)


def test_a_duplicate_does_not_change_latest(client, seed):
    robot = seed.robots["ana-rover-1"]
    post(client, seed, reading(robot, 1000, x=1.0))
    post(client, seed, reading(robot, 1000, x=99.0))  # same robot, ts and seq: a retry
    item = latest_of(client, seed, robot)
    assert item["x"] == 1.0


def test_latest_has_every_field_and_the_reading_id(client, seed):
    robot = seed.robots["ana-rover-1"]
    post(client, seed, reading(robot, 0, seq=5, z=1.0, extra={"mode": "survey"}))
    item = latest_of(client, seed, robot)
    assert item["id"] > 0
    assert item["robot_id"] == robot
    assert item["seq"] == 5
    assert item["z"] == 1.0
    assert item["extra"] == {"mode": "survey"}
    assert item["status"] == "moving"
    assert item["battery"] == 80.0


def test_latest_lists_each_readable_robot_once(client, seed):
    ana1, ana2 = seed.robots["ana-rover-1"], seed.robots["ana-rover-2"]
    post(client, seed, [reading(ana1, offset) for offset in range(0, 5000, 1000)])
    response = client.post(INGEST, json=reading(ana2, 0), headers=seed.key("ana2_write"))
    assert response.status_code == 202
    answer = client.get(LAST, headers=seed.key("ana_read")).json()["readings"]
    assert sorted(item["robot_id"] for item in answer) == sorted([ana1, ana2])
    by_robot = {item["robot_id"]: item for item in answer}
    assert by_robot[ana1]["ts"] != by_robot[ana2]["ts"]


def test_a_robot_with_no_readings_yet_is_simply_absent(client, seed):
    response = client.get(LAST, headers=seed.key("bruno_read"))
    assert response.status_code == 200
    assert response.json() == {"readings": []}
