"""Accounts in a real browser: sign up, the profile's forms, robots and API keys, JS on and off."""

import re
import uuid

import pytest
from playwright.sync_api import Browser, Page, expect

from croody_core import keys
from tests.servers import emailed_link

PASSWORD = "Gator-Training-Passphrase-42"


def sign_up(page: Page, site, language: str = "en") -> str:
    """Sign up, follow the emailed link and create the account: signed in on the profile."""
    username = f"e2e_{uuid.uuid4().hex[:10]}"
    page.goto(f"{site.base_url}/{language}/account/signup/")
    page.locator("#id_username").fill(username)
    page.locator("#id_email").fill(f"{username}@example.com")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{site.base_url}/{language}/account/signup/sent/")
    link = emailed_link(
        site.server.log(), f"{username}@example.com", f"/{language}/account/signup/confirm/"
    )
    page.goto(link)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{site.base_url}/{language}/account/profile/")
    # The URL changes before the page's deferred scripts run; callers use what they enhance.
    page.wait_for_load_state()
    return username


def register_robot(page: Page, name: str) -> None:
    page.locator("#id_robot-name").fill(name)
    page.locator("#tokens form[action$='/profile/robots/'] button[type=submit]").click()
    expect(page.locator("#tokens table").first).to_contain_text(name)


def create_key(page: Page, name: str, scope: str, robot: str | None = None) -> str:
    page.locator("#id_key-name").fill(name)
    page.locator(f"input[name='key-scopes'][value='{scope}']").check()
    if robot:
        option = page.locator("#id_key-robot option").filter(has_text=robot)
        page.locator("#id_key-robot").select_option(option.get_attribute("value"))
    page.locator("#tokens form[action$='/profile/keys/'] button[type=submit]").click()
    shown = page.locator("#new-key-value")
    expect(shown).to_be_visible()
    full_key = shown.input_value()
    assert keys.parse_key(full_key) is not None, full_key
    return full_key


def revoke(page: Page, prefix: str) -> None:
    row = page.locator(f"tr[data-prefix='{prefix}']")
    row.get_by_role("link", name=re.compile("Revoke|Révoquer")).click()  # en or fr
    expect(page).to_have_url(re.compile(r"/account/profile/keys/\d+/revoke/$"))
    expect(page.locator("main")).to_contain_text(prefix)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/account/profile/#tokens$"))
    expect(row.locator(".key-state .badge--danger")).to_be_visible()
    expect(row.get_by_role("link", name=re.compile("Revoke|Révoquer"))).to_have_count(0)


def test_sign_up_register_a_robot_and_manage_a_key(page: Page, site, console_errors):
    sign_up(page, site)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    expect(page.get_by_role("alert").or_(page.get_by_role("status")).first).to_contain_text(
        "Welcome"
    )
    register_robot(page, "Rover E2E")

    full_key = create_key(page, "rover key", "telemetry:write", robot="Rover E2E")
    prefix = keys.parse_key(full_key).prefix
    expect(page.locator(f"tr[data-prefix='{prefix}']")).to_contain_text("telemetry:write")

    page.reload()
    expect(page.locator("#new-key-value")).to_have_count(0)
    assert full_key not in page.content()
    row = page.locator(f"tr[data-prefix='{prefix}']")
    expect(row).to_contain_text("rover key")
    expect(row).to_contain_text("Rover E2E")
    expect(row.locator(".key-state")).to_have_text("Active")

    revoke(page, prefix)
    expect(row.locator(".key-state")).to_have_text("Revoked")
    assert console_errors == []


def test_profile_forms_without_javascript(browser: Browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_up(page, site)

        # (1) Profile: a file that is not an image is refused next to the field, then a save.
        page.locator("#id_profile-avatar").set_input_files(
            files=[{"name": "fake.png", "mimeType": "image/png", "buffer": b"not an image"}]
        )
        page.locator("#profile button[type=submit]").click()
        expect(page.locator("#id_profile-avatar_error")).to_be_visible()
        expect(page.locator("#profile [role=alert]")).to_be_visible()
        page.locator("#id_profile-display_name").fill("Ana Gator")
        page.locator("#id_profile-bio").fill("Trains at dawn.")
        page.locator("#profile button[type=submit]").click()
        expect(page.get_by_role("status").filter(has_text="profile has been saved")).to_be_visible()
        expect(page.locator("#id_profile-display_name")).to_have_value("Ana Gator")

        # (2) Preferences: theme and palette stick; the language moves the page to French.
        page.locator("input[name='prefs-theme'][value='dark']").check()
        page.locator("input[name='prefs-palette'][value='sand']").check()
        page.locator("#id_prefs-language").select_option("fr")
        page.locator("#preferences button[type=submit]").click()
        expect(page).to_have_url(f"{site.base_url}/fr/account/profile/#preferences")
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        expect(page.locator("html")).to_have_attribute("data-theme", "dark")  # croody_prefs
        expect(page.locator("html")).to_have_attribute("data-palette", "sand")
        expect(page.locator("input[name='prefs-theme'][value='dark']")).to_be_checked()
        expect(page.locator("input[name='prefs-palette'][value='sand']")).to_be_checked()
        cookies = {cookie["name"]: cookie["value"] for cookie in context.cookies()}
        assert cookies["croody_language"] == "fr"

        # (3) Tokens: telemetry:write without a robot is refused, then a key is made and revoked.
        page.locator("#id_key-name").fill("writer")
        page.locator("input[name='key-scopes'][value='telemetry:write']").check()
        page.locator("#tokens form[action$='/profile/keys/'] button[type=submit]").click()
        expect(page.locator("#id_key-robot_error")).to_be_visible()
        page.goto(f"{site.base_url}/fr/account/profile/")
        register_robot(page, "Rover NoJS")
        full_key = create_key(page, "scoring", "ids:score")
        prefix = keys.parse_key(full_key).prefix
        page.reload()
        expect(page.locator("#new-key-value")).to_have_count(0)
        expect(page.locator(f"tr[data-prefix='{prefix}']")).to_be_visible()
        revoke(page, prefix)

        # Sign out (a POST form) and back in with the password.
        page.locator("main form[action$='/account/logout/'] button[type=submit]").click()
        expect(page).to_have_url(f"{site.base_url}/fr/")
        page.goto(f"{site.base_url}/fr/account/profile/")
        expect(page).to_have_url(re.compile(r"/fr/account/login/\?next="))
    finally:
        context.close()


@pytest.mark.parametrize("path", ["signup/", "login/", "password/reset/"])
def test_account_pages_are_keyboard_usable(page: Page, site, console_errors, path):
    page.goto(f"{site.base_url}/en/account/{path}")
    labels = page.locator("main form label")
    for index in range(labels.count()):
        target = labels.nth(index).get_attribute("for")
        assert target and page.locator(f"#{target}").count() == 1
    page.locator("main").focus()  # where the skip link leads
    reached = set()
    for _step in range(30):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("document.activeElement.id"))
        if page.evaluate("document.activeElement.type") == "submit":
            break
    else:
        pytest.fail("the submit button is not reachable with Tab")
    for index in range(labels.count()):
        assert labels.nth(index).get_attribute("for") in reached
    assert console_errors == []
