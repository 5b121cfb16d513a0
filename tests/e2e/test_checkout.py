"""A visitor's path to buying, in a real browser, in Spanish, Arabic (RTL) and Japanese: from
the home page's menu to the shop, into the cart from a card and from a product page, through
sign-up (the cart survives it), checkout and the test payment, to the confirmation, its email,
"My orders", and the order in the editors' admin. axe checks the cart, checkout and payment."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import Browser, Page, expect

from tests.e2e.axe import axe_problems
from tests.e2e.test_accounts import sign_up
from tests.e2e.test_catalogue_mobile import catalogue_path
from tests.servers import emails_to

LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
# The elements wider than their box (the table's scrolling wrapper, the page) at this size.
OVERFLOW = """(selector) => [document.querySelector(selector).parentElement,
    document.documentElement].filter((el) => el.scrollWidth > el.clientWidth).map((el) =>
    `${el.tagName}.${el.className}: ${el.scrollWidth} > ${el.clientWidth}`)"""
REFERENCE = re.compile(r"CR-[A-Z0-9]{6,}")


def tr(code: str, text: str) -> str:
    """`text` as the site shows it in `code` (the catalogues the server uses)."""
    with translation.override(code):
        return translation.gettext(text)


def cart_lines(page: Page):
    return page.locator("table.cart tbody tr")


@pytest.mark.parametrize("code", ["es", "ar", "ja"])
def test_a_visitor_finds_the_shop_and_buys(
    page: Page, browser: Browser, site, console_errors, code
):
    page.set_viewport_size(LAPTOP)
    shop = catalogue_path(page, site, code)

    # The home page's menu leads to the shop, and so does its card.
    page.goto(f"{site.base_url}/{code}/")
    expect(page.locator(f'main a[href="{shop}"]').first).to_be_visible()
    page.locator(f'header a[href="{shop}"]').first.click()
    expect(page).to_have_url(site.base_url + shop)

    # From a card: one unit, straight into the cart.
    card = page.locator("[data-search-results] .product-card").filter(
        has=page.locator("form.add-to-cart")
    )
    first = card.nth(0).locator(".card__title").inner_text().strip()
    card.nth(0).locator("form.add-to-cart button").click()
    expect(page).to_have_url(f"{site.base_url}/{code}/cart/")
    expect(cart_lines(page)).to_have_count(1)
    expect(cart_lines(page).first).to_contain_text(first)

    # From a product page: three units of another product, then down to two in the cart.
    page.get_by_role("link", name=tr(code, "Continue shopping")).click()
    card.nth(1).locator(".card__title a").click()
    second = page.get_by_role("heading", level=1).inner_text().strip()
    page.get_by_label(tr(code, "Quantity")).fill("3")
    page.locator("form.add-to-cart--quantity button[type=submit]").click()
    expect(cart_lines(page)).to_have_count(2)
    line = cart_lines(page).filter(has_text=second)
    line.locator("input[name=quantity]").fill("2")
    line.locator("button:not([name=remove])").click()
    expect(line.locator("input[name=quantity]")).to_have_value("2")
    assert axe_problems(page) == []
    # On a phone the totals are in sight: nothing in the cart scrolls sideways.
    page.set_viewport_size(PHONE)
    assert page.evaluate(OVERFLOW, "table.cart") == [], "the cart scrolls sideways at 390 px"
    page.set_viewport_size(LAPTOP)

    # Signing up keeps the cart: the visitor's session cart joins the new account's.
    username = sign_up(page, site, code)
    page.goto(f"{site.base_url}/{code}/cart/")
    expect(cart_lines(page)).to_have_count(2)

    page.get_by_role("link", name=tr(code, "Checkout"), exact=True).click()
    expect(page).to_have_url(f"{site.base_url}/{code}/checkout/")
    expect(page.locator("#id_email")).to_have_value(f"{username}@example.com")
    assert axe_problems(page) == []
    page.locator("#id_full_name").fill("Ada Lovelace")
    page.locator("#id_address_line1").fill("Calle Mayor 1")
    page.locator("#id_city").fill("Madrid")
    page.locator("#id_postal_code").fill("28013")
    page.locator("#id_country").select_option("ES")
    page.get_by_role("button", name=tr(code, "Place order and pay")).click()

    # The test provider's payment step, named as such.
    expect(page).to_have_url(re.compile(rf"/{code}/checkout/CR-[A-Z0-9]+/pay/$"))
    assert axe_problems(page) == []
    page.get_by_role("button", name=tr(code, "Pay (test mode)")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(code, "Thank you for your order"))
    match = REFERENCE.search(page.locator("main").inner_text())
    assert match, page.locator("main").inner_text()
    reference = match.group()

    # The confirmation email, in the buyer's language.
    emails = emails_to(site.server.log(), f"{username}@example.com")
    assert emails, "no confirmation email"
    email = emails[-1]
    assert reference in email and second in email and first in email
    with translation.override(code):
        thanks = translation.gettext(
            "Thank you for your order %(reference)s. Your payment has been received; we "
            "will let you know when it ships."
        ) % {"reference": reference}
    assert thanks in " ".join(email.split()), email

    # "My orders", from the profile.
    page.goto(f"{site.base_url}/{code}/account/profile/")
    page.get_by_role("link", name=tr(code, "See all your orders")).click()
    expect(page).to_have_url(f"{site.base_url}/{code}/account/orders/")
    page.get_by_role("link", name=reference).click()
    expect(page.locator("main")).to_contain_text(second)
    assert console_errors == []

    # The editors see it in the admin, paid.
    admin = browser.new_context(viewport=LAPTOP)
    try:
        editor = admin.new_page()
        editor.goto(f"{site.base_url}/admin/login/")
        editor.locator("#id_username").fill(site.admin_username)
        editor.locator("#id_password").fill(site.admin_password)
        editor.locator("form button[type=submit]").click()
        editor.goto(f"{site.base_url}/admin/snippets/orders/order/?q={reference}")
        row = editor.locator("table.listing tbody tr").filter(has_text=reference)
        expect(row).to_have_count(1)
        expect(row).to_contain_text(tr(editor.locator("html").get_attribute("lang"), "Paid"))
    finally:
        admin.close()
