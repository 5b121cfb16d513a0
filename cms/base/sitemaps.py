from django.db.models import Q
from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page, PageQuerySet


class LocalizedSitemap(Sitemap):
    """Wagtail's sitemap covers the site root's tree only; ours adds every language's tree.

    Aliases are left out: one stands in for a page not translated yet and only repeats
    the Spanish original (its canonical link points there)."""

    def items(self) -> PageQuerySet:
        roots = self.get_wagtail_site().root_page.get_translations(inclusive=True)
        in_any_tree = Q()
        for root in roots:
            in_any_tree |= Q(path__startswith=root.path)
        return (
            Page.objects.live()
            .public()
            .filter(in_any_tree, alias_of__isnull=True)
            .order_by("path")
            .defer_streamfields()
            .specific()
        )
