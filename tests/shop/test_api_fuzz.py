"""Schemathesis fuzzes every operation of /api/v2/openapi.json on a real CMS server: no 5xx.

The CMS runs as deployed (`python -m cms`, tests/servers.py) on a database of its own (a
SQLite file, or a sibling PostgreSQL database with DATABASE_URL) holding the Spanish demo
site and a document, without the rate limit. Valid and invalid values of every documented
query parameter (cms/shop/api_schema.py) are sent to the listing, detail and find views of
pages, images, documents and products. (The strategies are driven by Hypothesis directly:
schemathesis' lazy pytest loader does not support this pytest version.)
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.schemas import BaseSchema

from tests.servers import Server, drop_database, fresh_database_url, seed_cms, start_cms

ENDPOINTS = ("pages", "images", "documents", "products")
OPERATIONS = [
    ("GET", f"/api/v2/{endpoint}/{view}")
    for endpoint in ENDPOINTS
    for view in ("", "{id}/", "find/")
]
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "60"))
CASES = [
    pytest.param(method, path, mode, id=f"{method} {path} {mode.value}")
    for method, path in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
]


@pytest.fixture(scope="module")
def cms_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    work_dir = tmp_path_factory.mktemp("api-fuzz")
    suffix = f"api_fuzz_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    url = fresh_database_url(suffix) or f"sqlite:///{work_dir / 'cms.sqlite3'}"
    seed_cms(work_dir, Path(__file__).with_name("api_seed.py"), url)
    server = start_cms(work_dir, url, API_THROTTLE_RATE="")  # every case gets an answer
    yield server
    server.stop()
    errors = [line for line in server.log().splitlines() if "Internal Server Error" in line]
    drop_database(url)
    assert not errors, errors[:3]


@pytest.fixture(scope="module")
def api_schema(cms_server: Server) -> BaseSchema:
    return schemathesis.openapi.from_url(f"{cms_server.base_url}/api/v2/openapi.json")


def test_every_operation_is_fuzzed(api_schema: BaseSchema) -> None:
    found = {(op.ok().method.upper(), op.ok().path) for op in api_schema.get_all_operations()}
    assert found == set(OPERATIONS)


@pytest.mark.parametrize(("method", "path", "mode"), CASES)
def test_no_server_errors(
    api_schema: BaseSchema, method: str, path: str, mode: GenerationMode
) -> None:
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(checks=[not_a_server_error], timeout=60)

    check()
