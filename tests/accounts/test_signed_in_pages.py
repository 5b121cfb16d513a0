"""What a signed-in page costs beyond an anonymous one: the user's row and nothing else.

The session comes from the shared cache (`cached_db`); the theme, the cart count and whether
to show Wagtail's user bar from per-user cache entries (cms/accounts/per_user.py) that every
change drops, so the next request of any of the user's devices shows it.
"""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cms.accounts.models import profile_for
from cms.accounts.per_user import CACHE_ALIAS
from cms.orders.cart import CART_COUNT
from cms.shop.models import ProductPage

pytestmark = pytest.mark.django_db
USERBAR = "wagtail-userbar"


def product_url() -> str:
    return ProductPage.objects.filter(locale__language_code="es", live=True).first().url


@pytest.mark.parametrize("path", ["/es/", "/es/buddy/", "/es/tienda/", "product"])
def test_a_signed_in_page_reads_only_the_user_row_more(path, signed_in, django_assert_num_queries):
    path = product_url() if path == "product" else path
    anonymous = Client()
    for client in (anonymous, signed_in):  # per-process caches and per-user entries made
        assert client.get(path).status_code == 200
    with CaptureQueriesContext(connection) as anonymous_queries:
        anonymous.get(path)
    with django_assert_num_queries(len(anonymous_queries) + 1) as signed_in_queries:
        page = signed_in.get(path).content.decode()
    assert 'action="/es/account/logout/"' in page  # signed in indeed
    seen = {query["sql"] for query in anonymous_queries.captured_queries}
    extra = [q["sql"] for q in signed_in_queries.captured_queries if q["sql"] not in seen]
    assert len(extra) == 1 and 'FROM "auth_user"' in extra[0]  # no session, profile,
    # cart or permission query


def test_a_theme_change_shows_on_the_users_other_devices(signed_in, user):
    other_device = Client()
    other_device.force_login(user)
    assert 'data-prefs="user"' in other_device.get("/en/").content.decode()  # the default
    response = signed_in.post(
        "/en/account/profile/preferences/",
        {"prefs-theme": "dark", "prefs-palette": "crimson"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    for client in (signed_in, other_device):
        page = client.get("/en/").content.decode()
        assert 'data-theme="dark" data-palette="crimson" data-prefs="user"' in page
    profile = profile_for(user)  # saved from anywhere else (the admin, a script)
    profile.theme, profile.palette = "light", "sand"
    profile.save()
    page = other_device.get("/en/").content.decode()
    assert 'data-theme="light" data-palette="sand" data-prefs="user"' in page


def test_site_accounts_never_see_the_user_bar_nor_ask_for_permissions(signed_in):
    signed_in.get("/es/")
    with CaptureQueriesContext(connection) as queries:
        page = signed_in.get("/es/").content.decode()
    assert USERBAR not in page
    assert not [q for q in queries.captured_queries if "auth_permission" in q["sql"]]


def test_granting_and_revoking_admin_access_shows_on_the_next_request(signed_in, user):
    access = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    editors = Group.objects.create(name="Test editors")
    editors.permissions.add(access)

    def shows_userbar() -> bool:
        return USERBAR in signed_in.get("/es/").content.decode()

    assert not shows_userbar()
    steps = [
        (lambda: user.groups.add(editors), True),
        (lambda: editors.permissions.remove(access), False),
        (lambda: access.group_set.add(editors), True),  # from the permission's side
        (lambda: editors.user_set.remove(user), False),  # from the group's side
        (lambda: user.user_permissions.add(access), True),
        (lambda: access.user_set.clear(), False),
        (lambda: editors.user_set.add(user), True),
        (lambda: editors.permissions.clear(), False),
        (lambda: editors.permissions.add(access), True),
        (lambda: editors.delete(), False),
    ]
    for number, (change, expected) in enumerate(steps):
        change()
        assert shows_userbar() is expected, f"step {number}"
    user.is_superuser = True
    user.save()
    assert shows_userbar()
    user.is_superuser = False
    user.save()
    assert not shows_userbar()


def test_signing_out_ends_the_session_for_every_copy_of_its_cookie(signed_in):
    copy = Client()
    copy.cookies[settings.SESSION_COOKIE_NAME] = signed_in.cookies[settings.SESSION_COOKIE_NAME]
    assert copy.get("/en/account/profile/").status_code == 200
    signed_in.post("/en/account/logout/")
    assert copy.get("/en/account/profile/").status_code == 302  # to the sign-in page


def test_a_password_change_still_signs_out_the_other_sessions(signed_in, user, password):
    other_device = Client()
    other_device.force_login(user)
    assert other_device.get("/en/account/profile/").status_code == 200
    response = signed_in.post(
        "/en/account/password/change/",
        {
            "old_password": password,
            "new_password1": "N3w-Pass-Phrase",
            "new_password2": "N3w-Pass-Phrase",
        },
    )
    assert response.status_code == 302
    assert signed_in.get("/en/account/profile/").status_code == 200
    assert other_device.get("/en/account/profile/").status_code == 302


def test_a_new_account_never_shows_what_was_cached_for_its_id(make_user):
    """An id used before (a database restored or reset while the cache lives on)."""
    reused = 987_654
    caches[CACHE_ALIAS].set(CART_COUNT.key(reused), 5)
    user = make_user("nueva", id=reused)
    client = Client()
    client.force_login(user)
    assert '<span class="badge">' not in client.get("/es/").content.decode()
