"""The design system in a real browser: themes without a flash, palettes, the mobile menu by
keyboard, right-to-left layout, a clean console and axe-core's accessibility checks.

Screenshots of the home page (es, ar, ja in light and dark) are saved under
test-artifacts/screenshots/ for people to look at.
"""

import re

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from playwright.sync_api import Page, expect

from tests.e2e.axe import axe_problems, wait_for_animations
from tests.e2e.conftest import ARTIFACTS

SCREENSHOTS = ARTIFACTS / "screenshots"
PALETTES = ("gator", "jungle", "sand", "crimson")
THEMES = ("light", "dark")

# What the boot script must have done before the browser parses <body>, recorded by a
# parser-blocking script inserted as the body's first child. Such a script runs only after
# the stylesheets above it have loaded and before anything in the body exists, so it sees
# exactly what the first paint will show.
PROBE_PATH = "/__design_probe__.js"
PROBE = """
window.__atFirstPaint = {
  theme: document.documentElement.getAttribute("data-theme"),
  palette: document.documentElement.getAttribute("data-palette"),
  background: getComputedStyle(document.documentElement).backgroundColor,
  bodyChildren: document.body.children.length,
};
"""

CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def luminance(css_colour: str) -> float:
    r, g, b = (int(part) / 255 for part in re.findall(r"\d+", css_colour)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def open_appearance(page: Page) -> None:
    toggle = page.locator("[data-theme-toggle]")
    if toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    expect(page.locator("#theme-panel")).to_be_visible()


def probe_first_paint(page: Page, url: str, block_theme_js: bool = True) -> dict:
    """Load `url` with the probe as the body's first child; theme.js itself never loads."""

    def document(route):
        response = route.fetch()
        html = re.sub(
            r"(<body[^>]*>)", rf'\1<script src="{PROBE_PATH}"></script>', response.text(), count=1
        )
        route.fulfill(response=response, body=html)

    page.route(url, document)
    page.route(
        f"**{PROBE_PATH}",
        lambda route: route.fulfill(status=200, content_type="text/javascript", body=PROBE),
    )
    if block_theme_js:
        page.route("**/croody/js/theme.js", lambda route: route.abort())
    page.goto(url)
    state = page.evaluate("window.__atFirstPaint")
    page.unroute(url)
    page.unroute("**/croody/js/theme.js")
    return state


@pytest.mark.browser_context_args(color_scheme="light")
def test_theme_choice_persists_across_pages_and_reloads_without_a_flash(page: Page, site):
    home = f"{site.base_url}/es/"
    page.goto(home)
    html = page.locator("html")
    expect(html).not_to_have_attribute("data-theme", re.compile(".*"))  # none from the server
    expect(html).to_have_attribute("data-js", "")
    open_appearance(page)
    dark = page.locator('[data-set-theme="dark"]')
    dark.click()
    expect(html).to_have_attribute("data-theme", "dark")
    expect(dark).to_have_attribute("aria-pressed", "true")
    expect(page.locator('[data-set-theme="light"]')).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("localStorage.getItem('croody_theme')") == "dark"
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies.get("croody_theme") == "dark"
    assert luminance(page.evaluate("getComputedStyle(document.body).backgroundColor")) < 0.1

    # Another page and a reload: dark before the body is parsed, with theme.js blocked, so
    # only the inline boot script can have done it. Applied any later (theme.js, or
    # DOMContentLoaded) the probe would see "system" on a light background.
    for url in (f"{site.base_url}/es/buddy/", f"{site.base_url}/es/buddy/", home):
        state = probe_first_paint(page, url)
        assert state["bodyChildren"] == 1, state  # nothing but the probe parsed yet
        assert state["theme"] == "dark", f"{url}: {state}"
        assert luminance(state["background"]) < 0.1, f"{url}: {state}"

    # Back to following the system (light here), remembered too.
    page.goto(home)
    open_appearance(page)
    page.locator('[data-set-theme="system"]').click()
    state = probe_first_paint(page, home)
    assert state["theme"] == "system"  # the stored choice, applied by the boot script
    assert luminance(state["background"]) > 0.8


@pytest.mark.browser_context_args(color_scheme="light")
def test_palette_switch_applies_and_persists(page: Page, site):
    page.goto(f"{site.base_url}/es/")
    button = page.locator(".hero .btn--primary").first

    def primary_background() -> str:
        return button.evaluate("el => getComputedStyle(el).backgroundColor")

    assert primary_background() == "rgb(27, 122, 67)"  # Gator, light: #1b7a43
    open_appearance(page)
    jungle = page.locator('[data-set-palette="jungle"]')
    expect(page.locator('[data-set-palette="gator"]')).to_have_attribute("aria-pressed", "true")
    jungle.click()
    expect(page.locator("html")).to_have_attribute("data-palette", "jungle")
    expect(jungle).to_have_attribute("aria-pressed", "true")
    expect(page.locator('[data-set-palette="gator"]')).to_have_attribute("aria-pressed", "false")
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('.hero .btn--primary')).backgroundColor"
        " === 'rgb(13, 112, 104)'"
    )  # Jungle, light: #0d7068
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies.get("croody_palette") == "jungle"

    state = probe_first_paint(page, f"{site.base_url}/es/buddy/")
    assert state["palette"] == "jungle"
    page.goto(f"{site.base_url}/es/")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-palette", "jungle")
    assert primary_background() == "rgb(13, 112, 104)"

    # Escape closes the popover and gives focus back to its button.
    open_appearance(page)
    page.locator('[data-set-palette="sand"]').focus()
    page.keyboard.press("Escape")
    expect(page.locator("#theme-panel")).to_be_hidden()
    expect(page.locator("[data-theme-toggle]")).to_be_focused()


@pytest.mark.browser_context_args(viewport={"width": 375, "height": 740})
def test_mobile_menu_works_with_the_keyboard_alone(page: Page, site):
    page.goto(f"{site.base_url}/es/")
    toggle = page.locator("[data-nav-toggle]")
    menu = page.locator("#site-menu")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_hidden()
    for box in (
        toggle,
        page.locator("[data-language-toggle]"),
        page.locator("[data-theme-toggle]"),
    ):
        size = box.bounding_box()
        assert size["width"] >= 24 and size["height"] >= 24  # WCAG 2.5.8 target size

    for _ in range(20):
        page.keyboard.press("Tab")
        if toggle.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the menu button")

    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(menu).to_be_visible()
    links = menu.locator(".site-nav a")
    assert links.count() >= 2
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('#site-menu') !== null")
    assert focused, "the first Tab after opening goes into the menu"
    expect(links.first).to_be_focused()
    page.keyboard.press("Tab")
    expect(links.nth(1)).to_be_focused()

    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_hidden()
    expect(toggle).to_be_focused()

    # The compact language list opens and closes the same way.
    language = page.locator("[data-language-toggle]")
    language.focus()
    page.keyboard.press("Enter")
    expect(page.locator('.language-selector button[value="ar"]')).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator('.language-selector button[value="ar"]')).to_be_hidden()
    expect(language).to_be_focused()


@pytest.mark.browser_context_args(viewport={"width": 375, "height": 740}, java_script_enabled=False)
def test_without_javascript_the_menu_and_languages_are_simply_there(page: Page, site):
    page.goto(f"{site.base_url}/es/")
    expect(page.locator("[data-nav-toggle]")).to_be_hidden()
    expect(page.locator("[data-theme-controls]")).to_be_hidden()
    expect(page.locator("#site-menu .site-nav a").first).to_be_visible()
    page.locator('.language-selector button[value="fr"]').click()
    expect(page).to_have_url(f"{site.base_url}/fr/")


def test_right_to_left_layout_in_arabic(page: Page, site):
    page.goto(f"{site.base_url}/ar/")
    width = page.viewport_size["width"]
    brand = page.locator(".site-header .brand").bounding_box()
    assert brand["x"] > width / 2, "the brand sits at the inline start: the right in Arabic"
    nav = page.locator(".site-nav").bounding_box()
    assert nav["x"] + nav["width"] <= brand["x"] + 1, "the navigation follows it to the left"
    heading = page.locator("h1").bounding_box()
    container = page.locator(".hero .container").bounding_box()
    assert heading["x"] + heading["width"] > container["x"] + container["width"] * 0.5
    arrow = page.evaluate(
        """() => {
          const icon = document.createElementNS("http://www.w3.org/2000/svg", "svg");
          icon.setAttribute("class", "icon icon--directional");
          document.querySelector("main").append(icon);
          return getComputedStyle(icon).transform;
        }"""
    )
    assert arrow.startswith("matrix(-1"), "direction icons are mirrored"

    page.goto(f"{site.base_url}/es/")
    brand = page.locator(".site-header .brand").bounding_box()
    assert brand["x"] < width / 2


@pytest.mark.parametrize("code", ["es", "ar"])
def test_home_page_has_no_console_errors_or_csp_violations(page: Page, site, console_errors, code):
    foreign = []
    page.on(
        "request",
        lambda request: not request.url.startswith(site.base_url) and foreign.append(request.url),
    )
    page.add_init_script(CSP_VIOLATIONS)
    response = page.goto(f"{site.base_url}/{code}/")
    csp = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in csp and "style-src 'self'" in csp
    open_appearance(page)  # exercise the scripts a little
    page.locator('[data-set-palette="sand"]').click()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__cspViolations") == []
    assert console_errors == []
    assert foreign == []


@pytest.mark.parametrize(
    ("code", "theme"), [("es", "light"), ("es", "dark"), ("ar", "light"), ("ar", "dark")]
)
def test_home_page_passes_axe(page: Page, site, code, theme):
    page.add_init_script(f"localStorage.setItem('croody_theme', '{theme}')")
    page.goto(f"{site.base_url}/{code}/")
    expect(page.locator("html")).to_have_attribute("data-theme", theme)
    expect(page.locator("h1")).to_have_count(1)
    for landmark in ("banner", "main", "contentinfo", "navigation"):
        expect(page.get_by_role(landmark).first).to_be_attached()
    problems = axe_problems(page)
    assert problems == [], "\n".join(problems)


@pytest.fixture
def styleguide_url(page: Page, site) -> str:
    """templates/styleguide.html, rendered here and served on the site's origin."""
    csp = page.request.get(f"{site.base_url}/es/").headers["content-security-policy"]
    with translation.override("es"):
        html = render_to_string("styleguide.html", {"request": None})
    url = f"{site.base_url}/es/__styleguide__/"
    page.route(
        url,
        lambda route: route.fulfill(
            status=200,
            content_type="text/html; charset=utf-8",
            headers={"content-security-policy": csp},
            body=html,
        ),
    )
    return url


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("palette", PALETTES)
def test_every_component_passes_axe_in_every_palette_and_theme(
    page: Page, styleguide_url, console_errors, palette, theme
):
    page.add_init_script(
        f"localStorage.setItem('croody_theme', '{theme}');"
        f"localStorage.setItem('croody_palette', '{palette}');"
    )
    page.goto(styleguide_url)
    expect(page.locator("html")).to_have_attribute("data-palette", palette)
    problems = axe_problems(page)
    assert problems == [], "\n".join(problems)
    assert console_errors == []
    if (palette, theme) in {("gator", "light"), ("crimson", "dark")}:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=SCREENSHOTS / f"styleguide-{palette}-{theme}.png",
            full_page=True,
            animations="disabled",
        )


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("code", ["es", "ar", "ja"])
def test_screenshots_of_the_home_page(page: Page, site, code, theme):
    page.add_init_script(f"localStorage.setItem('croody_theme', '{theme}')")
    page.goto(f"{site.base_url}/{code}/")
    page.wait_for_load_state("networkidle")
    wait_for_animations(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"home-{code}-{theme}.png"
    page.screenshot(path=path, full_page=True, animations="disabled")
    assert path.stat().st_size > 10_000
    page.set_viewport_size({"width": 375, "height": 740})
    page.screenshot(path=SCREENSHOTS / f"home-{code}-{theme}-mobile.png", animations="disabled")


SEARCH_PAGE = """<!DOCTYPE html>
<html lang="en" dir="ltr"><head><meta charset="utf-8"><title>Search</title>
<script src="/static/croody/js/search.js" defer></script></head><body><main>
<h1>Products</h1>
<form method="get" action="/es/__search__/" data-live-search>
  <label for="q">Search</label><input id="q" type="search" name="q" value="{q}">
  <label for="kind">Kind</label>
  <select id="kind" name="kind"><option value="">All</option>
  <option value="shoe"{shoe}>Shoes</option></select>
  <button type="submit">Search</button>
</form>
<p data-search-status role="status">{count} results</p>
<div data-search-results><ul>{items}</ul>
<a data-live-search-link href="/es/__search__/?q={q}&page=2">Next</a></div>
</main></body></html>"""
PRODUCTS = ["Trail shoe", "Road shoe", "Heart sensor", "Foam roller"]


def search_page(url: str) -> str:
    from urllib.parse import parse_qs, urlsplit

    query = parse_qs(urlsplit(url).query)
    q = query.get("q", [""])[0].lower()
    kind = query.get("kind", [""])[0]
    found = [p for p in PRODUCTS if q in p.lower() and (not kind or kind in p.lower())]
    if query.get("page") == ["2"]:
        found = ["Page two item"]
    return SEARCH_PAGE.format(
        q=q,
        shoe=" selected" if kind == "shoe" else "",
        count=len(found),
        items="".join(f"<li>{item}</li>" for item in found),
    )


def test_live_search_swaps_results_and_keeps_history(page: Page, site, console_errors):
    """search.js: debounced typing and filters fetch the GET URL, swap the results region,
    update the address bar, and Back restores the earlier results and form values."""
    requests = []

    def serve(route):
        requests.append(route.request)
        route.fulfill(
            status=200, content_type="text/html; charset=utf-8", body=search_page(route.request.url)
        )

    page.route(f"{site.base_url}/es/__search__/**", serve)
    page.route(f"{site.base_url}/es/__search__/", serve)
    page.goto(f"{site.base_url}/es/__search__/")
    results = page.locator("[data-search-results] li")
    expect(results).to_have_count(4)

    page.locator("#q").press_sequentially("shoe", delay=30)
    expect(results).to_have_count(2)
    expect(page).to_have_url(re.compile(r"/es/__search__/\?q=shoe$"))
    expect(page.locator("[data-search-status]")).to_have_text("2 results")
    fetched = [r for r in requests if r.headers.get("x-requested-with") == "fetch"]
    assert len(fetched) <= 2, "typing is debounced, not one request per key"

    page.locator("#q").fill("")
    page.locator("#q").press_sequentially("road", delay=30)
    expect(results).to_have_text(["Road shoe"])
    page.locator("#kind").select_option("shoe")
    expect(page).to_have_url(re.compile(r"q=road&kind=shoe$"))

    page.locator("[data-live-search-link]").click()
    expect(results).to_have_text(["Page two item"])
    expect(page).to_have_url(re.compile(r"page=2$"))

    page.go_back()
    expect(page).to_have_url(re.compile(r"q=road&kind=shoe$"))
    expect(results).to_have_text(["Road shoe"])
    expect(page.locator("#kind")).to_have_value("shoe")
    page.go_back()
    expect(page.locator("#kind")).to_have_value("")
    expect(page.locator("#q")).to_have_value("road")
    assert console_errors == []


@pytest.mark.browser_context_args(java_script_enabled=False)
def test_search_form_submits_normally_without_javascript(page: Page, site):
    page.route(
        f"{site.base_url}/es/__search__/**",
        lambda route: route.fulfill(
            status=200, content_type="text/html; charset=utf-8", body=search_page(route.request.url)
        ),
    )
    page.goto(f"{site.base_url}/es/__search__/")
    page.locator("#q").fill("sensor")
    page.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"q=sensor"))
    expect(page.locator("[data-search-results] li")).to_have_text(["Heart sensor"])
