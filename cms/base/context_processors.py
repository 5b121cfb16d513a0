from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from cms.base.locales import localize_all
from cms.base.models import NavigationMenu, SiteFooter


def _with_links_resolved(find: Callable[[], Any], *fields: str) -> Callable[[], Any]:
    """The snippet `find` returns, its links' pages resolved to the visitor's language at once."""

    def resolved() -> Any:
        snippet = find()
        if snippet is not None:
            pages = (
                block.value.get("page") for field in fields for block in getattr(snippet, field)
            )
            localize_all(page for page in pages if page is not None)
        return snippet

    return resolved


def site_chrome(request: HttpRequest) -> dict[str, object]:
    """Header navigation and footer in the visitor's language, queried only when rendered."""
    return {
        "navigation_menu": SimpleLazyObject(
            _with_links_resolved(NavigationMenu.objects.for_active_locale, "items")
        ),
        "site_footer": SimpleLazyObject(
            _with_links_resolved(SiteFooter.objects.for_active_locale, "links")
        ),
    }
