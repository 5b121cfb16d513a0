"""Which cached pages show a changed page, snippet, image or document, in which languages.

A page's HTML shows:
- its own content, its ancestors' titles and URLs (breadcrumbs) and a URL under theirs;
- its versions in the other languages: their URLs (hreflang links) and which of them are
  translations rather than aliases (the language selector);
- the header menu and the footer of its language (Spanish's while its language has none);
- what it references, in its own language (related products, links, images, its category:
  Wagtail's reference index knows these), and what those show on a card (a related
  product's image and category);
- for the catalogue and the Buddy page, their children; for the catalogue, every category.

So a change purges: the object's own page; pages that list it or reference it, only in the
languages where they show this version of it (`display_languages`); when a page's URL,
visibility or translation state changed (a translation replacing its alias), its subtree,
its other-language versions and, when a menu or footer links to it, every page of that
language; when only its title changed, its subtree.
"""

from dataclasses import dataclass
from urllib.parse import unquote

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.http import HttpRequest
from wagtail.models import Locale, Page, ReferenceIndex, TranslatableMixin

from cms.pagecache.purge import Purge

# Pages whose template lists their children (title, image, price…).
LISTS_CHILDREN = frozenset({"shop.ProductIndexPage", "buddy.BuddyIndexPage"})
# Snippets on every page of the languages they show in (cms.base.context_processors).
ON_EVERY_PAGE = frozenset({"base.NavigationMenu", "base.SiteFooter"})
# Snippets shown in full on every page of a type (the catalogue's category filter).
LISTED_ON = {"shop.ProductCategory": ("shop.ProductIndexPage",)}


@dataclass(frozen=True)
class PageState:
    """What other pages show of a page: where it is, its title, whether it is visible, and
    whether it is a translation or an alias standing in for one (the language selector)."""

    path: str | None
    title: str
    live: bool
    translated: bool

    @classmethod
    def of(cls, page: Page) -> "PageState":
        return cls(url_path(page), page.title, page.live, page.alias_of_id is None)

    def links(self) -> tuple:
        """What links to it show: its URL, and whether it is there, and translated."""
        return (self.path, self.live, self.translated)


def url_path(page: Page, request: HttpRequest | None = None) -> str | None:
    """The path purges name `page` by (None: it has no URL)."""
    parts = page.get_url_parts(request)
    # Wagtail gives URLs percent-encoded ("/es/gu%C3%ADa/"); requests' paths are decoded.
    return unquote(parts[2]) if parts else None


def page_change(page: Page, before: PageState | None, after: PageState | None) -> Purge:
    """A page published, unpublished, edited, moved or deleted (before/after: None = absent)."""
    own = {state.path for state in (before, after) if state and state.path}
    purge = Purge(pages=set(own))
    links_changed = before is None or after is None or before.links() != after.links()
    if links_changed or before.title != after.title:  # type: ignore[union-attr]
        purge.trees |= own  # descendants show its title and live under its URL
    if links_changed:  # its other languages' versions link to it (hreflang, language selector)
        versions = Page.objects.filter(translation_key=page.translation_key, live=True)
        purge.pages |= {path for other in versions.exclude(pk=page.pk) if (path := url_path(other))}
    return purge.update(shown_on(page, links_changed=links_changed))


def shown_on(obj: Model, links_changed: bool = True, depth: int = 2) -> Purge:
    """The pages, other than `obj`'s own, whose HTML shows something of `obj`.

    `links_changed`: for a page, whether its URL, visibility or translation state changed
    (menus and footers show only its URL). `depth`: how far to follow "shows a card of"
    (2: a category shows on its products, which show on the catalogue and on their related
    products).
    """
    purge = Purge()
    label = _label(obj)
    languages = display_languages(obj)
    if label in ON_EVERY_PAGE:
        purge.trees |= {f"/{code}/" for code in languages or _all_languages()}
        return purge
    for page_label in LISTED_ON.get(label, ()):
        showing = apps.get_model(page_label).objects.live()
        if languages is not None:
            showing = showing.filter(locale__language_code__in=languages)
        purge.pages |= {path for page in showing if (path := url_path(page))}
    if isinstance(obj, Page) and (parent := obj.get_parent()):
        purge.update(listing(parent))
    for referrer in _referrers(obj):
        if isinstance(referrer, Page):
            if languages is None or referrer.locale.language_code in languages:
                purge.pages |= {path for path in [url_path(referrer)] if path}
                if depth > 1 and not isinstance(obj, Page):
                    purge.update(shown_on(referrer, depth=depth - 1))
        elif depth > 1 and (links_changed or not isinstance(obj, Page)):
            purge.update(shown_on(referrer, depth=depth - 1).only_languages(languages))
    return purge


def listing(parent: Page) -> Purge:
    """The parent's page, when it lists its children."""
    path = url_path(parent) if parent.live else None
    if path and parent.specific_class._meta.label in LISTS_CHILDREN:
        return Purge(pages={path})
    return Purge()


def display_languages(obj: Model) -> set[str] | None:
    """Languages whose pages show this version of `obj` (None: every language).

    Its own, plus those with no live version of their own: pages there show another one.
    """
    if not isinstance(obj, TranslatableMixin):
        return None
    versions = _versions(obj)
    covered = {
        version.locale.language_code
        for version in versions
        if version.pk != obj.pk and getattr(version, "live", True)
    }
    own = Locale.objects.get(pk=obj.locale_id).language_code
    return {own} | (set(_all_languages()) - covered)


def _versions(obj: TranslatableMixin) -> list:
    model = obj.get_translation_model()
    return list(model.objects.filter(translation_key=obj.translation_key).select_related("locale"))


def _referrers(obj: Model) -> list[Model]:
    """Live pages and other objects whose content references any version of `obj`."""
    targets = _versions(obj) if isinstance(obj, TranslatableMixin) else [obj]
    rows = (
        ReferenceIndex.objects.filter(
            to_content_type=ReferenceIndex._get_base_content_type(obj),
            to_object_id__in=[str(target.pk) for target in targets],
        )
        .values_list("base_content_type_id", "object_id")
        .distinct()
    )
    ids_by_type: dict[int, set[str]] = {}
    for content_type_id, object_id in rows:
        ids_by_type.setdefault(content_type_id, set()).add(object_id)
    found: list[Model] = []
    for content_type_id, ids in ids_by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:
            continue
        objects = model._default_manager.filter(pk__in=ids)
        if issubclass(model, Page):
            objects = objects.live().select_related("locale")  # type: ignore[attr-defined]  # a PageQuerySet
        found.extend(objects)
    return found


def _label(obj: Model) -> str:
    model = obj.specific_class if isinstance(obj, Page) else type(obj)
    return model._meta.label if model else ""


def _all_languages() -> list[str]:
    return list(Locale.objects.values_list("language_code", flat=True))
