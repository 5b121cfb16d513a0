"""Operators' API keys: create (printed once), list, revoke."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from cms.accounts.models import ApiKey
from cms.robots.models import Robot
from croody_core import keys
from croody_core import scopes as key_scopes

EXAMPLES = """examples:
  manage.py apikey create --user ana --scope telemetry:write --robot rover-1 --name "Rover 1"
  manage.py apikey create --user ana --scope telemetry:read --scope ids:analyst
  manage.py apikey list --user ana
  manage.py apikey revoke k3v9x2ab
"""


class Command(BaseCommand):
    help = (
        "Create, list and revoke Croody API keys (one key model for the telemetry and IDS "
        f"APIs). Scopes: {', '.join(key_scopes.SCOPES)}; telemetry:write keys are bound to "
        "one robot."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.epilog = EXAMPLES
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        from argparse import RawDescriptionHelpFormatter

        parser.formatter_class = RawDescriptionHelpFormatter
        actions = parser.add_subparsers(dest="action", metavar="{create,list,revoke}")
        actions.required = True

        create = actions.add_parser(
            "create",
            help="create a key for a user and print it once (it is never shown again)",
            description="Create a key and print it once: only its hash is stored.",
        )
        create.add_argument("--user", required=True, help="username of the key's owner")
        create.add_argument(
            "--scope",
            dest="scopes",
            action="append",
            required=True,
            choices=key_scopes.SCOPES,
            help="a scope to grant; repeat for several",
        )
        create.add_argument(
            "--robot",
            help="name of the owner's robot to bind the key to (registered when missing); "
            "required with telemetry:write",
        )
        create.add_argument("--name", default="", help="a label for the key")

        listing = actions.add_parser("list", help="list keys (never the keys themselves)")
        listing.add_argument("--user", help="only this user's keys")

        revoke = actions.add_parser("revoke", help="revoke a key by its prefix")
        revoke.add_argument("prefix", help="the 8-character prefix shown by `apikey list`")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self.create(options)
        elif action == "list":
            self.list(options.get("user"))
        elif action == "revoke":
            self.revoke(options["prefix"])

    def get_user(self, username: str) -> Any:
        User = get_user_model()
        try:
            return User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(
                f"No user named {username!r}. Check the spelling, or create the user first "
                "(sign up on the site, or `manage.py createsuperuser`)."
            ) from None

    def create(self, options: dict[str, Any]) -> None:
        user = self.get_user(options["user"])
        scopes = key_scopes.parse_scopes(options["scopes"])
        robot_name = (options.get("robot") or "").strip()
        if key_scopes.SCOPE_TELEMETRY_WRITE in scopes and not robot_name:
            raise CommandError(
                "telemetry:write keys are bound to one robot: add --robot NAME "
                "(the robot is registered for the user when it does not exist yet)."
            )
        # A scope its owner may not hold would never count (apis.common.auth): say so now.
        granted = key_scopes.grantable_scopes(
            user.is_staff, user.groups.values_list("name", flat=True)
        )
        if withheld := [scope for scope in scopes if scope not in granted]:
            raise CommandError(
                f"{user.get_username()} may not hold {', '.join(withheld)}: ids:analyst needs "
                f"the {key_scopes.ANALYST_GROUP!r} group (or staff), ids:models a staff user."
            )
        with transaction.atomic():
            robot = None
            if robot_name:
                robot, created = Robot.objects.get_or_create(owner=user, name=robot_name)
                if created:
                    self.stderr.write(f"Registered robot {robot.name!r} ({robot.robot_id}).")
            try:
                api_key, full_key = ApiKey.objects.issue(
                    user=user, scopes=scopes, name=options["name"], robot=robot
                )
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from None
        self.stderr.write(
            f"Created key {api_key.prefix} for {user.get_username()} "
            f"({api_key.scopes}{', robot ' + robot.robot_id if robot else ''}). "
            "Copy it now: it is not stored and cannot be shown again."
        )
        self.stdout.write(full_key)

    def list(self, username: str | None) -> None:
        queryset = ApiKey.objects.select_related("user", "robot").order_by("created_at", "pk")
        if username:
            queryset = queryset.for_user(self.get_user(username))
        rows = [
            (
                api_key.prefix,
                api_key.user.get_username(),
                api_key.robot.robot_id if api_key.robot else "-",
                api_key.scopes,
                "active" if api_key.is_active else "revoked",
                api_key.name or "-",
            )
            for api_key in queryset
        ]
        if not rows:
            self.stderr.write("No API keys.")
            return
        header = ("PREFIX", "USER", "ROBOT", "SCOPES", "STATE", "NAME")
        widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            self.stdout.write(
                "  ".join(
                    str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)
                ).rstrip()
            )

    def revoke(self, prefix: str) -> None:
        prefix = prefix.strip()
        parsed = keys.parse_key(prefix)
        if parsed is not None:  # a whole key was pasted: use only its prefix
            prefix = parsed.prefix
        api_key = ApiKey.objects.filter(prefix=prefix).first()
        if api_key is None:
            raise CommandError(
                f"No key with prefix {prefix!r}; `manage.py apikey list` shows them."
            )
        if api_key.revoke():
            self.stdout.write(f"Revoked key {api_key.prefix} ({api_key.user.get_username()}).")
        else:
            self.stdout.write(f"Key {api_key.prefix} was already revoked.")
