"""'Sync translated pages' warns before publishing untranslated text, through the real admin.

An editor translates a new Spanish page into French, changes its Spanish introduction and
opens Actions > Sync translated pages: the form lists, for French, the one text with no
translation before anything is published. Published anyway, the French page marks that text
lang="es" under a notice in French; translated and published, both go away and the sync form
says every text is translated.
"""

import re
import uuid
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_translation_workflow import (
    ADMIN_LOCALE,
    page_action,
    publish_from_editor,
    sign_in,
    translate_segment,
)

SCREENSHOTS = ARTIFACTS / "screenshots"


@pytest.mark.browser_context_args(locale=ADMIN_LOCALE, viewport={"width": 1366, "height": 900})
def test_sync_lists_untranslated_text_then_marks_it(page: Page, browser: Browser, site):
    run = uuid.uuid4().hex[:4]  # the site lives for the whole session: titles stay unique
    title_es, title_fr = f"Descanso activo {run}", f"Repos actif {run}"
    intro_es = "Camina veinte minutos el día después de correr."
    intro_fr = "Marchez vingt minutes le lendemain d'une course."
    changed_es = "Camina o pedalea suave veinte minutos el día después de correr."
    changed_fr = "Marchez ou pédalez doucement vingt minutes le lendemain d'une course."

    page.goto(f"{site.base_url}/es/")
    home_id = page.locator(".language-selector input[name=page]").get_attribute("value")

    # A Spanish page, translated into French and published.
    sign_in(page, site)
    page.goto(f"{site.base_url}/admin/pages/{home_id}/add_subpage/")
    if "add_subpage" in page.url:
        page.get_by_role("link", name="Standard page").click()
    page.locator("#id_title").fill(title_es)
    page.locator("#id_intro").fill(intro_es)
    # Wagtail's script fills the slug from the title: publishing before it does is refused.
    expect(page.locator("#id_slug")).not_to_have_value("")
    publish_from_editor(page)
    expect(page.locator(".messages")).to_contain_text("created and published")
    edit_es = page.locator(".messages a", has_text="Edit").get_attribute("href")
    live = page.locator(".messages a", has_text="View live").get_attribute("href")
    es_url = site.base_url + urlsplit(live).path
    page.goto(site.base_url + edit_es)
    page_action(page, "Translate this page")
    page.get_by_label("French").check()
    page.get_by_role("button", name="Submit").click()
    edit_fr = page.url
    translate_segment(page, title_es, title_fr)
    translate_segment(page, intro_es, intro_fr)
    page.get_by_role("button", name="Publish in French").click()
    expect(page.locator(".messages")).to_contain_text(f"Published '{title_fr}' in French")
    # The French page's address, the way a visitor reaches it: the language selector. (A
    # browser of its own: the selector's cookie would switch the editor's admin too.)
    visitor = browser.new_context().new_page()
    visitor.goto(es_url)
    visitor.locator('.language-selector button[value="fr"]').click()
    expect(visitor.locator("h1")).to_have_text(title_fr)
    fr_url = visitor.url

    # The Spanish introduction changes; the sync form warns before publishing.
    page.goto(site.base_url + edit_es)
    page.locator("#id_intro").fill(changed_es)
    publish_from_editor(page)
    expect(page.locator(".messages")).to_contain_text("published")
    page.goto(site.base_url + edit_es)
    page_action(page, "Sync translated pages")
    warning = page.locator("[data-sync-pending]")
    expect(warning).to_contain_text("Publishing immediately would put untranslated text live")
    french = warning.locator('[data-sync-language="fr"]')
    expect(french.locator("summary")).to_have_text("French: 1 text not translated")
    french.locator("summary").click()  # a <details>: the list opens from the keyboard too
    expect(french.locator('li[lang="es"]')).to_have_text([changed_es])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "admin-sync-warning.png", full_page=True)

    page.get_by_label("Publish immediately").check()
    page.get_by_role("button", name="Submit").click()
    expect(page.locator(".messages")).to_contain_text("Successfully updated translations")

    # A French visitor: the title is French; the Spanish introduction is marked and announced.
    visitor.goto(fr_url)
    expect(visitor.locator("html")).to_have_attribute("lang", "fr")
    expect(visitor.locator("h1")).to_have_text(title_fr)
    expect(visitor.locator("h1")).not_to_have_attribute("lang", re.compile(".*"))
    lead = visitor.locator(".lead")
    expect(lead).to_have_text(changed_es)
    expect(lead).to_have_attribute("lang", "es")
    notice = visitor.locator(".untranslated-notice--partial")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(re.compile("espagnol", re.IGNORECASE))  # in French

    # Translated and published in French: no notice, nothing marked, and the form agrees.
    page.goto(edit_fr)
    translate_segment(page, changed_es, changed_fr)
    page.get_by_role("button", name="Publish in French").click()
    expect(page.locator(".messages")).to_contain_text("in French")
    visitor.reload()
    expect(visitor.locator(".lead")).to_have_text(changed_fr)
    expect(visitor.locator(".lead")).not_to_have_attribute("lang", re.compile(".*"))
    expect(visitor.locator(".untranslated-notice")).to_have_count(0)
    page.goto(site.base_url + edit_es)
    page_action(page, "Sync translated pages")
    expect(page.locator("[data-sync-pending]")).to_contain_text(
        "Every text has a translation in every language"
    )
    visitor.context.close()
