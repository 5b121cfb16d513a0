"""`manage.py demo_robots`: demo robots with telemetry:write keys, for the robot simulator.

`make run SIMULATE=1` (through `python -m apis.telemetry.simulator --create-keys`) runs it.
Keys are stored only as hashes, so the full keys go to a file only their owner may read
($CROODY_VAR_DIR/simulator-keys, mode 600, ROBOT_ID=KEY lines). Running it again changes
nothing while those keys still work; a key that no longer does (revoked, or the file was lost)
is replaced and the demo key it replaces revoked.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from cms.accounts.models import ApiKey
from cms.robots.models import Robot
from croody_core import keys
from croody_core import scopes as key_scopes
from croody_core.keyfile import KEYS_FILE_NAME, KeySpecError, parse_keys_text

DEMO_ROBOT_NAME = "Demo rover {number}"
DEMO_KEY_NAME = "Demo simulator"


def key_works(presented: str, robot: Robot) -> bool:
    """The key is active, verifies, posts telemetry and is bound to this robot."""
    parsed = keys.parse_key(presented)
    if parsed is None:
        return False
    api_key = ApiKey.objects.filter(prefix=parsed.prefix, robot=robot, user=robot.owner).first()
    return (
        api_key is not None
        and keys.verify_key(presented, api_key.key_hash, revoked=not api_key.is_active)
        and api_key.has_scope(key_scopes.SCOPE_TELEMETRY_WRITE)
    )


def write_private(path: Path, text: str) -> None:
    """Replace the file atomically; readable by its owner only, from the first byte."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
    temporary.chmod(0o600)  # the mode above is only used when the file is new
    temporary.replace(path)


class Command(BaseCommand):
    help = (
        "Make sure USER owns N demo robots, each with a working telemetry:write key, and write "
        "the keys (ROBOT_ID=KEY) to a file only you can read, for the robot simulator. "
        "Idempotent: keys that still work are kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--robots", type=int, default=3, help="how many robots (3)")
        parser.add_argument("--user", default="admin", help="their owner (admin)")
        parser.add_argument(
            "--keys-file",
            help=f"where the keys go (default: $CROODY_VAR_DIR/{KEYS_FILE_NAME})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count = options["robots"]
        if not 1 <= count <= 100:
            raise CommandError("--robots must be between 1 and 100")
        path = Path(options["keys_file"] or Path(settings.VAR_DIR) / KEYS_FILE_NAME)
        owner = self.owner(options["user"])
        known = self.read(path)
        lines, made = [], 0
        with transaction.atomic():
            for number in range(1, count + 1):
                robot, _created = Robot.objects.get_or_create(
                    owner=owner, name=DEMO_ROBOT_NAME.format(number=number)
                )
                key = known.get(robot.robot_id)
                if key is None or not key_works(key, robot):
                    key = self.replace_key(robot)
                    made += 1
                lines.append(f"{robot.robot_id}={key}")
        text = "# Demo robots' telemetry:write keys (manage.py demo_robots); keep secret.\n"
        text += "".join(f"{line}\n" for line in lines)
        if not path.exists() or path.read_text() != text or path.stat().st_mode & 0o077:
            write_private(path, text)
        self.stdout.write(
            f"{count} demo robots for {owner.get_username()} "
            f"({made} new keys, {count - made} kept) in {path}"
        )

    def owner(self, username: str) -> Any:
        User = get_user_model()
        try:
            return User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(
                f"No user named {username!r}: run `manage.py setup_croody` (it creates the "
                "admin), or pass --user with an existing username."
            ) from None

    def read(self, path: Path) -> dict[str, str]:
        """The keys written last time, by robot id; an unreadable file counts as none."""
        try:
            return dict(parse_keys_text(path.read_text()))
        except (OSError, KeySpecError):
            return {}

    def replace_key(self, robot: Robot) -> str:
        # Earlier demo keys of this robot were only ever in the file: nobody can use them now.
        for stale in ApiKey.objects.active().filter(robot=robot, name=DEMO_KEY_NAME):
            stale.revoke()
        _api_key, full_key = ApiKey.objects.issue(
            user=robot.owner,
            scopes=[key_scopes.SCOPE_TELEMETRY_WRITE],
            name=DEMO_KEY_NAME,
            robot=robot,
        )
        return full_key
