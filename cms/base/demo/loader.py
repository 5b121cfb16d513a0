"""Builds the demo site once, then translates it through wagtail-localize.

Idempotent: pages are found by slug under their parent, snippets by locale, and
translations only made for locales that lack one, so re-runs change nothing.
"""

import json
from collections.abc import Callable
from pathlib import Path

from django.apps import apps
from django.db import transaction
from wagtail.images.models import Image
from wagtail.models import Locale, Page, Site

from cms.base.demo import content
from cms.base.demo.images import demo_image
from cms.base.localization import (
    Catalogue,
    missing_translations,
    source_strings,
    translate_object,
)
from cms.base.models import NavigationMenu, SiteFooter
from cms.home.models import HomePage
from cms.shop.demo import build_shop

TRANSLATIONS = Path(__file__).parent / "translations"
Report = Callable[[str], None]


def catalogue() -> Catalogue:
    """Source text -> language -> translation, from translations/<language>.json."""
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(TRANSLATIONS.glob("*.json")):
        for source, text in json.loads(path.read_text(encoding="utf-8")).items():
            merged.setdefault(source, {})[path.stem] = text
    return merged


@transaction.atomic
def build_source_site() -> list:
    """Create the Spanish pages and snippets that are missing; return all demo objects."""
    default = Locale.get_default()
    images = {
        key: demo_image(key, title, "", motif, seed)
        for key, (title, motif, seed) in content.IMAGES.items()
    }
    image_ids = {key: image.pk for key, image in images.items()}
    home, home_created = _home(default, images["hero"])
    pages: dict[str, Page] = {content.HOME: home}
    created = [(home, content.home_streams)] if home_created else []
    for key, parent_key, model_path, fields, streams, hero in content.PAGES:
        parent = pages[parent_key]
        model = apps.get_model(model_path)
        page = model.objects.child_of(parent).filter(slug=fields["slug"]).first()
        if page is None:
            extra = {"hero_image": images[hero]} if hero else {}
            page = parent.add_child(instance=model(**fields, **extra, locale=default))
            created.append((page, streams))
        pages[key] = page
    page_ids = {key: page.pk for key, page in pages.items()}
    for page, streams in created:  # second pass: streams link to pages made above
        for field, value in streams(page_ids, image_ids).items():
            setattr(page, field, value)
        if isinstance(page, HomePage):
            page.hero_cta_page = pages[content.BUDDY]
        page.save_revision().publish()
    shop = build_shop(home, default)  # categories, then the catalogue, then its products
    return [
        *pages.values(),
        *shop,
        _navigation(default, page_ids),
        _footer(default, page_ids),
    ]


def _home(locale: Locale, hero: Image) -> tuple[HomePage, bool]:
    existing = HomePage.objects.filter(locale=locale).first()
    if existing:
        return existing, False
    home = Page.get_first_root_node().add_child(
        instance=HomePage(**content.HOME_PAGE, hero_image=hero, locale=locale)
    )
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost", root_page=home, is_default_site=True, site_name="Croody"
        )
    else:
        placeholder = site.root_page
        site.root_page, site.site_name = home, "Croody"
        site.save()
        # Wagtail's migrations create a bare "Welcome" page; nothing links to it now.
        if type(placeholder.specific) is Page:
            placeholder.delete()
    return home, True


def _links(items: list[tuple[str, str]], page_ids: dict[str, int]) -> list[dict]:
    return [
        content.block("link", {"label": label, "page": page_ids[key], "url": ""})
        for label, key in items
    ]


def _navigation(locale: Locale, page_ids: dict[str, int]) -> NavigationMenu:
    menu = NavigationMenu.objects.filter(locale=locale).first()
    if menu is None:
        menu = NavigationMenu.objects.create(
            locale=locale, name="Main", items=_links(content.NAVIGATION, page_ids)
        )
    return menu


def _footer(locale: Locale, page_ids: dict[str, int]) -> SiteFooter:
    footer = SiteFooter.objects.filter(locale=locale).first()
    if footer is None:
        footer = SiteFooter.objects.create(
            locale=locale,
            tagline=content.FOOTER["tagline"],
            copyright=content.FOOTER["copyright"],
            links=_links(content.FOOTER["links"], page_ids),
            social_links=[
                content.block("social", {"platform": platform, "url": url, "label": label})
                for platform, url, label in content.FOOTER["social"]
            ],
        )
    return footer


def translate_demo_site(objects: list, report: Report) -> None:
    """Translate each demo object into every locale that lacks it and whose catalogue has
    all of its strings; the others stay Spanish aliases until translators fill them in."""
    strings = catalogue()
    for obj in objects:
        missing = missing_translations(obj)
        if not missing:
            continue
        needed = source_strings(obj)
        covered = [
            locale
            for locale in missing
            if all(locale.language_code in strings.get(text, {}) for text in needed)
        ]
        if covered:
            translate_object(obj, strings, covered)
            report(f"{obj}: {', '.join(locale.language_code for locale in covered)}")
