"""Real servers for tests: the gateway or one service in a subprocess, on a free port."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen
    log_path: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def run_manage(env: dict[str, str], *args: str) -> str:
    """Run manage.py in a subprocess and return its output; fail with the output shown."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def start_server(
    module: str, env: dict[str, str], log_path: Path, probe: str = "/health/"
) -> Server:
    """Start `python -m module --port N` and wait until it answers `probe` (any status)."""
    port = free_port()
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", module, "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = Server(f"http://127.0.0.1:{port}", process, log_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{module} exited with {process.returncode}:\n{server.log()}")
        try:
            urllib.request.urlopen(server.base_url + probe, timeout=2)  # noqa: S310
            return server
        except urllib.error.HTTPError:
            return server  # it answered, even if unhealthy
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{module} did not answer {probe} within 60 s:\n{server.log()}")


def base_env(var_dir: Path, **overrides: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
        "CROODY_VAR_DIR": str(var_dir),
        # Its own database: the suite's PostgreSQL test database belongs to pytest-django.
        "DATABASE_URL": f"sqlite:///{var_dir / 'cms.sqlite3'}",
        "TELEMETRY_DATABASE_URL": f"sqlite:///{var_dir / 'telemetry.sqlite3'}",
        "IDS_DATABASE_URL": f"sqlite:///{var_dir / 'ids.sqlite3'}",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("CROODY_ADMIN_PASSWORD", None)
    # tests/telemetry's session fixtures set these in os.environ: a server gets its own or none.
    env.pop("ACCOUNTS_DATABASE_URL", None)
    env.pop("API_SESSION_SECRET", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for Playwright in this process only
    env.update(overrides)
    return env


def fresh_database_url(name_suffix: str, url: str | None = None) -> str | None:
    """With DATABASE_URL (or `url`) on PostgreSQL, an empty sibling database for a server.

    Returns None on SQLite (the server then uses its own file in its var/ folder)."""
    url = url or os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'croody'}_{name_suffix}"
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return urlunsplit(parts._replace(path=f"/{name}"))
