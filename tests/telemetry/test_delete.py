"""DELETE /api/telemetry/robots/{robot_id}/readings: the signed-in owner erases a robot's history
(the site calls it when a robot or an account is deleted); nobody else, and no key, can."""

import pytest
from sqlalchemy import func, select

from apis.telemetry import store
from apis.telemetry.tables import latest, readings
from croody_core import session as api_session

from .conftest import SESSION_SECRET, reading, session_cookie

INGEST = "/api/telemetry/ingest"
LAST = "/api/telemetry/last"


def delete_url(robot_id: str) -> str:
    return f"/api/telemetry/robots/{robot_id}/readings"


def count(engine, table, robot_id: str) -> int:
    with engine.connect() as connection:
        query = select(func.count()).select_from(table).where(table.c.robot_id == robot_id)
        return connection.scalar(query) or 0


@pytest.fixture
def stored(client, seed):
    """Five readings of each of ana's robots and of bruno's."""
    for label, name in [
        ("ana1_write", "ana-rover-1"),
        ("ana2_write", "ana-rover-2"),
        ("bruno1_write", "bruno-rover-1"),
    ]:
        batch = [reading(seed.robots[name], offset_ms=i * 1000, seq=i) for i in range(5)]
        response = client.post(INGEST, json=batch, headers=seed.key(label))
        assert response.status_code == 202, response.text


def owner_cookie(seed, user: str, robots: list[str] | None) -> dict[str, str]:
    """The token the CMS mints for a user, stating the robots they own (as cms.services does)."""
    token = api_session.issue_token(
        user_id=seed.users[user],
        is_staff=False,
        groups=[],
        secret=SESSION_SECRET,
        robots=robots,
    )
    return {"Cookie": f"{api_session.COOKIE_NAME}={token}"}


@pytest.mark.parametrize("states_robots", [True, False], ids=["token-lists-robots", "cms-asked"])
def test_the_owner_deletes_one_robots_readings_and_nothing_else(
    client, seed, engine, stored, states_robots
):
    robot, sibling = seed.robots["ana-rover-1"], seed.robots["ana-rover-2"]
    if states_robots:
        cookie = owner_cookie(seed, "ana", [robot, sibling])
    else:
        cookie = session_cookie(seed.users["ana"])  # no robots in it: the CMS says
    response = client.delete(delete_url(robot), headers=cookie)
    assert response.status_code == 200, response.text
    assert response.json() == {"robot_id": robot, "deleted": 5}
    assert count(engine, readings, robot) == 0
    assert count(engine, latest, robot) == 0
    last = client.get(LAST, headers=cookie).json()["readings"]
    assert {item["robot_id"] for item in last} == {sibling}
    assert count(engine, readings, sibling) == 5
    assert count(engine, readings, seed.robots["bruno-rover-1"]) == 5

    again = client.delete(delete_url(robot), headers=cookie)
    assert again.status_code == 200 and again.json()["deleted"] == 0


def test_someone_elses_robot_is_403_and_kept(client, seed, engine, stored):
    bruno_robot = seed.robots["bruno-rover-1"]
    for cookie in (session_cookie(seed.users["ana"]), owner_cookie(seed, "ana", [])):
        response = client.delete(delete_url(bruno_robot), headers=cookie)
        assert response.status_code == 403, response.text
        assert response.json()["error"] == "forbidden"
    # An unknown robot gets the same answer: nothing tells which robot ids exist.
    unknown = client.delete(delete_url("no-such-robot"), headers=session_cookie(seed.users["ana"]))
    assert unknown.status_code == 403
    assert count(engine, readings, bruno_robot) == 5


def test_staff_cannot_wipe_another_users_robot(client, seed, engine, stored):
    staff = session_cookie(seed.users["sam"], is_staff=True)
    response = client.delete(delete_url(seed.robots["ana-rover-1"]), headers=staff)
    assert response.status_code == 403
    assert count(engine, readings, seed.robots["ana-rover-1"]) == 5


@pytest.mark.parametrize("label", ["ana_read", "ana1_write", "staff_read"])
def test_no_api_key_can_delete(client, seed, engine, stored, label):
    """Not even the owner's read key or the robot's own key: a leaked key never wipes history."""
    response = client.delete(delete_url(seed.robots["ana-rover-1"]), headers=seed.key(label))
    assert response.status_code == 403
    assert count(engine, readings, seed.robots["ana-rover-1"]) == 5


def test_without_credentials_it_is_401(client, seed, stored):
    assert client.delete(delete_url(seed.robots["ana-rover-1"])).status_code == 401


@pytest.mark.parametrize("robot_id", ["a" * 51, "bad%00id", "bad id", "%F0%9F%A4%96"])
def test_a_malformed_robot_id_is_422(client, seed, stored, robot_id):
    response = client.delete(delete_url(robot_id), headers=session_cookie(seed.users["ana"]))
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "validation_error"


def test_large_histories_go_in_batches(client, seed, engine):
    """More readings than one batch: every one goes, and the latest state with them."""
    robot = seed.robots["ana-rover-2"]
    batch = [reading(robot, offset_ms=i, seq=i) for i in range(250)]
    assert client.post(INGEST, json=batch, headers=seed.key("ana2_write")).status_code == 202
    assert store.delete_robot_readings(engine, robot, batch_size=40) == 250
    assert count(engine, readings, robot) == 0
    assert count(engine, latest, robot) == 0


def test_the_schema_documents_the_endpoint(client):
    spec = client.get("/api/telemetry/openapi.json").json()
    operation = spec["paths"]["/api/telemetry/robots/{robot_id}/readings"]["delete"]
    assert {"200", "401", "403", "422"} <= set(operation["responses"])
