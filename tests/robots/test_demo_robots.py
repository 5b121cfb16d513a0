"""`manage.py demo_robots`: demo robots with working keys for the simulator, idempotent."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cms.accounts.models import ApiKey
from cms.robots.models import Robot
from croody_core import keys
from croody_core import scopes as key_scopes
from croody_core.keyfile import read_keys_file

pytestmark = pytest.mark.django_db


def demo_robots(path: Path, **options) -> str:
    out = io.StringIO()
    call_command("demo_robots", keys_file=str(path), stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def admin(make_user):
    return make_user("admin", is_staff=True)


def test_robots_and_keys_are_made_and_kept_where_only_their_owner_reads(admin, tmp_path):
    path = tmp_path / "var" / "simulator-keys"
    output = demo_robots(path, robots=3)
    assert f"3 demo robots for admin (3 new keys, 0 kept) in {path}" in output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    entries = read_keys_file(path)
    robots = Robot.objects.filter(owner=admin).order_by("name")
    assert [robot.name for robot in robots] == ["Demo rover 1", "Demo rover 2", "Demo rover 3"]
    assert [robot_id for robot_id, _key in entries] == [robot.robot_id for robot in robots]
    for robot_id, full_key in entries:
        api_key = ApiKey.objects.authenticate(full_key, scope=key_scopes.SCOPE_TELEMETRY_WRITE)
        assert api_key is not None and api_key.robot_id == robot_id
        assert api_key.scope_list == (key_scopes.SCOPE_TELEMETRY_WRITE,)
    assert all(full_key not in output for _robot_id, full_key in entries)


def test_running_again_changes_nothing(admin, tmp_path):
    path = tmp_path / "simulator-keys"
    demo_robots(path, robots=2)
    before = path.read_text()
    key_count = ApiKey.objects.count()
    assert "(0 new keys, 2 kept)" in demo_robots(path, robots=2)
    assert path.read_text() == before
    assert ApiKey.objects.count() == key_count
    assert Robot.objects.filter(owner=admin).count() == 2


def test_a_key_that_stopped_working_is_replaced_and_the_old_one_revoked(admin, tmp_path):
    path = tmp_path / "simulator-keys"
    demo_robots(path, robots=2)
    (first_robot, first_key), (second_robot, second_key) = read_keys_file(path)
    ApiKey.objects.get(prefix=keys.parse_key(first_key).prefix).revoke()
    assert "(1 new keys, 1 kept)" in demo_robots(path, robots=2)
    (robot, replaced), (_robot, kept) = read_keys_file(path)
    assert robot == first_robot and replaced != first_key and kept == second_key

    path.unlink()  # the file is lost: nobody can use those keys any more
    assert "(2 new keys, 0 kept)" in demo_robots(path, robots=2)
    for robot_id in (first_robot, second_robot):
        active = ApiKey.objects.active().filter(robot_id=robot_id)
        assert active.count() == 1  # only the key now in the file works
    for old_key in (replaced, kept):
        assert ApiKey.objects.authenticate(old_key) is None


def test_a_file_others_could_read_is_made_private_again(admin, tmp_path):
    path = tmp_path / "simulator-keys"
    demo_robots(path, robots=1)
    path.chmod(0o644)
    demo_robots(path, robots=1)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_missing_user_is_explained(db, tmp_path):
    with pytest.raises(CommandError, match=r"No user named 'nobody'.*setup_croody"):
        demo_robots(tmp_path / "keys", user="nobody")
    with pytest.raises(CommandError, match="between 1 and 100"):
        demo_robots(tmp_path / "keys", robots=0)
