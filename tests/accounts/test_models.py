"""Profiles and API keys at the model level."""

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from cms.accounts.models import ApiKey, UserProfile
from cms.robots.models import Robot
from croody_core import keys

pytestmark = pytest.mark.django_db


def test_profile_is_created_with_the_user(user):
    profile = UserProfile.objects.get(user=user)
    assert user.profile == profile
    assert (profile.language, profile.theme, profile.palette) == ("es", "system", "gator")
    assert profile.preferences == {"theme": "system", "palette": "gator"}


def test_issued_key_is_stored_only_as_a_hash(user):
    api_key, full_key = ApiKey.objects.issue(user=user, scopes=["ids:score"], name="scoring")
    parsed = keys.parse_key(full_key)
    assert parsed.prefix == api_key.prefix
    stored = ApiKey.objects.get(prefix=parsed.prefix)  # looked up by its prefix
    assert stored.key_hash == hashlib.sha256(full_key.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apikey WHERE id = %s", [api_key.pk])
        row = cursor.fetchone()
    assert all(parsed.secret not in str(value) for value in row)
    assert keys.verify_key(full_key, stored.key_hash)


def test_authenticate_accepts_an_active_key_and_records_its_use(user):
    api_key, full_key = ApiKey.objects.issue(user=user, scopes=["ids:analyst"])
    assert api_key.last_used_at is None
    found = ApiKey.objects.authenticate(full_key, scope="ids:analyst")
    assert found == api_key
    api_key.refresh_from_db()
    assert api_key.last_used_at is not None
    assert ApiKey.objects.authenticate(full_key, scope="ids:score") is None
    assert ApiKey.objects.authenticate(full_key[:-2] + "zz") is None
    assert ApiKey.objects.authenticate("crd_nothere0_" + "a" * 43) is None


def test_revoked_key_fails(user):
    api_key, full_key = ApiKey.objects.issue(user=user, scopes=["telemetry:read"])
    assert api_key.is_active
    assert api_key.revoke() is True
    assert api_key.revoke() is False
    api_key.refresh_from_db()
    assert not api_key.is_active
    assert ApiKey.objects.authenticate(full_key) is None
    assert not keys.verify_key(full_key, api_key.key_hash, revoked=not api_key.is_active)


def test_telemetry_write_needs_a_robot(user):
    with pytest.raises(ValidationError) as error:
        ApiKey.objects.issue(user=user, scopes=["telemetry:write"])
    assert "robot" in error.value.message_dict
    robot = Robot.objects.create(owner=user, name="r1")
    api_key, _key = ApiKey.objects.issue(user=user, scopes=["telemetry:write"], robot=robot)
    assert api_key.robot == robot
    # The table itself refuses an unbound telemetry:write key (the APIs may write there too).
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiKey.objects.filter(pk=api_key.pk).update(robot=None)


def test_key_row_holds_the_public_robot_id(user):
    robot = Robot.objects.create(owner=user, name="r1")
    api_key, _key = ApiKey.objects.issue(user=user, scopes=["telemetry:write"], robot=robot)
    with connection.cursor() as cursor:
        cursor.execute("SELECT robot_id FROM accounts_apikey WHERE id = %s", [api_key.pk])
        assert cursor.fetchone()[0] == robot.robot_id


def test_unknown_scope_and_foreign_robot_are_rejected(user, other_user):
    with pytest.raises(ValidationError, match="unknown scope"):
        ApiKey.objects.issue(user=user, scopes=["ids:everything"])
    with pytest.raises(ValidationError):
        ApiKey.objects.issue(user=user, scopes=[])
    foreign = Robot.objects.create(owner=other_user, name="theirs")
    with pytest.raises(ValidationError) as error:
        ApiKey.objects.issue(user=user, scopes=["telemetry:write"], robot=foreign)
    assert "robot" in error.value.message_dict
    assert not ApiKey.objects.exists()


def test_queryset_helpers(user, other_user):
    robot = Robot.objects.create(owner=user, name="r1")
    write, _ = ApiKey.objects.issue(user=user, scopes=["telemetry:write"], robot=robot)
    both, _ = ApiKey.objects.issue(user=user, scopes=["ids:score", "telemetry:read"])
    theirs, _ = ApiKey.objects.issue(user=other_user, scopes=["ids:analyst"])
    theirs.revoke()
    assert set(ApiKey.objects.for_user(user)) == {write, both}
    assert set(ApiKey.objects.active()) == {write, both}
    assert set(ApiKey.objects.revoked()) == {theirs}
    assert set(ApiKey.objects.with_scope("telemetry:read")) == {both}
    assert set(ApiKey.objects.with_scope("ids:score")) == {both}
    assert set(ApiKey.objects.with_scope("telemetry:write")) == {write}
    assert both.scopes == "ids:score,telemetry:read"
