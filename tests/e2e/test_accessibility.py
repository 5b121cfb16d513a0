"""axe-core on the Buddy and profile pages in Spanish and Arabic (the home page is checked
with every theme in test_design.py): no serious or critical violation."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.axe import axe_problems
from tests.e2e.test_accounts import sign_up


def page_url(page: Page, base_url: str, page_type: str, code: str) -> str:
    """The page's URL in `code`, found the way another front end would: the headless API."""
    answer = page.request.get(f"{base_url}/api/v2/pages/?type={page_type}&locale={code}")
    assert answer.ok, answer.text()
    items = answer.json()["items"]
    assert items, f"no {page_type} in {code}"
    # html_url is absolute on the configured origin; keep its path, use the test server's.
    return base_url + urlsplit(items[0]["meta"]["html_url"]).path


@pytest.mark.parametrize("code", ["es", "ar"])
@pytest.mark.parametrize("page_type", ["buddy.BuddyIndexPage", "buddy.BuddyPage"])
def test_buddy_pages_pass_axe(page: Page, site, code, page_type):
    page.goto(page_url(page, site.base_url, page_type, code))
    expect(page.locator("html")).to_have_attribute("lang", code)
    expect(page.locator("h1")).to_have_count(1)
    problems = axe_problems(page)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("code", ["es", "ar"])
def test_profile_page_passes_axe(page: Page, site, code):
    sign_up(page, site, language=code)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if code == "ar" else "ltr")
    problems = axe_problems(page)
    assert problems == [], "\n".join(problems)
