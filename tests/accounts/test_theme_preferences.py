"""The header's theme controls save to the profile's preferences form (theme.js, with fetch)."""

import json

import pytest
from django.contrib.messages import get_messages

from cms.accounts.models import profile_for

pytestmark = pytest.mark.django_db
URL = "/en/account/profile/preferences/"
JSON = {"HTTP_ACCEPT": "application/json"}


def test_header_saves_theme_and_palette_and_keeps_the_language(signed_in, user):
    profile = profile_for(user)
    profile.language = "ja"
    profile.save()
    response = signed_in.post(URL, {"prefs-theme": "dark", "prefs-palette": "crimson"}, **JSON)
    assert response.status_code == 200
    assert json.loads(response.content) == {"theme": "dark", "palette": "crimson"}
    profile.refresh_from_db()
    assert (profile.theme, profile.palette, profile.language) == ("dark", "crimson", "ja")
    assert list(get_messages(response.wsgi_request)) == []  # nothing waits on the next page
    page = signed_in.get("/en/").content.decode()
    assert 'data-theme="dark" data-palette="crimson" data-prefs="user"' in page


def test_bad_values_answer_400_with_the_errors(signed_in, user):
    response = signed_in.post(URL, {"prefs-theme": "neon", "prefs-palette": "gator"}, **JSON)
    assert response.status_code == 400
    assert set(json.loads(response.content)["errors"]) == {"theme"}
    assert profile_for(user).theme == "system"


def test_the_form_without_javascript_still_redirects(signed_in):
    response = signed_in.post(URL, {"prefs-theme": "light", "prefs-palette": "sand"})
    assert response.status_code == 302
    assert response["Location"] == "/es/account/profile/#preferences"  # the profile's language


def test_only_signed_in_pages_carry_the_save_url_and_token(client, user):
    anonymous = client.get("/en/").content.decode()
    assert "data-prefs-url" not in anonymous and "data-csrf-token" not in anonymous
    client.force_login(user)
    page = client.get("/en/").content.decode()
    assert f'data-prefs-url="{URL}"' in page
    assert 'data-csrf-token="' in page


def test_the_header_save_needs_the_csrf_token(user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(URL, {"prefs-theme": "dark", "prefs-palette": "sand"}, **JSON)
    assert response.status_code == 403
    assert profile_for(user).theme == "system"
