"""The profile page: three forms, robots and API keys, and who may see what."""

import hashlib
import re

import pytest
from django.conf import settings
from django.test import Client

from cms.accounts.models import ApiKey
from cms.accounts.validators import AVATAR_MAX_BYTES
from cms.robots.models import Robot
from croody_core import keys
from tests.accounts.conftest import image_upload

pytestmark = pytest.mark.django_db
PROFILE = "/en/account/profile/"


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert response["Location"] == f"/en/account/login/?next={PROFILE}"
    for url in [
        "/en/account/profile/details/",
        "/en/account/profile/preferences/",
        "/en/account/profile/robots/",
        "/en/account/profile/keys/",
    ]:
        response = client.post(url, {})
        assert response.status_code == 302
        assert response["Location"].startswith("/en/account/login/")


def test_profile_page_shows_three_forms_each_with_a_csrf_token(signed_in):
    response = signed_in.get(PROFILE)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    forms = dict(
        (action, body)
        for action, body in re.findall(
            r'<form[^>]*method="post"[^>]*action="([^"]+)"[^>]*>(.*?)</form>', html, re.S
        )
        if "/account/" in action
    )
    assert set(forms) == {
        "/en/account/profile/details/",
        "/en/account/profile/preferences/",
        "/en/account/profile/robots/",
        "/en/account/profile/keys/",
        "/en/account/logout/",
    }
    assert all("csrfmiddlewaretoken" in body for body in forms.values())
    assert "<script" not in html.split("</header>", 1)[1]
    assert 'style="' not in html


def test_posts_without_a_csrf_token_are_refused(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    for url, data in [
        ("/en/account/profile/details/", {"profile-display_name": "X"}),
        ("/en/account/profile/preferences/", {"prefs-theme": "dark"}),
        ("/en/account/profile/robots/", {"robot-name": "r"}),
        ("/en/account/profile/keys/", {"key-name": "k", "key-scopes": "ids:score"}),
    ]:
        assert client.post(url, data).status_code == 403


def test_profile_form_saves(signed_in, user):
    response = signed_in.post(
        "/en/account/profile/details/",
        {"profile-display_name": "Ana Gator", "profile-bio": "Trains at dawn."},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == PROFILE + "#profile"
    assert "Your profile has been saved." in response.content.decode()
    user.profile.refresh_from_db()
    assert (user.profile.display_name, user.profile.bio) == ("Ana Gator", "Trains at dawn.")


def test_profile_form_shows_errors_next_to_fields(signed_in, user):
    response = signed_in.post(
        "/en/account/profile/details/",
        {"profile-display_name": "x" * 81, "profile-bio": "y" * 1001},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_profile-display_name_error"' in html
    assert 'id="id_profile-bio_error"' in html
    assert 'aria-invalid="true"' in html
    assert 'role="alert"' in html
    user.profile.refresh_from_db()
    assert user.profile.display_name == ""


def test_avatar_upload_is_stored_under_avatars(signed_in, user):
    response = signed_in.post(
        "/en/account/profile/details/", {"profile-avatar": image_upload("me.PNG")}
    )
    assert response.status_code == 302
    user.profile.refresh_from_db()
    name = user.profile.avatar.name
    assert re.fullmatch(rf"avatars/{user.pk}/[0-9a-f]{{32}}\.png", name)
    assert user.profile.avatar.storage.exists(name)
    # Replacing it removes the old file.
    signed_in.post(
        "/en/account/profile/details/",
        {"profile-avatar": image_upload("me.jpg", image_format="JPEG")},
    )
    user.profile.refresh_from_db()
    assert user.profile.avatar.name.endswith(".jpg")
    assert not user.profile.avatar.storage.exists(name)
    # A later save without a new file keeps the avatar.
    signed_in.post("/en/account/profile/details/", {"profile-display_name": "Ana"})
    user.profile.refresh_from_db()
    assert user.profile.avatar.name.endswith(".jpg")


def test_avatar_too_big_is_rejected(signed_in, user):
    upload = image_upload("big.png", size=(1000, 1000), noise=True)
    assert upload.size > AVATAR_MAX_BYTES
    response = signed_in.post("/en/account/profile/details/", {"profile-avatar": upload})
    assert response.status_code == 200
    errors = response.context["profile_form"].errors["avatar"]
    assert "largest allowed is 2.0" in errors[0]
    user.profile.refresh_from_db()
    assert not user.profile.avatar


@pytest.mark.parametrize(
    "upload",
    [
        lambda: image_upload("fake.png").__class__("fake.png", b"not an image", "image/png"),
        lambda: image_upload("notes.txt").__class__("notes.txt", b"hello", "text/plain"),
    ],
)
def test_non_images_are_rejected_as_avatars(signed_in, user, upload):
    response = signed_in.post("/en/account/profile/details/", {"profile-avatar": upload()})
    assert response.status_code == 200
    assert "avatar" in response.context["profile_form"].errors
    user.profile.refresh_from_db()
    assert not user.profile.avatar


def test_preferences_apply_and_move_into_the_chosen_language(signed_in, user):
    response = signed_in.post(
        "/en/account/profile/preferences/",
        {"prefs-language": "fr", "prefs-theme": "dark", "prefs-palette": "jungle"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/fr/account/profile/#preferences"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    user.profile.refresh_from_db()
    assert (user.profile.language, user.profile.theme, user.profile.palette) == (
        "fr",
        "dark",
        "jungle",
    )
    page = signed_in.get("/fr/account/profile/")
    assert page.context["croody_prefs"] == {"theme": "dark", "palette": "jungle"}
    assert '<html lang="fr"' in page.content.decode()


def test_anonymous_visitors_have_no_preferences(client):
    assert client.get("/en/account/login/").context["croody_prefs"] is None


def test_preferences_reject_unknown_values(signed_in, user):
    response = signed_in.post(
        "/en/account/profile/preferences/",
        {"prefs-language": "de", "prefs-theme": "neon", "prefs-palette": "gator"},
    )
    assert response.status_code == 200
    errors = response.context["preferences_form"].errors
    assert set(errors) == {"language", "theme"}
    assert 'id="id_prefs-theme_error"' in response.content.decode()
    user.profile.refresh_from_db()
    assert user.profile.theme == "system"


def test_register_a_robot(signed_in, user):
    response = signed_in.post("/en/account/profile/robots/", {"robot-name": "Rover 1"}, follow=True)
    robot = Robot.objects.get(owner=user)
    assert robot.name == "Rover 1"
    html = response.content.decode()
    assert robot.robot_id in html
    response = signed_in.post("/en/account/profile/robots/", {"robot-name": "rover 1"})
    assert response.status_code == 200
    assert "already have a robot" in " ".join(response.context["robot_form"].errors["name"])
    response = signed_in.post("/en/account/profile/robots/", {"robot-name": ""})
    assert "name" in response.context["robot_form"].errors
    assert Robot.objects.filter(owner=user).count() == 1


def create_key(client, **data):
    return client.post("/en/account/profile/keys/", {f"key-{k}": v for k, v in data.items()})


def test_key_is_shown_once_and_only_its_hash_is_stored(signed_in, user):
    robot = Robot.objects.create(owner=user, name="Rover")
    response = create_key(signed_in, name="rover key", scopes=["telemetry:write"], robot=robot.pk)
    assert response.status_code == 302
    assert response["Location"] == PROFILE + "#new-key"
    api_key = ApiKey.objects.get(user=user)
    first = signed_in.get(PROFILE).content.decode()
    shown = re.search(r'id="new-key-value"[^>]*value="(crd_[^"]+)"', first)
    assert shown, "the new key is shown after creation"
    full_key = shown.group(1)
    assert keys.parse_key(full_key).prefix == api_key.prefix
    assert api_key.key_hash == hashlib.sha256(full_key.encode()).hexdigest()
    assert api_key.robot == robot
    again = signed_in.get(PROFILE).content.decode()
    assert full_key not in again
    assert keys.parse_key(full_key).secret not in again
    assert api_key.prefix in again  # listed by its prefix
    assert "rover key" in again


def test_key_form_errors(signed_in, user):
    response = create_key(signed_in, name="no scope")
    assert "scopes" in response.context["key_form"].errors
    response = create_key(signed_in, name="writer", scopes=["telemetry:write"])
    assert response.status_code == 200
    assert "robot" in response.context["key_form"].errors
    assert 'id="id_key-robot_error"' in response.content.decode()
    response = create_key(signed_in, name="bogus", scopes=["root"])
    assert "scopes" in response.context["key_form"].errors
    assert not ApiKey.objects.exists()


def test_revoke_asks_for_confirmation_then_revokes(signed_in, user):
    api_key, full_key = ApiKey.objects.issue(user=user, scopes=["ids:score"], name="k")
    url = f"/en/account/profile/keys/{api_key.pk}/revoke/"
    confirm = signed_in.get(url)
    assert confirm.status_code == 200
    assert f'action="{url}"' in confirm.content.decode()
    api_key.refresh_from_db()
    assert api_key.is_active  # a GET changes nothing
    response = signed_in.post(url, follow=True)
    assert response.redirect_chain[-1][0] == PROFILE + "#tokens"
    api_key.refresh_from_db()
    assert not api_key.is_active
    assert ApiKey.objects.authenticate(full_key) is None
    assert "Revoked" in response.content.decode()


def test_other_users_cannot_see_revoke_or_use_my_robot(client, user, other_user):
    robot = Robot.objects.create(owner=user, name="mine")
    api_key, _ = ApiKey.objects.issue(user=user, scopes=["telemetry:write"], robot=robot)
    client.force_login(other_user)
    page = client.get(PROFILE).content.decode()
    assert api_key.prefix not in page
    assert robot.robot_id not in page
    url = f"/en/account/profile/keys/{api_key.pk}/revoke/"
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    api_key.refresh_from_db()
    assert api_key.is_active
    response = create_key(client, name="sneaky", scopes=["telemetry:write"], robot=robot.pk)
    assert response.status_code == 404
    assert not ApiKey.objects.filter(user=other_user).exists()
