from django.http import HttpRequest

from cms.accounts.models import UserProfile


def preferences(request: HttpRequest) -> dict[str, object]:
    """`croody_prefs`: the signed-in user's theme and palette, None for anonymous visitors.

    base.html puts them on <html data-theme data-palette>.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"croody_prefs": None}
    try:
        profile = user.profile
    except UserProfile.DoesNotExist:
        return {"croody_prefs": None}
    return {"croody_prefs": profile.preferences}
