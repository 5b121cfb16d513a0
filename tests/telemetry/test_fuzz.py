"""Schemathesis fuzzes every operation of the telemetry OpenAPI schema on a real server: no 5xx.

Valid and invalid inputs are generated from the schema and sent with keys that get past the
401 (the robot's key for ingest, a staff read key for the rest), so they reach the endpoints'
own validation and the database. The live stream never ends by itself, so its cases are sent
with httpx and closed as soon as the status line arrives.
"""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.schemas import BaseSchema

from tests.servers import start_server
from tests.time_edges import fuzz_near_the_edges

from .conftest import server_env, session_cookie

OPERATIONS = [
    ("POST", "/api/telemetry/ingest", "ana1_write"),
    ("GET", "/api/telemetry/last", "staff_read"),
    ("GET", "/api/telemetry/query", "staff_read"),
    ("GET", "/api/telemetry/live", "staff_read"),
    ("GET", "/api/telemetry/healthz", None),
    ("GET", "/api/telemetry/stats", None),  # public: fleet counts, no credential
    # Keys cannot delete: the owner's signed-in session reaches the endpoint's own checks.
    ("DELETE", "/api/telemetry/robots/{robot_id}/readings", "session:ana"),
]
# Every date-time parameter is generated around the ends of the accepted range and of the
# calendar too (tests/time_edges.py), where conversions used to overflow into 500s.
fuzz_near_the_edges()
EXAMPLES = 60
CASES = [
    pytest.param(method, path, key, mode, id=f"{method} {path} {mode.value}")
    for method, path, key in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    # healthz and stats take no input: nothing to make invalid
    if not (path.endswith(("/healthz", "/stats")) and mode is GenerationMode.NEGATIVE)
]


@pytest.fixture(scope="module")
def server(work_dir, seed, telemetry_url, engine):
    env = server_env(work_dir, seed, telemetry_url)
    running = start_server("apis.telemetry", env, work_dir / "fuzz.log", probe="/healthz")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def telemetry_schema(server) -> BaseSchema:
    return schemathesis.openapi.from_url(f"{server.base_url}/api/telemetry/openapi.json")


def test_every_operation_is_fuzzed(telemetry_schema: BaseSchema) -> None:
    found = {
        (operation.ok().method.upper(), operation.ok().path)
        for operation in telemetry_schema.get_all_operations()
    }
    assert found == {(method, path) for method, path, _ in OPERATIONS}


@pytest.mark.parametrize(("method", "path", "key", "mode"), CASES)
def test_no_server_errors(telemetry_schema, server, seed, method, path, key, mode) -> None:
    operation = telemetry_schema[path][method]
    if key and key.startswith("session:"):
        credential = session_cookie(seed.users[key.removeprefix("session:")])
    else:
        credential = seed.key(key) if key else {}

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    def check(case: schemathesis.Case) -> None:
        if path.endswith("/live"):
            request = case.as_transport_kwargs(base_url=server.base_url, headers=credential)
            with httpx.stream(
                request["method"],
                request["url"],
                params=request.get("params"),
                headers=request.get("headers"),
                cookies=request.get("cookies"),
                timeout=30,
            ) as response:
                assert response.status_code < 500, case.as_curl_command()
            return
        case.call_and_validate(headers=credential, checks=[not_a_server_error], timeout=60)

    check()
