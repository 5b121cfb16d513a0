"""Real servers for tests: the gateway, the CMS or one service in a subprocess, on a free port."""

import json
import os
import re
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
# What the services present to the CMS's /internal/ in these tests (INTERNAL_API_SECRET).
INTERNAL_SECRET = "tests-internal-api-secret-" + "i" * 16


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


def emails_to(log: str, to: str) -> list[str]:
    """The emails to `to` in a development server's log, oldest first (its console email
    backend prints each message, then a line of 79 dashes)."""
    return [
        message
        for message in log.split("-" * 79)
        if re.search(rf"^To: {re.escape(to)}$", message, re.MULTILINE)
    ]


def emailed_link(log: str, to: str, path: str) -> str:
    """The newest link to `path` in an email to `to`, from a development server's log."""
    links = [
        link
        for message in emails_to(log, to)
        for link in re.findall(rf"https?://\S+?{re.escape(path)}\S*", message)
    ]
    assert links, f"no email to {to} with a link to {path} in the log"
    return links[-1]


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
    # A server gets the secrets a test gives it, or none (development makes its own).
    env.pop("API_SESSION_SECRET", None)
    env.pop("INTERNAL_API_SECRET", None)
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


def seed_cms(var_dir: Path, script: Path, database_url: str) -> dict:
    """Build a CMS database with the CMS's own migrations and models: run `script`, which
    prints what it made as JSON on its last line."""
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=REPO,
        env=base_env(var_dir, DATABASE_URL=database_url),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def start_cms(var_dir: Path, database_url: str, **env: str) -> Server:
    """`python -m cms` on this database: what a service asks about keys at /internal/."""
    return start_server(
        "cms",
        base_env(var_dir, DATABASE_URL=database_url, INTERNAL_API_SECRET=INTERNAL_SECRET, **env),
        var_dir / "cms.log",
    )


def drop_database(url: str) -> None:
    """Drop a database fresh_database_url made (nothing to do for SQLite files)."""
    if not url.startswith(("postgres://", "postgresql://")):
        return
    parts = urlsplit(url)
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')
    admin.close()
