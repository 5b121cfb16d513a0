"""End-to-end: the real gateway in a subprocess, driven by Debian's Chromium through Playwright."""

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.servers import Server, base_env, fresh_database_url, run_manage, start_server

# Playwright's sync API keeps an event loop running in the main thread for the whole
# session; Django refuses ORM calls under a running loop unless told it is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


# trylast: after pytest's own reordering by fixture scope, which would otherwise undo this.
@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
    # Last: Playwright's sync API leaves its event loop marked running in this thread for the
    # rest of the session (its greenlets share the thread), so asyncio.run() fails after it.
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run `make chromium` (apt-get install chromium)"
        )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@dataclass
class Site:
    base_url: str
    admin_username: str
    admin_password: str
    server: Server  # its log holds the emails sent (the console backend of development)
    env: dict[str, str]  # what it runs with (its databases among them)


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Site:
    """What `make run` serves: migrated, set up with demo content, behind the gateway."""
    var_dir = tmp_path_factory.mktemp("e2e-var")
    env = base_env(var_dir)
    database_url = fresh_database_url("e2e")
    if database_url:
        env["DATABASE_URL"] = database_url
    run_manage(env, "migrate", "--noinput", "-v", "0")
    output = run_manage(env, "setup_croody")
    login = re.search(r"Admin login: (\S+) / (\S+)", output)
    assert login, f"setup_croody printed no admin login:\n{output}"
    server = start_server("gateway", env, var_dir / "gateway.log")
    yield Site(server.base_url, login.group(1), login.group(2), server, env)
    server.stop()


@pytest.fixture
def console_errors(page):
    """Console errors (CSP violations among them) seen while the test ran."""
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors
