"""Builds the demo site once, then translates it through wagtail-localize.

Idempotent: pages are found by slug under their parent, snippets by locale, and
translations only made for locales that lack one, so re-runs change nothing. A database
built by an older version is brought up to date: missing menu, footer and card links are
added, gradient product images replaced, pages and products that still carry an older
version's claims the product does not back (content.RETIRED_CLAIMS: an AI coach, invented
figures, "encrypted" keys) rewritten, suffixed slugs ("privacidad-en") translated, and the
changed objects' translations refreshed; the old suffixed URLs redirect (301) to the pages.
"""

import json
from collections.abc import Callable
from pathlib import Path

from django.apps import apps
from django.db import transaction
from wagtail.contrib.redirects.models import Redirect
from wagtail.fields import StreamField
from wagtail.images.models import Image
from wagtail.models import Locale, Page

from cms.base.demo import content
from cms.base.demo.images import demo_image
from cms.base.localization import (
    Catalogue,
    missing_translations,
    retranslate_object,
    source_strings,
    suffixed_slug,
    translate_object,
    translated_slug,
)
from cms.base.models import NavigationMenu, SiteFooter
from cms.base.site_url import configure_default_site
from cms.home.models import HomePage
from cms.shop.demo import build_shop
from cms.shop.models import ProductIndexPage

TRANSLATIONS = Path(__file__).parent / "translations"
Report = Callable[[str], None]


def catalogue() -> Catalogue:
    """Source text -> language -> translation, from translations/<language>.json."""
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(TRANSLATIONS.glob("*.json")):
        for source, text in json.loads(path.read_text(encoding="utf-8")).items():
            merged.setdefault(source, {})[path.stem] = text
    return merged


def mark_updated(obj: object) -> None:
    """Flag a source object changed in place: its translations need refreshing."""
    obj._croody_updated = True  # type: ignore[attr-defined]


@transaction.atomic
def build_source_site() -> list:
    """Create the Spanish pages and snippets that are missing, bring older ones up to date,
    and return all demo objects (those changed in place flagged by `mark_updated`)."""
    default = Locale.get_default()
    images = {
        key: demo_image(key, title, "", motif, seed)
        for key, (title, motif, seed) in content.IMAGES.items()
    }
    image_ids = {key: image.pk for key, image in images.items()}
    home, home_created = _home(default, images["hero"])
    pages: dict[str, Page] = {content.HOME: home}
    created = [(home, content.home_streams)] if home_created else []
    refreshed = [] if home_created else _outdated(home, content.HOME_PAGE, content.home_streams)
    for key, parent_key, model_path, fields, streams, hero in content.PAGES:
        parent = pages[parent_key]
        model = apps.get_model(model_path)
        page = model.objects.child_of(parent).filter(slug=fields["slug"]).first()
        if page is None:
            extra = {"hero_image": images[hero]} if hero else {}
            page = parent.add_child(instance=model(**fields, **extra, locale=default))
            created.append((page, streams))
        else:
            refreshed += _outdated(page, fields, streams)
        pages[key] = page
    shop = build_shop(home, default)  # categories, then the catalogue, then its products
    pages[content.SHOP] = next(obj for obj in shop if isinstance(obj, ProductIndexPage))
    page_ids = {key: page.pk for key, page in pages.items()}
    for page, streams in created + refreshed:  # second pass: streams link to pages made above
        for field, value in streams(page_ids, image_ids).items():
            setattr(page, field, value)
        if isinstance(page, HomePage):
            page.hero_cta_page = pages[content.BUDDY]
        page.save_revision().publish()
    for page, _streams in refreshed:
        mark_updated(page)
    if not home_created:
        _link_cards(home, page_ids)
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
    site = configure_default_site(root_page=home)
    placeholder = site.root_page
    if placeholder.pk != home.pk:
        site.root_page, site.site_name = home, "Croody"
        site.save()
        # Wagtail's migrations create a bare "Welcome" page; nothing links to it now.
        if type(placeholder.specific) is Page:
            placeholder.delete()
    return home, True


def _outdated(page: Page, fields: dict, streams: Callable) -> list[tuple[Page, Callable]]:
    """[(page, streams)] when an existing demo page still says what an older version claimed
    and the product does not back (content.RETIRED_CLAIMS): its texts are then set from the
    current content here, its streams in build_source_site's second pass. Pages without such
    a claim, edited or not, are left alone."""
    specific = page.specific
    stream_fields = [
        field.name for field in specific._meta.get_fields() if isinstance(field, StreamField)
    ]
    values = [getattr(specific, name, "") for name in fields if name != "slug"]
    values += [getattr(specific, name).raw_data for name in stream_fields]
    if not content.holds_retired_claim(*values):
        return []
    for name, value in fields.items():
        if name != "slug":
            setattr(specific, name, value)
    return [(specific, streams)]


def _link_cards(home: HomePage, page_ids: dict[str, int]) -> None:
    """Older demo homes had the shop and robots cards without a link."""
    cards = {"Tienda": page_ids[content.SHOP], "Robots": page_ids[content.ROBOTS]}
    data = list(home.ecosystem.raw_data)
    changed = False
    for card in data:
        value = card["value"]
        if not value.get("page") and value.get("title") in cards:
            value["page"] = cards[value["title"]]
            changed = True
    if changed:
        home.ecosystem = data
        home.save_revision().publish()
        mark_updated(home)


def _links(items: list[tuple[str, str]], page_ids: dict[str, int]) -> list[dict]:
    return [
        content.block("link", {"label": label, "page": page_ids[key], "url": ""})
        for label, key in items
    ]


def _add_missing_links(
    stream: list[dict], items: list[tuple[str, str]], page_ids: dict[str, int]
) -> list[dict] | None:
    """`stream` with the links of `items` it lacks (by page), each after the link that
    precedes it in `items`; None when nothing is missing."""
    linked = {block["value"].get("page") for block in stream}
    result = list(stream)
    added = False
    for position, (label, key) in enumerate(items):
        if page_ids[key] in linked:
            continue
        before = {page_ids[other] for _label, other in items[:position]}
        index = max(
            (i + 1 for i, block in enumerate(result) if block["value"].get("page") in before),
            default=0,
        )
        result.insert(index, *_links([(label, key)], page_ids))
        linked.add(page_ids[key])
        added = True
    return result if added else None


def _navigation(locale: Locale, page_ids: dict[str, int]) -> NavigationMenu:
    menu = NavigationMenu.objects.filter(locale=locale).first()
    if menu is None:
        return NavigationMenu.objects.create(
            locale=locale, name="Main", items=_links(content.NAVIGATION, page_ids)
        )
    items = _add_missing_links(list(menu.items.raw_data), content.NAVIGATION, page_ids)
    if items is not None:
        menu.items = items
        menu.save()
        mark_updated(menu)
    return menu


def _footer(locale: Locale, page_ids: dict[str, int]) -> SiteFooter:
    footer = SiteFooter.objects.filter(locale=locale).first()
    if footer is None:
        return SiteFooter.objects.create(
            locale=locale,
            tagline=content.FOOTER["tagline"],
            copyright=content.FOOTER["copyright"],
            links=_links(content.FOOTER["links"], page_ids),
            social_links=[
                content.block("social", {"platform": platform, "url": url, "label": label})
                for platform, url, label in content.FOOTER["social"]
            ],
        )
    links = _add_missing_links(list(footer.links.raw_data), content.FOOTER["links"], page_ids)
    if links is not None:
        footer.links = links
        footer.save()
        mark_updated(footer)
    return footer


def translate_demo_site(objects: list, report: Report) -> None:
    """Translate each demo object into every locale that lacks it and whose catalogue has
    all of its strings (the others stay Spanish aliases until translators fill them in);
    refresh the translations of objects changed in place or still with suffixed slugs."""
    strings = catalogue()
    for obj in objects:
        if getattr(obj, "_croody_updated", False) or _suffixed_slugs(obj, strings):
            retranslate_object(obj, strings)
            report(f"{obj}: updated")
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


def _suffixed_slugs(obj: object, strings: Catalogue) -> bool:
    """Whether a translation of the page still has the old "<slug>-<code>" slug although
    the catalogue now gives it a slug in its language."""
    if not isinstance(obj, Page):
        return False
    for version in obj.get_translations().filter(alias_of__isnull=True).select_related("locale"):
        code = version.locale.language_code
        old = suffixed_slug(obj.slug, code)
        if version.slug == old != translated_slug(obj, code, strings):
            return True
    return False


def redirect_suffixed_urls(objects: list) -> int:
    """A permanent redirect from each page's old suffixed URL ("/en/tienda-en/tempo-3-en/",
    what slugs were before they were translated) to its translation; returns how many were
    added. Idempotent: a path that already redirects (Wagtail adds one when a published
    slug changes) is left alone."""
    added = 0
    for obj in objects:
        if not isinstance(obj, Page) or obj.depth <= 2:  # a home page is /<lang>/ anyway
            continue
        segments = obj.url_path.strip("/").split("/")[1:]  # below the home page
        for version in (
            obj.get_translations().filter(alias_of__isnull=True).select_related("locale")
        ):
            code = version.locale.language_code
            old = Redirect.normalise_path(
                f"/{code}/" + "".join(f"{suffixed_slug(slug, code)}/" for slug in segments)
            )
            if old == Redirect.normalise_path(version.url or "") or (
                Redirect.objects.filter(old_path=old).exists()
            ):
                continue
            Redirect.objects.create(old_path=old, redirect_page=version, is_permanent=True)
            added += 1
    return added
