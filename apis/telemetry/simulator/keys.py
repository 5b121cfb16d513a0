"""Which robots to drive, with which keys: --key ROBOT_ID=KEY (repeated), --keys-file,
SIMULATOR_API_KEYS, or --create-keys: demo robots and keys made by `manage.py demo_robots`,
run as a process of its own (the telemetry service's code never imports the CMS)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, TextIO, cast

from croody_core.keyfile import (
    KEYS_FILE_NAME,
    KeySpecError,
    parse_keys_text,
    parse_robot_key,
    read_keys_file,
)
from croody_core.paths import REPO_ROOT, var_dir

DEMO_ROBOTS = 3  # with --create-keys and no --robots
DEMO_SETTINGS = "cms.settings.dev"  # unless DJANGO_SETTINGS_MODULE says otherwise
COMMAND_ERROR = "CommandError: "  # how manage.py prints a command's own refusal


def find_robot_keys(
    *,
    keys: Sequence[str],
    keys_file: Path | None,
    create: bool,
    robots: int | None,
    user: str,
    out: TextIO,
    environ: Mapping[str, str] = os.environ,
) -> list[tuple[str, str]]:
    """The (robot id, key) pairs to drive, one per robot, from the command line's options.

    KeySpecError says what is wrong with them and what to do instead."""
    if create:
        if keys or keys_file:
            raise KeySpecError("--create-keys makes its own keys: leave out --key and --keys-file")
        return create_demo_keys(robots or DEMO_ROBOTS, user, var_dir() / KEYS_FILE_NAME, out)
    found = [parse_robot_key(text) for text in keys]
    if keys_file:
        found += read_keys_file(keys_file)
    if not found:
        found = parse_keys_text(environ.get("SIMULATOR_API_KEYS", ""))
    if not found:
        raise KeySpecError(
            "no robot keys: pass --key ROBOT_ID=KEY (a telemetry:write key made on your profile "
            "page), --keys-file, SIMULATOR_API_KEYS, or --create-keys for local demo robots"
        )
    robot_ids = [robot_id for robot_id, _key in found]
    if len(set(robot_ids)) != len(robot_ids):
        raise KeySpecError("each robot needs its own key: a robot id is given twice")
    wanted = robots or len(found)
    if wanted > len(found):
        raise KeySpecError(
            f"--robots {wanted} needs {wanted} robot keys, got {len(found)}: register more "
            "robots and keys on your profile page (or use --create-keys locally)"
        )
    return found[:wanted]


def create_demo_keys(robots: int, username: str, path: Path, out: TextIO) -> list[tuple[str, str]]:
    """Make sure the demo robots and their keys exist (`manage.py demo_robots`, run with the
    CMS's settings in a process of its own, its output copied to `out`), then read them."""
    command = [
        sys.executable,
        str(REPO_ROOT / "manage.py"),
        "demo_robots",
        "--robots",
        str(robots),
        "--user",
        username,
        "--keys-file",
        str(path.absolute()),  # it runs in the repository root, not here
    ]
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", DEMO_SETTINGS)
    if env.get("CROODY_VAR_DIR"):  # the same folder (and SQLite database) as from here
        env["CROODY_VAR_DIR"] = str(Path(env["CROODY_VAR_DIR"]).absolute())
    env["PYTHONUNBUFFERED"] = "1"  # its lines arrive as it writes them
    env["PYTHONIOENCODING"] = "utf-8"
    try:
        status, last_error = _run_copying_output(command, env, out)
    except OSError as error:
        raise KeySpecError(f"cannot run manage.py demo_robots: {error.strerror}") from None
    if status != 0:
        raise KeySpecError(_failure(status, last_error, env["DJANGO_SETTINGS_MODULE"]))
    return read_keys_file(path)


def _run_copying_output(command: list[str], env: dict[str, str], out: TextIO) -> tuple[int, str]:
    """Run the command in the repository root, copying its stdout and stderr to `out` line by
    line as they come; its exit status and the last line it wrote to stderr."""
    lock = threading.Lock()
    last_error = [""]

    def copy(pipe: IO[str], errors: bool) -> None:
        for line in pipe:
            with lock:
                out.write(line)
                out.flush()
            if errors and line.strip():
                last_error[0] = line.strip()

    with subprocess.Popen(  # noqa: S603 -- this interpreter, this repository's manage.py
        command,
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        encoding="utf-8",
        errors="replace",
    ) as process:
        stderr = threading.Thread(target=copy, args=(process.stderr, True), daemon=True)
        stderr.start()
        copy(cast(IO[str], process.stdout), False)  # piped above, so never None
        stderr.join()
        status = process.wait()
    return status, last_error[0]


def _failure(status: int, last_error: str, settings: str) -> str:
    if last_error.startswith(COMMAND_ERROR):  # the command refused, and says why and what to do
        return f"manage.py demo_robots: {last_error.removeprefix(COMMAND_ERROR)}"
    reason = last_error or "no message"
    return (
        f"manage.py demo_robots failed (exit status {status}): {reason}\n"
        f"--create-keys needs a working CMS (DJANGO_SETTINGS_MODULE={settings}) with its "
        "database (DATABASE_URL) set up: run `make setup` (or `manage.py migrate` and "
        "`manage.py setup_croody`), or leave out --create-keys and pass --key or --keys-file"
    )
