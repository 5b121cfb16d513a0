"""`manage.py apikey`: create (printed once), list, revoke, and clear errors."""

import subprocess
import sys
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError

from cms.accounts.management.commands.apikey import Command
from cms.accounts.models import ApiKey
from cms.robots.models import Robot
from croody_core import keys
from croody_core import scopes as key_scopes
from tests.servers import REPO

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("apikey", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_the_key_once_and_stores_its_hash(user):
    user.groups.add(Group.objects.get(name=key_scopes.ANALYST_GROUP))
    out, err = run(
        "create", "--user", "ana", "--scope", "ids:score", "--scope", "ids:analyst", "--name", "ops"
    )
    full_key = out.strip()
    parsed = keys.parse_key(full_key)
    assert parsed is not None, out
    api_key = ApiKey.objects.get(prefix=parsed.prefix)
    assert (api_key.user, api_key.name, api_key.scopes) == (user, "ops", "ids:analyst,ids:score")
    assert keys.verify_key(full_key, api_key.key_hash)
    assert "cannot be shown again" in err


def test_create_refuses_scopes_the_user_may_not_hold(user):
    with pytest.raises(CommandError, match=r"ana may not hold ids:analyst: ids:analyst needs"):
        run("create", "--user", "ana", "--scope", "ids:score", "--scope", "ids:analyst")
    with pytest.raises(CommandError, match="ids:models a staff user"):
        run("create", "--user", "ana", "--scope", "ids:models")
    assert not ApiKey.objects.exists()


def test_create_registers_the_robot_for_telemetry_write(user):
    out, err = run("create", "--user", "ana", "--scope", "telemetry:write", "--robot", "Rover 9")
    robot = Robot.objects.get(owner=user, name="Rover 9")
    api_key = ApiKey.objects.get(prefix=keys.parse_key(out.strip()).prefix)
    assert api_key.robot == robot
    assert robot.robot_id in err
    run("create", "--user", "ana", "--scope", "telemetry:write", "--robot", "Rover 9")
    assert Robot.objects.filter(owner=user).count() == 1  # reused, not duplicated


def test_telemetry_write_without_a_robot_is_an_error(user):
    with pytest.raises(CommandError, match="--robot"):
        run("create", "--user", "ana", "--scope", "telemetry:write")
    assert not ApiKey.objects.exists()


def test_unknown_user_is_an_error_that_says_what_to_do(db):
    with pytest.raises(CommandError, match="createsuperuser") as error:
        run("create", "--user", "nobody", "--scope", "ids:score")
    assert error.value.returncode != 0


def test_unknown_user_exits_non_zero_from_the_command_line(db, capsys):
    with pytest.raises(SystemExit) as exit_info:
        Command().run_from_argv(
            ["manage.py", "apikey", "create", "--user", "nobody", "--scope", "ids:score"]
        )
    assert exit_info.value.code != 0
    assert "No user named 'nobody'" in capsys.readouterr().err


def test_unknown_scope_is_refused(user):
    with pytest.raises(CommandError, match="invalid choice"):
        run("create", "--user", "ana", "--scope", "admin:all")


def test_list_and_revoke(user, other_user):
    mine, _ = ApiKey.objects.issue(user=user, scopes=["ids:score"], name="mine")
    theirs, _ = ApiKey.objects.issue(user=other_user, scopes=["telemetry:read"], name="theirs")
    out, _err = run("list")
    assert "PREFIX" in out and mine.prefix in out and theirs.prefix in out
    out, _err = run("list", "--user", "ana")
    assert mine.prefix in out and theirs.prefix not in out
    assert "active" in out
    out, _err = run("revoke", mine.prefix)
    assert f"Revoked key {mine.prefix}" in out
    mine.refresh_from_db()
    assert not mine.is_active
    out, _err = run("list", "--user", "ana")
    assert "revoked" in out
    out, _err = run("revoke", mine.prefix)
    assert "already revoked" in out
    with pytest.raises(CommandError, match="apikey list"):
        run("revoke", "zzzzzzzz")
    with pytest.raises(CommandError, match="No user named"):
        run("list", "--user", "nobody")


def test_help_explains_the_subcommands():
    result = subprocess.run(
        [sys.executable, "manage.py", "apikey", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "cms.settings.test"},
    )
    assert result.returncode == 0, result.stderr
    for word in ("create", "list", "revoke", "telemetry:write", "--robot"):
        assert word in result.stdout
    result = subprocess.run(
        [sys.executable, "manage.py", "apikey", "create", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "cms.settings.test"},
    )
    assert result.returncode == 0, result.stderr
    assert "--scope" in result.stdout and "--user" in result.stdout
