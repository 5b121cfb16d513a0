from typing import Any

from django.http import HttpRequest

from cms.accounts.models import UserProfile
from cms.accounts.per_user import PerUser

ADMIN_ACCESS = "wagtailadmin.access_admin"  # what Wagtail's user bar asks


def _page_chrome(user: Any) -> dict[str, Any]:
    try:
        prefs = user.profile.preferences
    except UserProfile.DoesNotExist:
        prefs = None
    return {"prefs": prefs, "userbar": user.has_perm(ADMIN_ACCESS)}


# Dropped by cms.accounts.signals when the profile, the user or their permissions change.
PAGE_CHROME = PerUser("chrome", _page_chrome)


def preferences(request: HttpRequest) -> dict[str, object]:
    """`croody_prefs`: the signed-in user's theme and palette, None for anonymous visitors;
    `croody_userbar`: whether base.html renders Wagtail's user bar (never for site accounts,
    whose pages would otherwise ask for their permissions twice each time).

    base.html puts the preferences on <html data-theme data-palette>.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"croody_prefs": None, "croody_userbar": False}
    chrome = PAGE_CHROME.get(user)
    return {"croody_prefs": chrome["prefs"], "croody_userbar": chrome["userbar"]}
