"""An editor translates a new page with wagtail-localize, through the real admin.

Create a page in Spanish and publish it (every other language gets an alias that says it
is not translated yet); translate it into French in wagtail-localize's translation editor
and publish; change the Spanish source, publish, "Sync translated pages": the French page
keeps its translated title and shows the changed text in Spanish until a translator
translates it (wagtail-localize's documented behaviour), then shows the new French text.
"""

import re
import uuid
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

ADMIN_LOCALE = "en-GB"  # the admin follows the browser's language when no preference is set


def sign_in(page: Page, site) -> None:
    page.goto(f"{site.base_url}/admin/login/")
    page.locator("#id_username").fill(site.admin_username)
    page.locator("#id_password").fill(site.admin_password)
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(f"{site.base_url}/admin/")


def publish_from_editor(page: Page) -> None:
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish", exact=True).click()


def page_action(page: Page, name: str) -> None:
    """One of the actions in the page header's menu (wagtail-localize adds its own)."""
    page.get_by_role("button", name="Actions").first.click()
    page.get_by_role("link", name=name).click()


def translate_segment(page: Page, source: str, text: str) -> None:
    segment = page.locator("li").filter(has=page.locator("p", has_text=source)).last
    segment.get_by_role("button", name=re.compile(r"^(Translate|Edit)$")).click()
    segment.locator("textarea").fill(text)
    segment.get_by_role("button", name="Save").click()
    expect(segment.get_by_role("button", name="Edit")).to_be_visible()


@pytest.mark.browser_context_args(locale=ADMIN_LOCALE, viewport={"width": 1400, "height": 1000})
def test_translate_publish_then_sync_a_change(page: Page, browser: Browser, site):
    run = uuid.uuid4().hex[:4]  # the site lives for the whole session: titles stay unique
    title_es, title_fr = f"Guía de hidratación {run}", f"Guide d'hydratation {run}"
    intro_es = "Bebe agua antes, durante y después de entrenar."
    intro_fr = "Buvez avant, pendant et après l'entraînement."
    changed_es = "Bebe agua antes y después de entrenar, y algo más si hace calor."
    changed_fr = "Buvez avant et après l'entraînement, et un peu plus quand il fait chaud."

    # The Spanish home page's id, from its language selector form.
    page.goto(f"{site.base_url}/es/")
    home_id = page.locator(".language-selector input[name=page]").get_attribute("value")

    # 1. An editor creates the page in Spanish and publishes it.
    sign_in(page, site)
    page.goto(f"{site.base_url}/admin/pages/{home_id}/add_subpage/")
    if "add_subpage" in page.url:  # more than one page type allowed here: pick one
        page.get_by_role("link", name="Standard page").click()
    page.locator("#id_title").fill(title_es)
    page.locator("#id_intro").fill(intro_es)
    # Wagtail's script fills the slug from the title: publishing before it does is refused.
    expect(page.locator("#id_slug")).not_to_have_value("")
    publish_from_editor(page)
    expect(page.locator(".messages")).to_contain_text("created and published")
    edit_es = page.locator(".messages a", has_text="Edit").get_attribute("href")
    live = page.locator(".messages a", has_text="View live").get_attribute("href")
    es_url = site.base_url + urlsplit(live).path  # relative or on the site's own host name
    assert "/es/" in es_url
    fr_url = es_url.replace("/es/", "/fr/", 1)  # the alias keeps the Spanish slug

    # A visitor, in a browser of their own (the language cookie the selector sets would
    # otherwise switch the editor's admin too). Synchronised from Spanish, French has an
    # alias that says it is not translated yet; the Spanish page's selector marks French.
    visitor = browser.new_context().new_page()
    visitor.goto(fr_url)
    expect(visitor.locator("html")).to_have_attribute("lang", "fr")
    expect(visitor.locator(".untranslated-notice")).to_be_visible()
    expect(visitor.locator("h1")).to_have_text(title_es)
    visitor.goto(es_url)
    expect(visitor.locator('.language-selector button[value="fr"]')).to_have_attribute(
        "data-untranslated", ""
    )

    # 2. "Translate this page" into French, then translate it in the translation editor.
    page.goto(site.base_url + edit_es)
    page_action(page, "Translate this page")
    page.get_by_label("French").check()
    page.get_by_role("button", name="Submit").click()
    expect(page.locator(".messages")).to_contain_text("submitted for translation into French")
    edit_fr = page.url
    translate_segment(page, title_es, title_fr)
    translate_segment(page, intro_es, intro_fr)
    page.get_by_role("button", name="Publish in French").click()
    expect(page.locator(".messages")).to_contain_text(f"Published '{title_fr}' in French")

    # The Spanish page now offers French as a translation and its selector leads there
    # (publishing made the French slug ASCII: wagtail-localize slugifies it).
    visitor.goto(es_url)
    french_option = visitor.locator('.language-selector button[value="fr"]')
    expect(french_option).not_to_have_attribute("data-untranslated", "")
    french_option.click()
    expect(visitor.locator("html")).to_have_attribute("lang", "fr")
    expect(visitor.locator("h1")).to_have_text(title_fr)
    expect(visitor.locator(".lead")).to_have_text(intro_fr)
    expect(visitor.locator(".untranslated-notice")).to_have_count(0)
    fr_url = visitor.url

    # 3. The Spanish source changes and is published; "Sync translated pages" publishes the
    # French page at once: the title stays French, the changed text shows in Spanish.
    page.goto(site.base_url + edit_es)
    page.locator("#id_intro").fill(changed_es)
    publish_from_editor(page)
    expect(page.locator(".messages")).to_contain_text("published")
    page.goto(site.base_url + edit_es)
    page_action(page, "Sync translated pages")
    page.get_by_label("Publish immediately").check()
    page.get_by_role("button", name="Submit").click()
    expect(page.locator(".messages")).to_be_visible()

    visitor.goto(fr_url)
    expect(visitor.locator("h1")).to_have_text(title_fr)
    expect(visitor.locator(".lead")).to_have_text(changed_es)

    # 4. The translator translates the new text; French is complete again.
    page.goto(edit_fr)
    translate_segment(page, changed_es, changed_fr)
    page.get_by_role("button", name="Publish in French").click()
    expect(page.locator(".messages")).to_contain_text("in French")
    visitor.goto(fr_url)
    expect(visitor.locator(".lead")).to_have_text(changed_fr)
    expect(visitor.locator("h1")).to_have_text(title_fr)
    visitor.context.close()
