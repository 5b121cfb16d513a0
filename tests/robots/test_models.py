"""Robots at the model level, in the table they have always had."""

import pytest
from django.db import IntegrityError, connection, transaction

from cms.accounts.models import owner_record
from cms.robots.models import Robot

pytestmark = pytest.mark.django_db


def test_robot_gets_a_public_id_unique_across_owners(user, other_user):
    first = Robot.objects.create(owner=user, name="Rover 1")
    second = Robot.objects.create(owner=other_user, name="Rover 1")
    assert first.robot_id.startswith("rover-1-")
    assert first.robot_id != second.robot_id
    with pytest.raises(IntegrityError), transaction.atomic():
        Robot.objects.create(owner=user, name="Rover 1")  # name unique per owner


def test_robot_id_for_names_without_latin_letters(user):
    assert Robot.objects.create(owner=user, name="ロボット").robot_id.startswith("robot-")


def test_robots_keep_the_table_and_constraint_made_when_accounts_held_them(user):
    """Moving Robot to its own app created and dropped nothing (SeparateDatabaseAndState)."""
    assert Robot._meta.app_label == "robots"
    assert Robot._meta.db_table == "accounts_robot"
    robot = Robot.objects.create(owner=user, name="Rover")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, owner_id FROM accounts_robot WHERE robot_id = %s", [robot.robot_id]
        )
        assert cursor.fetchone() == ("Rover", user.pk)
        constraints = connection.introspection.get_constraints(cursor, "accounts_robot")
    assert "accounts_robot_name_unique_per_owner" in constraints


def test_owned_by_search_and_related_name(user, other_user):
    rover = Robot.objects.create(owner=user, name="Rover")
    theirs = Robot.objects.create(owner=other_user, name="Crawler")
    assert list(Robot.objects.owned_by(user)) == [rover]
    assert list(user.robots.all()) == [rover]
    assert list(Robot.objects.search("crawl")) == [theirs]
    assert list(Robot.objects.search(other_user.username)) == [theirs]
    assert list(Robot.objects.search(rover.robot_id[-6:])) == [rover]
    assert owner_record(user.pk).robots == frozenset({rover.robot_id})
