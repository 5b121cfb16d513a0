"""Group commit: concurrent requests share a transaction, each gets its own counts."""

import asyncio

import pytest
from sqlalchemy.exc import OperationalError

from apis.telemetry import store
from apis.telemetry.schemas import ReadingIn
from apis.telemetry.writer import GroupWriter

from .conftest import reading, stored_count


def readings_of(robot: str, *offsets: int) -> list[ReadingIn]:
    return [ReadingIn.model_validate(reading(robot, offset)) for offset in offsets]


def test_concurrent_requests_share_one_transaction_with_their_own_counts(engine, seed, monkeypatch):
    robot = seed.robots["ana-rover-1"]
    transactions = []
    real = store.insert_batches

    def counting(engine_, batches):
        transactions.append(len(batches))
        return real(engine_, batches)

    monkeypatch.setattr(store, "insert_batches", counting)

    async def scenario():
        writer = GroupWriter(engine)
        async with writer.running():
            return await asyncio.gather(
                writer.write(readings_of(robot, 1, 2, 3)),
                writer.write(readings_of(robot, 3, 4)),  # 3 is also in the first request
                writer.write(readings_of(robot, 1, 2, 3, 4)),  # all already there
            )

    first, second, third = asyncio.run(scenario())
    assert transactions == [3]  # one transaction for the three requests
    assert (first.accepted, first.duplicates) == (3, 0)
    assert (second.accepted, second.duplicates) == (1, 1)
    assert (third.accepted, third.duplicates) == (0, 4)
    assert stored_count(engine) == 4


def test_a_database_failure_answers_every_waiting_request(engine, seed, monkeypatch):
    def failing(engine_, batches):
        raise OperationalError("INSERT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(store, "insert_batches", failing)
    robot = seed.robots["ana-rover-1"]

    async def scenario():
        writer = GroupWriter(engine)
        async with writer.running():
            return await asyncio.gather(
                writer.write(readings_of(robot, 1)),
                writer.write(readings_of(robot, 2)),
                return_exceptions=True,
            )

    results = asyncio.run(scenario())
    assert all(isinstance(result, OperationalError) for result in results)


def test_the_api_answers_503_when_the_database_fails(client, seed, engine, monkeypatch):
    def failing(engine_, batches):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(store, "insert_batches", failing)
    response = client.post(
        "/api/telemetry/ingest",
        json=reading(seed.robots["ana-rover-1"]),
        headers=seed.key("ana1_write"),
    )
    assert response.status_code == 503
    assert response.json()["error"] == "unavailable"
    assert response.headers["retry-after"] == "5"


@pytest.mark.parametrize("size", [1, 999, 1000, 1001, 2500])
def test_large_groups_are_split_into_statements(engine, seed, size):
    """Groups bigger than one INSERT statement (1,000 rows) are stored whole."""
    robot = seed.robots["ana-rover-1"]
    batch = [ReadingIn.model_validate(reading(robot, i)) for i in range(size)]
    [outcome] = store.insert_batches(engine, [batch])
    assert (outcome.accepted, outcome.duplicates) == (size, 0)
    assert stored_count(engine) == size
