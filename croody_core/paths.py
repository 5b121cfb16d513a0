"""The local data folder, and the secrets development keeps in it."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def var_dir() -> Path:
    """CROODY_VAR_DIR, else <repo>/var: SQLite files, media, generated development secrets."""
    return Path(os.environ.get("CROODY_VAR_DIR") or REPO_ROOT / "var")


def default_sqlite_url(name: str) -> str:
    return f"sqlite:///{var_dir() / f'{name}.sqlite3'}"


def dev_secret(file_name: str, directory: Path | None = None) -> str:
    """A random secret kept in <var>/<file_name>, made on first use (development only).

    The CMS and the services of one checkout share the file, so they agree without set-up.
    Production refuses to start without the secret in the environment instead.
    """
    path = (directory or var_dir()) / file_name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # O_EXCL: when several processes start at once, exactly one writes the secret.
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "w") as file:
                file.write(secrets.token_urlsafe(48))
    for _attempt in range(50):  # another process may be between creating and writing it
        secret = path.read_text().strip()
        if secret:
            return secret
        time.sleep(0.02)
    raise RuntimeError(f"{path} is empty: delete it, or set the secret in the environment")
