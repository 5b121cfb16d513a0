"""A real S3 HTTP API for the storage tests: moto's server, started on a free loopback port.

Each test gets a bucket of its own; `s3_env` is the environment a deployment would set, and
`s3_settings` applies it to this process the way cms/settings/base.py does at start-up.
"""

from collections.abc import Iterator

import boto3
import pytest

from cms.settings.s3 import MEDIA_LOCATION, STATIC_LOCATION, s3_storages
from tests.storage.s3 import CREDENTIALS, REGION, MotoServer, make_bucket


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    server = MotoServer()
    yield server.endpoint
    server.stop()


@pytest.fixture
def s3(moto_endpoint, monkeypatch):
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    return boto3.client("s3", endpoint_url=moto_endpoint, region_name=REGION)


@pytest.fixture
def bucket(s3) -> str:
    return make_bucket(s3, MEDIA_LOCATION)


@pytest.fixture
def static_bucket(s3) -> str:
    return make_bucket(s3, STATIC_LOCATION)


@pytest.fixture
def s3_env(moto_endpoint, bucket, static_bucket) -> dict[str, str]:
    """What a deployment sets: the buckets, the endpoint and a CDN domain (moto plays the CDN
    too: path-style URLs under the media bucket)."""
    return {
        **CREDENTIALS,
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_STATIC_BUCKET_NAME": static_bucket,
        "AWS_S3_ENDPOINT_URL": moto_endpoint,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_S3_CUSTOM_DOMAIN": f"{moto_endpoint.removeprefix('http://')}/{bucket}",
        "AWS_S3_URL_PROTOCOL": "http:",
    }


@pytest.fixture
def s3_settings(settings, s3_env):
    """Media on S3 in this process (static files stay local: collecting them to S3 is
    test_static.py's job, in a subprocess)."""
    settings.STORAGES = {**settings.STORAGES, "default": s3_storages(s3_env)["default"]}
    return settings


@pytest.fixture
def bucket_keys(s3, bucket):
    """bucket_keys() -> every object key in the test's bucket."""

    def keys() -> list[str]:
        listing = s3.list_objects_v2(Bucket=bucket)
        return [item["Key"] for item in listing.get("Contents", [])]

    return keys
