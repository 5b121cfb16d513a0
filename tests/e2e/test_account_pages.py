"""Account pages in a real browser: none scrolls sideways on a 320 px phone (es, ar, hi), the
profile at 390 px (screenshots), the new key's copy button, the avatar picker's preview,
renaming and deleting a robot, "Download my data" and "Delete my account"."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from croody_core import keys
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_accounts import PASSWORD, create_key, register_robot, sign_up
from tests.servers import emails_to

SCREENSHOTS = ARTIFACTS / "screenshots"
PHONE = {"width": 320, "height": 720}
# A name that does not break: the longest word a table cell must hold.
LONG_NAME = "Cortacésped-autónomo-del-jardín-trasero"


def png(color: tuple[int, int, int] = (40, 160, 90)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 120), color).save(buffer, format="PNG")
    return buffer.getvalue()


def overflow(page: Page) -> int:
    """How far the page is wider than the viewport (0: no sideways scrolling)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def owner_with_a_robot_and_keys(page: Page, site, code: str) -> tuple[str, str]:
    """Signed up in `code`, with a robot and a key bound to it, one of them revoked:
    the profile's tables full. Returns the username and the active key's prefix."""
    username = sign_up(page, site, code)
    register_robot(page, LONG_NAME)
    page.goto(f"{site.base_url}/{code}/account/profile/")
    active = create_key(page, "telemetría del jardín", "telemetry:write", robot=LONG_NAME)
    page.goto(f"{site.base_url}/{code}/account/profile/")
    create_key(page, "lectura", "telemetry:read")
    return username, keys.parse_key(active).prefix


@pytest.mark.parametrize("code", ["es", "ar", "hi"])
def test_no_account_page_scrolls_sideways_at_320px(browser: Browser, site, code):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    wide = []

    def check(path: str) -> None:
        if path:
            page.goto(f"{site.base_url}/{code}/account/{path}")
        expect(page.locator("html")).to_have_attribute("lang", re.compile(f"^{code}"))
        extra = overflow(page)
        if extra > 0:
            wide.append(f"{page.url}: {extra} px too wide")

    try:
        for path in ("signup/", "login/", "password/reset/", "password/reset/sent/"):
            check(path)
        _username, prefix = owner_with_a_robot_and_keys(page, site, code)
        check("")  # the profile as it is right after a key is made: the key shown once
        check("profile/")
        check("password/change/")
        check("profile/delete/")
        row = page.locator(f"tr[data-prefix='{prefix}']")
        page.goto(f"{site.base_url}/{code}/account/profile/")
        revoke_url = page.locator(f"tr[data-prefix='{prefix}'] a").get_attribute("href")
        check(revoke_url.split("/account/", 1)[1])
        robot_row = page.locator("tr[data-robot-id]").first
        page.goto(f"{site.base_url}/{code}/account/profile/")
        for link in robot_row.locator("a").all():
            href = link.get_attribute("href")
            page.goto(site.base_url + href)
            check("")
            page.go_back()
        assert row is not None
    finally:
        context.close()
    assert wide == [], "\n".join(wide)


@pytest.mark.parametrize("code", ["ar", "hi"])
def test_screenshots_of_the_profile_at_390px(browser: Browser, site, code):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        owner_with_a_robot_and_keys(page, site, code)
        page.goto(f"{site.base_url}/{code}/account/profile/")
        assert overflow(page) == 0
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"profile-390-{code}.png"
        page.screenshot(path=path, full_page=True, animations="disabled")
        assert path.stat().st_size > 10_000
    finally:
        context.close()


def test_the_new_key_copies_with_one_click_and_says_so(browser: Browser, site):
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.base_url)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    try:
        sign_up(page, site, "en")
        full_key = create_key(page, "laptop", "telemetry:read")
        button = page.get_by_role("button", name="Copy key")
        expect(button).to_be_visible()
        status = page.locator("[data-copy-status]")
        expect(status).to_have_attribute("aria-live", "polite")
        expect(status).to_have_text("")
        button.click()
        expect(status).to_have_text("Copied")
        assert page.evaluate("navigator.clipboard.readText()") == full_key
        # Keyboard too: Enter on the focused button copies again and announces again.
        page.evaluate("navigator.clipboard.writeText('')")
        button.focus()
        page.keyboard.press("Enter")
        expect(status).to_have_text("Copied")
        assert page.evaluate("navigator.clipboard.readText()") == full_key
    finally:
        context.close()
    assert errors == []


def test_without_javascript_there_is_no_copy_button_and_the_key_is_selectable(
    browser: Browser, site
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_up(page, site, "en")
        full_key = create_key(page, "laptop", "telemetry:read")
        expect(page.locator("button[data-copy]")).to_be_hidden()
        expect(page.locator("#new-key-value")).to_have_value(full_key)
    finally:
        context.close()


def test_the_avatar_picker_previews_the_chosen_image_then_saves_it(page: Page, site):
    sign_up(page, site, "en")
    picker = page.locator("[data-avatar-picker]")
    expect(picker).to_contain_text("No avatar yet")
    page.locator("#id_profile-avatar").set_input_files(
        files=[{"name": "me.png", "mimeType": "image/png", "buffer": png()}]
    )
    preview = picker.get_by_role("img", name="Preview of the chosen image")
    expect(preview).to_be_visible()
    assert preview.get_attribute("src").startswith("blob:")
    assert preview.evaluate("image => image.naturalWidth") == 120  # the file itself, decoded
    page.locator("#profile button[type=submit]").click()
    saved = picker.get_by_role("img", name="Your avatar")
    expect(saved).to_be_visible()
    assert "/media/avatars/" in saved.get_attribute("src")
    # decode() waits for the file to arrive: visible only means laid out.
    assert saved.evaluate("image => image.decode().then(() => image.naturalWidth)") == 120

    # Choosing another file unticks "Remove my avatar": not both at once.
    page.get_by_label("Remove my avatar").check()
    page.locator("#id_profile-avatar").set_input_files(
        files=[{"name": "you.png", "mimeType": "image/png", "buffer": png((200, 40, 40))}]
    )
    expect(page.get_by_label("Remove my avatar")).not_to_be_checked()


def test_the_avatar_picker_works_without_javascript(browser: Browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_up(page, site, "en")
        page.locator("#id_profile-avatar").set_input_files(
            files=[{"name": "me.png", "mimeType": "image/png", "buffer": png()}]
        )
        page.locator("#profile button[type=submit]").click()
        saved = page.locator("[data-avatar-picker]").get_by_role("img", name="Your avatar")
        expect(saved).to_be_visible()
        page.get_by_label("Remove my avatar").check()
        page.locator("#profile button[type=submit]").click()
        expect(page.locator("[data-avatar-picker]")).to_contain_text("No avatar yet")
    finally:
        context.close()


def test_rename_and_delete_a_robot_download_the_data_then_delete_the_account(page: Page, site):
    username = sign_up(page, site, "es")
    register_robot(page, "Rover")
    full_key = create_key(page, "rover", "telemetry:write", robot="Rover")
    prefix = keys.parse_key(full_key).prefix
    # The robot sends a reading through the gateway with its own key.
    robot_id = page.locator("tr[data-robot-id]").first.get_attribute("data-robot-id")
    taken = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    sent = page.request.post(
        f"{site.base_url}/api/telemetry/ingest",
        headers={"Authorization": f"Bearer {full_key}"},
        data={
            "robot_id": robot_id,
            "ts": taken,
            "x": 1.0,
            "y": 2.0,
            "heading": 0.0,
            "speed": 0.0,
            "battery": 90.0,
            "status": "idle",
        },
    )
    assert sent.status == 202, sent.text()

    # Rename: a page of its own, then back on the profile with the new name and the same id.
    page.locator(f"tr[data-robot-id='{robot_id}']").get_by_role("link", name="Renombrar").click()
    page.locator("#id_robot-name").fill("Rover Dos")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(f"tr[data-robot-id='{robot_id}']")).to_contain_text("Rover Dos")

    # Download my data: a ZIP with the robot's reading and the key's metadata, never its hash.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Descargar mis datos").click()
    archive = zipfile.ZipFile(download_info.value.path())
    assert json.loads(archive.read("robots.json"))[0]["name"] == "Rover Dos"
    assert json.loads(archive.read("api_keys.json"))[0]["prefix"] == prefix
    (reading,) = json.loads(archive.read(f"telemetry/{robot_id}.json"))
    assert reading["ts"] == taken.replace("Z", ".000Z") and reading["battery"] == 90.0

    # Delete the robot: a confirmation page, then its key and its readings are gone.
    page.locator(f"tr[data-robot-id='{robot_id}']").get_by_role("link", name="Borrar").click()
    expect(page.locator("main")).to_contain_text(prefix)
    page.get_by_role("button", name="Sí, borrar este robot").click()
    expect(page.get_by_role("status").filter(has_text="Rover Dos")).to_be_visible()
    expect(page.locator(f"tr[data-robot-id='{robot_id}']")).to_have_count(0)
    expect(page.locator(f"tr[data-prefix='{prefix}']")).to_have_count(0)
    # (The services may trust the revoked key for up to 20 s, docs/accounts-and-keys.md; the
    # CMS's own record is what the unit tests check: revoked at once.)

    # Delete the account: the wrong password changes nothing; the right one signs out.
    page.goto(f"{site.base_url}/es/account/profile/")
    page.get_by_role("link", name="Borrar mi cuenta").click()
    page.locator("#id_password").fill("not-my-password")
    page.get_by_role("button", name="Borrar mi cuenta para siempre").click()
    expect(page.locator("#id_password_error")).to_be_visible()
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Borrar mi cuenta para siempre").click()
    expect(page).to_have_url(f"{site.base_url}/es/account/deleted/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tu cuenta se ha borrado")
    (email,) = emails_to(site.server.log(), f"{username}@example.com")[-1:]
    assert "Tu cuenta de Croody se ha borrado" in email
    page.goto(f"{site.base_url}/es/account/profile/")
    expect(page).to_have_url(re.compile(r"/es/account/login/\?next="))
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/es/account/login/"))  # no such account any more
