"""Keys without the CMS's database: the service asks the CMS, caches and keeps the answers.

Real processes: `python -m apis.telemetry` with no way to reach the CMS database, and
`python -m cms` answering /internal/ (stopped to play an outage)."""

from __future__ import annotations

import pytest

from tests.servers import start_cms

from .conftest import reading

INGEST = "/api/telemetry/ingest"
LAST = "/api/telemetry/last"
# What a service would need to read the CMS's tables: not given, and nothing listens there.
NO_CMS_DATABASE = {
    "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/cms",
    "ACCOUNTS_DATABASE_URL": "",
}


def test_a_service_without_the_cms_database_accepts_valid_keys_and_refuses_revoked_ones(
    start_telemetry, seed, http
):
    server = start_telemetry("alone", **NO_CMS_DATABASE)
    robot = seed.robots["ana-rover-1"]
    posted = http.post(
        f"{server.base_url}{INGEST}", json=reading(robot), headers=seed.key("ana1_write")
    )
    assert posted.status_code == 202, posted.text
    read = http.get(f"{server.base_url}{LAST}", headers=seed.key("ana_read"))
    assert [item["robot_id"] for item in read.json()["readings"]] == [robot]
    refused = http.get(f"{server.base_url}{LAST}", headers=seed.key("ana_revoked"))
    assert refused.status_code == 401
    assert refused.json()["error"] == "unauthorized"


def test_known_keys_keep_working_through_a_cms_outage_and_a_restart(
    start_telemetry, seed, http, tmp_path
):
    cms = start_cms(tmp_path, seed.url)
    robot = seed.robots["ana-rover-2"]
    env = {
        **NO_CMS_DATABASE,
        "TELEMETRY_CMS_URL": cms.base_url,
        # Its own database: only the keys this test shows it are kept there.
        "TELEMETRY_DATABASE_URL": f"sqlite:///{tmp_path / 'telemetry.sqlite3'}",
    }
    server = start_telemetry("before-outage", **env)
    url = f"{server.base_url}{INGEST}"
    assert http.post(url, json=reading(robot, 0), headers=seed.key("ana2_write")).status_code == 202

    cms.stop()  # the CMS is down from here on
    server.stop()
    restarted = start_telemetry("during-outage", **env)  # nothing in memory: from its database
    url = f"{restarted.base_url}{INGEST}"
    kept = http.post(url, json=reading(robot, 1), headers=seed.key("ana2_write"))
    assert kept.status_code == 202, kept.text
    # A key this service never saw cannot be checked: "retry", not a false "unauthorized".
    unknown = http.post(
        url, json=reading(seed.robots["bruno-rover-1"]), headers=seed.key("bruno1_write")
    )
    assert unknown.status_code == 503
    assert unknown.json()["error"] == "unavailable" and unknown.headers["Retry-After"]
    # Malformed keys need no CMS to be refused.
    assert (
        http.get(
            f"{restarted.base_url}{LAST}", headers={"Authorization": "Bearer crd_nope"}
        ).status_code
        == 401
    )


@pytest.mark.parametrize("secret", ["", "not-the-internal-secret-" + "n" * 20])
def test_a_service_without_the_internal_secret_learns_nothing(
    start_telemetry, seed, http, secret, tmp_path
):
    server = start_telemetry(
        "wrong-secret",
        INTERNAL_API_SECRET=secret,
        TELEMETRY_DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite3'}",  # no kept answers
    )
    response = http.get(f"{server.base_url}{LAST}", headers=seed.key("ana_read"))
    assert response.status_code == 503  # the CMS refused to answer: nothing is known
