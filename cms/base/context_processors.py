from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from cms.base.models import NavigationMenu, SiteFooter


def site_chrome(request: HttpRequest) -> dict[str, object]:
    """Header navigation and footer in the visitor's language, queried only when rendered."""
    return {
        "navigation_menu": SimpleLazyObject(NavigationMenu.objects.for_active_locale),
        "site_footer": SimpleLazyObject(SiteFooter.objects.for_active_locale),
    }
