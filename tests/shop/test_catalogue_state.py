"""The catalogue on phones and across languages, as HTML: the filters fold into a <details>
whose button counts the filters in use, page links lead to the results' top, and the
language selector carries the state of the URL (safely, with the page cache on)."""

import re
import uuid
from html import unescape

import pytest
from django.utils import translation

pytestmark = pytest.mark.django_db


def html_of(client, url: str, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200, url
    return response.content.decode()


def filters_disclosure(html: str) -> str:
    match = re.search(
        r"<details class=\"catalogue__more\" data-catalogue-filters>.*?</details>", html, re.S
    )
    assert match, "the filters are in a <details> element"
    return match.group(0)


def summary(html: str) -> str:
    return re.search(r"<summary[^>]*>.*?</summary>", filters_disclosure(html), re.S).group(0)


def visible_count(html: str) -> str:
    badge = re.search(r'<span class="badge" aria-hidden="true">(\d+)</span>', summary(html))
    return badge.group(1) if badge else ""


def test_the_filters_fold_behind_a_button_the_search_box_does_not(client, shop):
    html = html_of(client, shop.url)
    details = filters_disclosure(html)
    for field in ("category", "min_price", "max_price", "availability", "sort"):
        assert f'id="id_{field}"' in details, field
    assert 'id="id_q"' not in details and 'id="id_q"' in html  # search stays in sight
    assert '<details class="catalogue__more" data-catalogue-filters open' not in html
    with translation.override("es"):
        assert "Filtros" in summary(html)
    assert visible_count(html) == ""  # nothing in use, no number
    # The submit button stays outside, so a search works with the filters folded.
    assert 'type="submit"' not in details


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("", ""),
        ("?q=pulso", ""),  # the search box is not behind the button
        ("?sort=price", ""),  # sorting narrows nothing
        ("?category=sensores", "1"),
        ("?min_price=10&max_price=50", "1"),  # a price range counts once
        ("?category=sensores&max_price=50&availability=in_stock&sort=name&q=x", "3"),
        ("?category=no-such-category&min_price=abc", ""),  # ignored values are not in use
    ],
)
def test_the_button_counts_the_filters_in_use(client, shop, query, count):
    html = html_of(client, shop.url + query)
    assert visible_count(html) == count
    if count:
        assert f"Filtros activos: {count}" in unescape(summary(html))


def test_search_js_gets_the_count_with_the_results(client, shop):
    html = html_of(
        client, f"{shop.url}?category=sensores&availability=in_stock", HTTP_X_REQUESTED_WITH="fetch"
    )
    assert "<html" not in html
    count = re.search(
        r'<span id="catalogue-filter-count"[^>]*data-search-sync>.*?</span></span>', html, re.S
    )
    assert count and '<span class="badge" aria-hidden="true">2</span>' in count.group(0)


def test_the_filters_are_translated(client, shop):
    arabic = shop.get_translation(shop.locale.__class__.objects.get(language_code="ar"))
    html = html_of(client, f"{arabic.url}?category=sensores")
    assert "عوامل التصفية" in summary(html)
    assert "عوامل التصفية النشطة: 1" in unescape(summary(html))


def test_page_links_lead_to_the_results_top(client, shop):
    html = html_of(client, f"{shop.url}?sort=price&page=2")
    assert '<section id="catalogue-results"' in html and 'tabindex="-1"' in html
    links = re.findall(r'<a class="pagination__link" href="([^"]+)"', html)
    assert len(links) >= 4  # previous, 1, 2 (current), 3, next
    for href in links:
        assert unescape(href).startswith(f"{shop.url}?sort=price"), href
        assert href.endswith("#catalogue-results"), href
    nxt = re.search(r'href="([^"]+)" rel="next"', html).group(1)
    assert unescape(nxt) == f"{shop.url}?sort=price&page=3#catalogue-results"


# The language selector's hidden `query` comes from the URL, so the page cache may keep it.


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 600
    pages = {**settings.CACHES["pages"], "KEY_PREFIX": f"catalogue-state-{uuid.uuid4().hex}"}
    settings.CACHES = {**settings.CACHES, "pages": pages}


def carried(html: str) -> str:
    form = re.search(r'<form class="language-selector".*?</form>', html, re.S).group(0)
    return unescape(re.search(r'name="query" value="([^"]*)"', form).group(1))


def test_the_carried_state_is_the_urls_even_from_the_page_cache(client, shop, page_cache):
    first = client.get(f"{shop.url}?q=tempo&utm_source=mail")
    assert first["X-Page-Cache"] == "miss"  # stored: the page holds nothing personal
    again = client.get(f"{shop.url}?q=tempo&utm_source=mail")
    assert again["X-Page-Cache"] == "hit"
    assert carried(again.content.decode()) == "q=tempo"
    # Another query is another stored page, never the first one's state.
    other = client.get(f"{shop.url}?q=rodillo&sort=name")
    assert other["X-Page-Cache"] == "miss"
    assert carried(other.content.decode()) == "q=rodillo&sort=name"
    assert carried(html_of(client, shop.url)) == ""


def test_hostile_urls_render_an_empty_carried_state(client, shop):
    for query in ("?q=a%00b", "?q=a%0D%0Ab", "?q=" + "x" * 10_000, "?%2F%2Fevil.example=1"):
        assert carried(html_of(client, shop.url + query)) == "", query
