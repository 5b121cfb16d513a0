"""Who may read what; key revocation; the per-key rate limit; last_used_at."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from apis.common.database import make_engine
from apis.common.key_directory import FRESH_SECONDS

from .conftest import reading, session_cookie

INGEST = "/api/telemetry/ingest"
LAST = "/api/telemetry/last"


@pytest.fixture
def three_robots(client, seed):
    """One reading from each robot: two of ana's, one of bruno's."""
    for label, name in [
        ("ana1_write", "ana-rover-1"),
        ("ana2_write", "ana-rover-2"),
        ("bruno1_write", "bruno-rover-1"),
    ]:
        response = client.post(INGEST, json=reading(seed.robots[name]), headers=seed.key(label))
        assert response.status_code == 202


def robots_in(response) -> set[str]:
    assert response.status_code == 200, response.text
    return {item["robot_id"] for item in response.json()["readings"]}


def test_a_read_key_reads_its_owners_robots_only(client, seed, three_robots):
    ana = {seed.robots["ana-rover-1"], seed.robots["ana-rover-2"]}
    assert robots_in(client.get(LAST, headers=seed.key("ana_read"))) == ana
    bruno = {seed.robots["bruno-rover-1"]}
    assert robots_in(client.get(LAST, headers=seed.key("bruno_read"))) == bruno


def test_staff_read_every_robot(client, seed, three_robots):
    assert robots_in(client.get(LAST, headers=seed.key("staff_read"))) == set(seed.robots.values())
    staff_session = session_cookie(seed.users["sam"], is_staff=True)
    assert robots_in(client.get(LAST, headers=staff_session)) == set(seed.robots.values())


def test_the_signed_in_owner_reads_through_the_site_cookie(client, seed, three_robots):
    response = client.get(LAST, headers=session_cookie(seed.users["ana"]))
    assert robots_in(response) == {seed.robots["ana-rover-1"], seed.robots["ana-rover-2"]}


def test_an_expired_or_forged_cookie_is_401(client, seed, three_robots):
    from croody_core import session as api_session

    expired = api_session.issue_token(
        user_id=seed.users["ana"], is_staff=False, groups=[], secret="x" * 40, ttl=-1
    )
    response = client.get(LAST, headers={"Cookie": f"{api_session.COOKIE_NAME}={expired}"})
    assert response.status_code == 401


@pytest.mark.parametrize("endpoint", ["/api/telemetry/last", "/api/telemetry/query"])
def test_asking_for_someone_elses_robot_is_403(client, seed, three_robots, endpoint):
    for robot in [seed.robots["bruno-rover-1"], "no-such-robot"]:  # same answer: no hint
        response = client.get(endpoint, params={"robot": robot}, headers=seed.key("ana_read"))
        assert response.status_code == 403
        assert response.json()["error"] == "forbidden"


def test_a_robot_key_reads_nothing(client, seed, three_robots):
    for path in ["/api/telemetry/last", "/api/telemetry/live"]:
        response = client.get(path, headers=seed.key("ana1_write"))
        assert response.status_code == 403
    response = client.get(
        "/api/telemetry/query",
        params={"robot": seed.robots["ana-rover-1"]},
        headers=seed.key("ana1_write"),
    )
    assert response.status_code == 403


def test_an_ids_key_reads_no_telemetry(client, seed, three_robots):
    assert client.get(LAST, headers=seed.key("ana_ids")).status_code == 403


def test_a_revoked_key_is_refused_within_the_cache_period(client, seed, three_robots, tmp_path):
    """Revoking on the profile page (the CMS's `apikey revoke`) works within 30 seconds."""
    import subprocess
    import sys

    from tests.servers import REPO

    from .conftest import server_env

    headers = seed.key("bruno_to_revoke")
    assert client.get(LAST, headers=headers).status_code == 200  # now cached
    env = server_env(tmp_path, seed, "sqlite://", DATABASE_URL=seed.url)
    subprocess.run(
        [sys.executable, "manage.py", "apikey", "revoke", seed.keys["bruno_to_revoke"]["prefix"]],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    cache = client.app.state.keys.keys
    assert client.get(LAST, headers=headers).status_code == 200  # still in the cache
    later = cache.clock() + FRESH_SECONDS + 1
    cache.clock = lambda: later
    refused = client.get(LAST, headers=headers)
    assert refused.status_code == 401
    assert FRESH_SECONDS <= 20


def test_using_a_key_records_last_used_at(client, seed, three_robots):
    prefix = seed.keys["ana_read"]["prefix"]
    client.get(LAST, headers=seed.key("ana_read"))
    engine = make_engine(seed.url)
    try:
        with engine.connect() as connection:
            used = connection.execute(
                text("SELECT last_used_at FROM accounts_apikey WHERE prefix = :p"), {"p": prefix}
            ).scalar()
    finally:
        engine.dispose()
    assert used is not None


def test_rate_limit_per_key_answers_429_with_retry_after(make_api, seed):
    with TestClient(make_api(rate_limit="3/minute")) as limited:
        answers = [limited.get(LAST, headers=seed.key("ana_read")) for _ in range(4)]
        assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
        refused = answers[-1]
        assert refused.json()["error"] == "rate_limited"
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        # Per key: another key still has its own budget.
        assert limited.get(LAST, headers=seed.key("bruno_read")).status_code == 200


def test_unauthenticated_requests_are_401_not_rate_limited(make_api, seed):
    with TestClient(make_api(rate_limit="1/minute")) as limited:
        for _ in range(3):
            assert limited.get(LAST).status_code == 401


def test_a_bad_rate_limit_setting_stops_the_service_at_start(make_api):
    with pytest.raises(ValueError), TestClient(make_api(rate_limit="lots")):
        pass
