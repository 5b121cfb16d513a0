"""The robot key file: `ROBOT_ID=KEY` lines the simulator reads and `manage.py demo_robots`
writes (mode 600, in $CROODY_VAR_DIR/simulator-keys by default)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from croody_core import keys

KEYS_FILE_NAME = "simulator-keys"
ROBOT_ID = re.compile(r"^[A-Za-z0-9_-]{1,50}$")  # the telemetry API's robot id rule
HEADER = "# Robots' telemetry:write keys (ROBOT_ID=KEY); keep this file secret.\n"


class KeySpecError(ValueError):
    """Keys given in the wrong form, or not to be found; the message says which and how."""


def parse_robot_key(text: str) -> tuple[str, str]:
    """`ROBOT_ID=crd_…` as (robot id, key)."""
    robot_id, sep, key = text.strip().partition("=")
    robot_id, key = robot_id.strip(), key.strip()
    if not sep:
        raise KeySpecError(
            f"{_shown(text)} is not ROBOT_ID=KEY: write the robot's id (on the profile page, "
            "next to its name), '=', then its telemetry:write key"
        )
    if not ROBOT_ID.match(robot_id):
        raise KeySpecError(f"{robot_id!r} is not a robot id (letters, digits, '-' and '_')")
    if keys.parse_key(key) is None:
        raise KeySpecError(
            f"the key for {robot_id} is not a Croody API key (crd_<prefix>_<secret>)"
        )
    return robot_id, key


def _shown(text: str) -> str:
    """A mistyped key names itself without its secret."""
    text = text.strip()
    return repr(text[:16] + "…") if len(text) > 16 else repr(text)


def parse_keys_text(text: str) -> list[tuple[str, str]]:
    """ROBOT_ID=KEY entries separated by newlines or commas; blank lines and # comments skipped."""
    found = []
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        found += [parse_robot_key(item) for item in line.split(",") if item.strip()]
    return found


def read_keys_file(path: Path) -> list[tuple[str, str]]:
    try:
        return parse_keys_text(path.read_text())
    except OSError as error:
        raise KeySpecError(f"cannot read --keys-file {path}: {error.strerror}") from None


def format_keys_text(robot_keys: Iterable[tuple[str, str]]) -> str:
    return HEADER + "".join(f"{robot_id}={key}\n" for robot_id, key in robot_keys)
