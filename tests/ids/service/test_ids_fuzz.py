"""Schemathesis fuzzes every operation of the IDS OpenAPI schema on the real server: no 5xx.

Valid and invalid inputs generated from the schema, sent with a key holding the scopes each
operation needs, so requests reach the endpoints' own validation rather than stopping at
the 401. (The strategies are driven by Hypothesis directly: schemathesis' lazy pytest loader
does not support this pytest version.)
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.schemas import BaseSchema

from tests.servers import Server
from tests.time_edges import fuzz_near_the_edges

from .conftest import Seeded

OPERATIONS = [
    ("POST", "/api/ids/predict"),
    ("GET", "/api/ids/predictions"),
    ("GET", "/api/ids/predictions/{prediction_id}"),
    ("PUT", "/api/ids/predictions/{prediction_id}/triage"),
    ("DELETE", "/api/ids/predictions/{prediction_id}/triage"),
    ("POST", "/api/ids/triage"),
    ("GET", "/api/ids/stats"),
    ("GET", "/api/ids/model"),
    ("GET", "/api/ids/model/precision"),
    ("GET", "/api/ids/model/confusion-matrix.svg"),
    ("GET", "/api/ids/models"),
    ("GET", "/api/ids/models/{version}"),
    ("POST", "/api/ids/models/{version}/promote"),
    ("POST", "/api/ids/models/rollback"),
    ("PUT", "/api/ids/models/shadow/{version}"),
    ("DELETE", "/api/ids/models/shadow"),
    ("GET", "/api/ids/healthz"),
]
# Every date-time parameter is generated around the ends of the accepted range and of the
# calendar too (tests/time_edges.py), where conversions used to overflow into 500s.
fuzz_near_the_edges()
EXAMPLES = 40
# healthz takes no input at all, so there is nothing invalid to generate for it.
CASES = [
    pytest.param(method, path, mode, id=f"{method} {path} {mode.value}")
    for method, path in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if not (path.endswith("/healthz") and mode is GenerationMode.NEGATIVE)
]


@pytest.fixture(scope="module")
def ids_schema(ids_api: Server) -> BaseSchema:
    return schemathesis.openapi.from_url(f"{ids_api.base_url}/api/ids/openapi.json")


def test_every_operation_is_fuzzed(ids_schema: BaseSchema) -> None:
    found = {(op.ok().method.upper(), op.ok().path) for op in ids_schema.get_all_operations()}
    assert found == set(OPERATIONS)


@pytest.mark.parametrize(("method", "path", "mode"), CASES)
def test_no_server_errors(
    ids_schema: BaseSchema, accounts: Seeded, method: str, path: str, mode: GenerationMode
) -> None:
    operation = ids_schema[path][method]
    # The registry's changes need a staff key with ids:models. This server registers only the
    # version it ships with, so no generated change can succeed (404 or 409).
    label = "models" if path.startswith("/api/ids/models") else "both"
    key = {"Authorization": f"Bearer {accounts.key(label)}"}

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=key, checks=[not_a_server_error], timeout=60)

    check()
