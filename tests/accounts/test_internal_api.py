"""/internal/: what the services learn about keys and users, and who may ask."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from cms.accounts.models import ApiKey
from cms.robots.models import Robot
from croody_core import keys
from croody_core.introspection import KeyRecord, Owner

pytestmark = pytest.mark.django_db
SECRET = "internal-secret-for-these-tests-" + "x" * 16
BEARER = {"HTTP_AUTHORIZATION": f"Bearer {SECRET}"}


@pytest.fixture(autouse=True)
def internal_secret(settings):
    settings.INTERNAL_API_SECRET = SECRET


@pytest.fixture
def robot_key(user):
    robot = Robot.objects.create(owner=user, name="Rover")
    api_key, full = ApiKey.objects.issue(user=user, scopes=["telemetry:write"], robot=robot)
    return robot, api_key, full


def test_a_key_record_lets_the_service_verify_the_key_and_scope_its_holder(client, user, robot_key):
    robot, api_key, full = robot_key
    user.groups.add(Group.objects.get_or_create(name="IDS analysts")[0])
    response = client.get(f"/internal/keys/{api_key.prefix}/", **BEARER)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    record = KeyRecord.from_json(response.json())
    assert record.admits(full)
    assert full not in response.content.decode()  # the hash travels, never the key
    assert record.scopes == ("telemetry:write",) and record.robot_id == robot.robot_id
    assert record.owner == Owner(
        user.pk, True, False, frozenset({"IDS analysts"}), frozenset({robot.robot_id})
    )


def test_introspection_records_the_keys_use(client, robot_key):
    _robot, api_key, _full = robot_key
    assert api_key.last_used_at is None
    client.get(f"/internal/keys/{api_key.prefix}/", **BEARER)
    api_key.refresh_from_db()
    assert api_key.last_used_at is not None


def test_revoked_keys_and_deactivated_owners_are_reported_as_such(client, user, robot_key):
    _robot, api_key, full = robot_key
    api_key.revoke()
    record = KeyRecord.from_json(client.get(f"/internal/keys/{api_key.prefix}/", **BEARER).json())
    assert record.revoked and not record.admits(full)
    user.is_active = False
    user.save()
    record = KeyRecord.from_json(client.get(f"/internal/keys/{api_key.prefix}/", **BEARER).json())
    assert not record.owner.active


def test_unknown_keys_and_users_are_404_not_redirects(client, user):
    for path in (f"/internal/keys/{keys.generate_prefix()}/", "/internal/users/999999/"):
        response = client.get(path, **BEARER)
        assert response.status_code == 404, path
        assert response.json()["error"] == "not_found"


def test_a_user_record_lists_their_robots(client, user, other_user):
    mine = Robot.objects.create(owner=user, name="Mine")
    Robot.objects.create(owner=other_user, name="Theirs")
    owner = Owner.from_json(client.get(f"/internal/users/{user.pk}/", **BEARER).json())
    assert owner.robots == {mine.robot_id} and owner.active and not owner.staff


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_AUTHORIZATION": "Bearer wrong"},
        {"HTTP_AUTHORIZATION": f"Basic {SECRET}"},
        {"HTTP_X_API_KEY": SECRET},
    ],
    ids=["none", "wrong secret", "other scheme", "other header"],
)
def test_only_the_internal_secret_opens_it(client, robot_key, headers):
    _robot, api_key, _full = robot_key
    for path in (f"/internal/keys/{api_key.prefix}/", f"/internal/users/{api_key.user_id}/"):
        response = client.get(path, **headers)
        assert response.status_code == 401, path
        assert response.json()["error"] == "unauthorized"
        assert "key_hash" not in response.content.decode()


def test_a_signed_in_user_cannot_use_it_either(client, user, robot_key):
    _robot, api_key, _full = robot_key
    client.force_login(user)
    assert client.get(f"/internal/keys/{api_key.prefix}/").status_code == 401


@pytest.mark.parametrize(
    "path",
    [
        "/internal/keys/%00/",
        "/internal/keys/" + "a" * 5000 + "/",
        "/internal/keys/../../admin/",
        "/internal/users/-1/",
        "/internal/users/99999999999999999999999/",
    ],
)
def test_hostile_paths_get_a_4xx(client, path):
    assert 400 <= client.get(path, **BEARER).status_code < 500


def test_writes_are_refused(client, robot_key):
    _robot, api_key, _full = robot_key
    response = client.post(f"/internal/keys/{api_key.prefix}/", **BEARER)
    assert response.status_code == 405
