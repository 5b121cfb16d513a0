"""Sign-up, sign-in (throttled), sign-out, password change and reset."""

import re
from datetime import timedelta
from html import unescape
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from cms.accounts.models import SIGNUP_LINK_LIFETIME, PendingSignup
from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db
User = get_user_model()


def signup_data(**overrides) -> dict[str, str]:
    return {
        "username": "carla",
        "email": "carla@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }


def signed_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


def emailed_link(message, path: str) -> str:
    match = re.search(rf"http://testserver({re.escape(path)}\S*)", message.body)
    assert match, message.body
    return match.group(1)


def visible_page(response) -> str:
    """The page as a visitor sees it: without the per-request CSRF token and CSP nonce."""
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'nonce="[^"]+"', "", html)


def test_signup_emails_a_link_that_creates_the_account_signed_in_in_this_language(client):
    page = client.get("/fr/account/signup/")
    assert page.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()
    mail.outbox.clear()
    response = client.post("/fr/account/signup/", signup_data())
    assert response.status_code == 302
    assert response["Location"] == "/fr/account/signup/sent/"
    assert not User.objects.filter(username="carla").exists()  # not before the link
    assert signed_in_user_id(client) is None
    [message] = mail.outbox
    assert message.to == ["carla@example.com"]
    with translation.override("fr"):
        assert message.subject == gettext("Confirm your Croody account")
        assert gettext("Hello %(username)s,") % {"username": "carla"} in message.body
    link = emailed_link(message, "/fr/account/signup/confirm/")

    # Opening the link (as mail scanners do) only shows a button.
    page = client.get(link)
    assert page.status_code == 200
    assert "carla@example.com" in page.content.decode()
    assert not User.objects.filter(username="carla").exists()

    response = client.post(link)
    assert response.status_code == 302
    assert response["Location"] == "/fr/account/profile/"
    user = User.objects.get(username="carla")
    assert user.check_password(PASSWORD)
    assert user.email == "carla@example.com"
    assert user.profile.language == "fr"
    assert signed_in_user_id(client) == str(user.pk)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    assert not PendingSignup.objects.exists()

    # Once only.
    page = client.post(link)
    assert page.status_code == 200
    with translation.override("fr"):
        used = gettext("This link is invalid: it may have been used already or have expired.")
    assert used in unescape(page.content.decode())
    assert User.objects.filter(email="carla@example.com").count() == 1


def test_signup_answers_the_same_whether_or_not_the_email_has_an_account(user):
    """Same status, redirect, cookies and page, and the same password hashing (the slow part)
    for an address with an account as for a new one: only the mailbox learns the difference."""
    answers = []
    with mock.patch("cms.accounts.forms.make_password", wraps=make_password) as hashing:
        for data in (signup_data(), signup_data(username="carlos", email="ANA@example.com")):
            visitor = Client()
            visitor.get("/en/account/signup/")
            mail.outbox.clear()
            response = visitor.post("/en/account/signup/", data)
            page = visitor.get(response["Location"])
            answers.append((response, page, list(mail.outbox)))
    assert hashing.call_count == 2
    (new, new_page, new_mail), (taken, taken_page, taken_mail) = answers
    assert new.status_code == taken.status_code == 302
    assert new["Location"] == taken["Location"] == "/en/account/signup/sent/"
    assert sorted(new.cookies) == sorted(taken.cookies)
    assert new_page.status_code == taken_page.status_code == 200
    assert visible_page(new_page) == visible_page(taken_page)
    assert "Check your email" in new_page.content.decode()
    # One email each: a link for the new address, a notice for the account's owner.
    assert [message.to for message in new_mail] == [["carla@example.com"]]
    assert [message.to for message in taken_mail] == [["ana@example.com"]]
    assert "/account/signup/confirm/" not in taken_mail[0].body
    assert not User.objects.filter(username="carlos").exists()


def test_the_owner_of_a_registered_email_is_told_in_their_language(client, user):
    user.profile.language = "ja"
    user.profile.save()
    mail.outbox.clear()
    response = client.post(
        "/en/account/signup/", signup_data(username="someone", email="Ana@Example.com")
    )
    assert response["Location"] == "/en/account/signup/sent/"
    [message] = mail.outbox
    assert message.to == ["ana@example.com"]
    with translation.override("ja"):
        assert message.subject == gettext("You already have a Croody account")
        assert gettext("Sign in with your username, %(username)s:") % {"username": "ana"} in (
            message.body
        )
    assert "http://testserver/ja/account/login/" in message.body
    assert "http://testserver/ja/account/password/reset/" in message.body
    assert not PendingSignup.objects.exists()
    assert not User.objects.filter(username="someone").exists()


def test_an_unconfirmed_signup_reserves_neither_username_nor_address(client):
    mail.outbox.clear()
    client.post("/en/account/signup/", signup_data())
    # The same username from another address is not refused: nobody owns it yet.
    response = client.post("/en/account/signup/", signup_data(email="other@example.com"))
    assert response["Location"] == "/en/account/signup/sent/"
    first, second = (
        emailed_link(message, "/en/account/signup/confirm/") for message in mail.outbox
    )
    assert client.post(second).status_code == 302  # confirmed first: the username is theirs
    assert User.objects.get(username="carla").email == "other@example.com"
    page = client.post(first)
    assert page.status_code == 200
    assert "The username “carla” has been taken since." in unescape(page.content.decode())
    assert not User.objects.filter(email="carla@example.com").exists()


def test_confirmation_links_expire(client):
    mail.outbox.clear()
    client.post("/en/account/signup/", signup_data())
    link = emailed_link(mail.outbox[0], "/en/account/signup/confirm/")
    PendingSignup.objects.update(
        created_at=timezone.now() - SIGNUP_LINK_LIFETIME - timedelta(minutes=1)
    )
    for response in (client.get(link), client.post(link)):
        assert response.status_code == 200
        assert "This link is invalid" in unescape(response.content.decode())
        assert "<button" not in response.content.decode().split("<main", 1)[1].split("</main")[0]
    assert not User.objects.filter(username="carla").exists()
    assert client.get("/en/account/signup/confirm/not-a-token/").status_code == 200


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"username": "ana"}, "username", "already exists"),  # usernames are public: said
        ({"password1": "password", "password2": "password"}, "password2", "too common"),
        ({"password1": "12345678901", "password2": "12345678901"}, "password2", "entirely numeric"),
        ({"password2": PASSWORD + "x"}, "password2", "match"),
        ({"username": ""}, "username", "required"),
        ({"email": "not-an-email"}, "email", "valid email"),
    ],
)
def test_signup_rejects_invalid_input(client, user, overrides, field, message):
    response = client.post("/en/account/signup/", signup_data(**overrides))
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert message in " ".join(form.errors[field])
    html = response.content.decode()
    assert 'role="alert"' in html  # the error summary
    assert f'id="id_{field}_error"' in html  # and the error next to the field
    assert (
        not User.objects.filter(username=overrides.get("username", "carla"))
        .exclude(pk=user.pk)
        .exists()
    )


def test_login_goes_to_the_profile_in_the_preferred_language(client, user):
    user.profile.language = "ja"
    user.profile.save()
    response = client.post("/en/account/login/", {"username": "ana", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/ja/account/profile/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ja"
    assert signed_in_user_id(client) == str(user.pk)


def test_login_follows_next_into_the_preferred_language(client, user):
    user.profile.language = "pt"
    user.profile.save()
    response = client.post(
        "/en/account/login/?next=/en/account/password/change/",
        {"username": "ana", "password": PASSWORD, "next": "/en/account/password/change/"},
    )
    assert response["Location"] == "/pt/account/password/change/"


def test_login_ignores_an_offsite_next(client, user):
    response = client.post(
        "/es/account/login/",
        {"username": "ana", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/es/account/profile/"


def test_login_with_a_wrong_password_shows_an_error(client, user):
    response = client.post("/en/account/login/", {"username": "ana", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert signed_in_user_id(client) is None


def test_an_over_long_username_is_a_form_error_not_a_failed_sign_in(client, user):
    """Before, it reached django-axes, whose varchar(255) record of it failed on PostgreSQL."""
    response = client.post("/en/account/login/", {"username": "a" * 10_000, "password": "x"})
    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert signed_in_user_id(client) is None


def test_logout_is_a_post(signed_in, user):
    assert signed_in.get("/en/account/logout/").status_code == 405
    assert signed_in_user_id(signed_in) == str(user.pk)
    response = signed_in.post("/en/account/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/en/"
    assert signed_in_user_id(signed_in) is None


def test_login_is_throttled_per_username_and_ip(client, user):
    limit = settings.AXES_FAILURE_LIMIT
    for _attempt in range(limit - 1):
        response = client.post("/en/account/login/", {"username": "ana", "password": "wrong"})
        assert response.status_code == 200
    response = client.post("/en/account/login/", {"username": "ana", "password": "wrong"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many sign-in attempts" in html
    assert f"{settings.AXES_COOLOFF_TIME.seconds // 60} minutes" in html
    # Locked: the right password is refused too.
    response = client.post("/en/account/login/", {"username": "ana", "password": PASSWORD})
    assert response.status_code == 429
    assert signed_in_user_id(client) is None
    # Another address is not locked out of the same account.
    response = client.post(
        "/en/account/login/", {"username": "ana", "password": PASSWORD}, REMOTE_ADDR="10.0.0.7"
    )
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(user.pk)


def test_password_reset_lifts_the_lock(client, user):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/en/account/login/", {"username": "ana", "password": "wrong"})
    assert (
        client.post("/en/account/login/", {"username": "ana", "password": PASSWORD}).status_code
        == 429
    )
    new_password = reset_password(client, user.email)
    response = client.post("/en/account/login/", {"username": "ana", "password": new_password})
    assert response.status_code == 302


def test_password_change(signed_in, user):
    assert signed_in.get("/en/account/password/change/").status_code == 200
    response = signed_in.post(
        "/en/account/password/change/",
        {"old_password": "wrong", "new_password1": "x", "new_password2": "y"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"old_password", "new_password2"}
    response = signed_in.post(
        "/en/account/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": "An0ther-Good-Passphrase",
            "new_password2": "An0ther-Good-Passphrase",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/en/account/profile/"
    assert "Your password has been changed." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("An0ther-Good-Passphrase")
    assert signed_in_user_id(signed_in) == str(user.pk)  # still signed in


def test_password_change_needs_sign_in(client):
    response = client.get("/en/account/password/change/")
    assert response.status_code == 302
    assert response["Location"] == "/en/account/login/?next=/en/account/password/change/"


NEW_PASSWORD = "Brand-New-Passphrase-7"


def reset_password(client, email: str, new_password: str = NEW_PASSWORD) -> str:
    mail.outbox.clear()
    response = client.post("/en/account/password/reset/", {"email": email})
    assert response.status_code == 302
    assert response["Location"] == "/en/account/password/reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [email]
    assert message.subject == "Reset your Croody password"
    link = re.search(r"http://testserver(/en/account/password/reset/\S+/\S+/)", message.body)
    assert link, message.body
    response = client.get(link.group(1))
    assert response.status_code == 302  # to the same page with the token hidden in the session
    set_password_url = response["Location"]
    response = client.post(
        set_password_url, {"new_password1": new_password, "new_password2": new_password}
    )
    assert response.status_code == 302
    assert response["Location"] == "/en/account/password/reset/done/"
    return new_password


def test_password_reset_by_email(client, user):
    new_password = reset_password(client, user.email)
    user.refresh_from_db()
    assert user.check_password(new_password)
    assert client.get("/en/account/password/reset/done/").status_code == 200


def test_password_reset_link_works_once(client, user):
    mail.outbox.clear()
    client.post("/en/account/password/reset/", {"email": user.email})
    path = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    set_password_url = client.get(path)["Location"]
    client.post(
        set_password_url, {"new_password1": "Xy-Pass-Phrase-1", "new_password2": "Xy-Pass-Phrase-1"}
    )
    response = client.get(path, follow=True)
    assert "This link is invalid" in response.content.decode()


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, user):
    mail.outbox.clear()
    response = client.post("/en/account/password/reset/", {"email": "nobody@example.com"})
    assert response["Location"] == "/en/account/password/reset/sent/"
    assert mail.outbox == []
