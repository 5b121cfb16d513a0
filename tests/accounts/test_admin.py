"""Staff manage every key and robot in Wagtail's admin; the hash is never shown."""

import pytest

from cms.accounts.models import ApiKey
from cms.robots.models import Robot

pytestmark = pytest.mark.django_db


@pytest.fixture
def keys_of_two_users(user, other_user):
    robot = Robot.objects.create(owner=user, name="Rover")
    write, _ = ApiKey.objects.issue(user=user, scopes=["telemetry:write"], robot=robot, name="w")
    score, _ = ApiKey.objects.issue(user=other_user, scopes=["ids:score"], name="s")
    score.revoke()
    return write, score


@pytest.fixture
def staff(client, make_user):
    client.force_login(make_user("boss", is_staff=True, is_superuser=True))
    return client


def test_staff_list_every_key_without_hashes(staff, keys_of_two_users):
    response = staff.get("/admin/apikeys/")
    assert response.status_code == 200
    html = response.content.decode()
    for api_key in keys_of_two_users:
        assert api_key.prefix in html
        assert api_key.key_hash not in html
    assert "/admin/apikeys/new/" not in html  # keys are issued to owners, not typed in


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("scope=telemetry:write", {0}),
        ("scope=ids:score", {1}),
        ("state=revoked", {1}),
        ("state=active", {0}),
    ],
)
def test_staff_filter_keys(staff, keys_of_two_users, query, expected):
    html = staff.get(f"/admin/apikeys/?{query}").content.decode()
    shown = {i for i, api_key in enumerate(keys_of_two_users) if api_key.prefix in html}
    assert shown == expected


def test_staff_filter_keys_by_user(staff, keys_of_two_users, other_user):
    html = staff.get(f"/admin/apikeys/?user={other_user.pk}").content.decode()
    assert keys_of_two_users[1].prefix in html
    assert keys_of_two_users[0].prefix not in html


def test_staff_revoke_a_key_after_confirming(staff, keys_of_two_users):
    write, _ = keys_of_two_users
    url = f"/admin/apikeys/revoke/{write.pk}/"
    assert url in staff.get("/admin/apikeys/").content.decode()  # the listing's action
    confirm = staff.get(url)
    assert confirm.status_code == 200
    assert write.prefix in confirm.content.decode()
    write.refresh_from_db()
    assert write.is_active
    response = staff.post(url)
    assert response.status_code == 302
    write.refresh_from_db()
    assert not write.is_active


def test_staff_inspect_and_edit_never_show_the_hash(staff, keys_of_two_users):
    write, _ = keys_of_two_users
    for url in [f"/admin/apikeys/inspect/{write.pk}/", f"/admin/apikeys/edit/{write.pk}/"]:
        response = staff.get(url)
        assert response.status_code == 200, url
        assert write.key_hash not in response.content.decode()
    assert staff.get("/admin/apikeys/new/", follow=True).status_code == 404


def test_staff_edit_cannot_add_telemetry_write_to_an_unbound_key(staff, keys_of_two_users):
    _, score = keys_of_two_users
    response = staff.post(
        f"/admin/apikeys/edit/{score.pk}/", {"name": "s", "scopes": ["telemetry:write"]}
    )
    assert response.status_code == 200
    score.refresh_from_db()
    assert score.scopes == "ids:score"


def test_staff_list_robots(staff, keys_of_two_users):
    robot = Robot.objects.get()
    response = staff.get("/admin/robots/")
    assert response.status_code == 200
    assert robot.robot_id in response.content.decode()


def test_non_staff_cannot_open_the_key_admin(client, user, keys_of_two_users):
    client.force_login(user)
    for url in ["/admin/apikeys/", f"/admin/apikeys/revoke/{keys_of_two_users[0].pk}/"]:
        response = client.get(url)
        assert response.status_code in (302, 403)
        if response.status_code == 302:
            assert response["Location"].startswith("/admin/login/")
    response = client.post(f"/admin/apikeys/revoke/{keys_of_two_users[0].pk}/")
    assert response.status_code in (302, 403)
    keys_of_two_users[0].refresh_from_db()
    assert keys_of_two_users[0].is_active


def test_anonymous_cannot_open_the_key_admin(client, keys_of_two_users):
    response = client.get("/admin/apikeys/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
