"""The theme and palette picked in the header follow a signed-in user: to the next page (which
the server renders with them) and to another browser; an anonymous visitor's stay in this one."""

import re

from playwright.sync_api import Browser, Page, Response, expect

from tests.e2e.test_accounts import PASSWORD, sign_up

PREFERENCES = "/account/profile/preferences/"


def is_save(response: Response) -> bool:
    return PREFERENCES in response.url and response.request.method == "POST"


def pick(page: Page, *, theme: str, palette: str) -> None:
    """Choose in the header's Appearance popover, waiting for each choice to be saved."""
    page.locator("[data-theme-toggle]").click()
    for selector in (f'[data-set-theme="{theme}"]', f'[data-set-palette="{palette}"]'):
        with page.expect_response(is_save) as saved:
            page.locator(selector).click()
        assert saved.value.status == 200, saved.value.text()
        assert saved.value.headers["content-type"].startswith("application/json")


def served_html(page: Page, url: str) -> str:
    """The page as the server sent it, before any script ran."""
    response = page.goto(url)
    assert response is not None and response.status == 200
    return response.text()


def expect_rendered_with(page: Page, html: str, *, theme: str, palette: str) -> None:
    assert f'data-theme="{theme}" data-palette="{palette}" data-prefs="user"' in html
    root = page.locator("html")
    expect(root).to_have_attribute("data-theme", theme)
    expect(root).to_have_attribute("data-palette", palette)
    page.locator("[data-theme-toggle]").click()
    expect(page.locator(f'[data-set-theme="{theme}"]')).to_have_attribute("aria-pressed", "true")
    expect(page.locator(f'[data-set-palette="{palette}"]')).to_have_attribute(
        "aria-pressed", "true"
    )


def test_header_choice_is_saved_to_the_profile(browser: Browser, site):
    errors: list[str] = []
    first = browser.new_context(viewport={"width": 1366, "height": 900})
    page = first.new_page()
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    username = sign_up(page, site)
    page.goto(f"{site.base_url}/en/")
    pick(page, theme="dark", palette="crimson")

    # The next page, in this browser: the server renders it with the saved choice.
    html = served_html(page, f"{site.base_url}/en/account/profile/")
    expect_rendered_with(page, html, theme="dark", palette="crimson")
    expect(page.locator("input[name=prefs-theme][value=dark]")).to_be_checked()
    expect(page.locator("input[name=prefs-palette][value=crimson]")).to_be_checked()
    # The language stays as it was: the header sends only the theme and palette.
    expect(page.locator("select[name=prefs-language]")).to_have_value("en")
    # No "preferences saved" notice waiting on the next page: the save was silent.
    expect(page.locator(".messages .alert")).to_have_count(0)
    first.close()

    # Another browser (nothing in its storage), signed in as the same user.
    second = browser.new_context(viewport={"width": 390, "height": 844})
    page = second.new_page()
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(f"{site.base_url}/en/account/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/en/account/profile/$"))
    html = served_html(page, f"{site.base_url}/en/")
    expect_rendered_with(page, html, theme="dark", palette="crimson")

    # Changed here, back to light: the first browser's next page follows too.
    page.goto(f"{site.base_url}/en/account/profile/")
    pick(page, theme="light", palette="jungle")
    html = served_html(page, f"{site.base_url}/fr/")
    expect_rendered_with(page, html, theme="light", palette="jungle")
    second.close()
    assert errors == []


def test_anonymous_choice_stays_in_the_browser(browser: Browser, site):
    context = browser.new_context()
    page = context.new_page()
    saves: list[str] = []
    page.on("request", lambda request: PREFERENCES in request.url and saves.append(request.url))
    html = served_html(page, f"{site.base_url}/en/")
    assert "data-prefs-url" not in html and "data-csrf-token" not in html  # cacheable page
    page.locator("[data-theme-toggle]").click()
    page.locator('[data-set-theme="dark"]').click()
    page.locator('[data-set-palette="sand"]').click()
    html = served_html(page, f"{site.base_url}/es/")
    assert 'data-prefs="user"' not in html
    root = page.locator("html")
    expect(root).to_have_attribute("data-theme", "dark")  # from localStorage, before paint
    expect(root).to_have_attribute("data-palette", "sand")
    assert saves == []
    context.close()
