"""S3 for tests: moto's server in its own process, and buckets set up as deployments do."""

import subprocess
import sys
import time
import urllib.request
import uuid

from deploy.objectstore.init_buckets import public_read_policy
from tests.servers import free_port

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "croody-test", "AWS_SECRET_ACCESS_KEY": "croody-test"}
REGION = "us-east-1"


class MotoServer:
    """`python -m moto.server` on a free loopback port: S3's HTTP API, in its own process."""

    def __init__(self) -> None:
        port = free_port()
        self.endpoint = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{self.endpoint}/moto-api/", timeout=1)  # noqa: S310
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def make_bucket(s3, public_prefix: str) -> str:
    """A bucket whose `public_prefix` anyone may read, as deploy/objectstore sets them up
    (on AWS the CDN reads them instead); the rest of it stays private."""
    name = f"croody-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    s3.put_bucket_policy(Bucket=name, Policy=public_read_policy(name, public_prefix))
    return name
