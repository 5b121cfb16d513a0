from django.conf import settings
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseForbidden,
    HttpResponseRedirect,
    JsonResponse,
)
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language, get_language_from_request
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST, require_safe
from wagtail.models import Locale, Page

from cms.accounts.models import UserProfile
from cms.base.health import run_checks
from cms.base.language_switch import carried_query, switch_params
from cms.base.site_url import absolute_url

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}
MAX_ID_DIGITS = 9  # page ids fit a 32-bit integer column on every database


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Database, cache, storage and disk: 200 when all pass, 503 when any fails."""
    results = run_checks()
    healthy = all(result.ok for result in results.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "error",
            "checks": {name: result.as_dict() for name, result in results.items()},
        },
        status=200 if healthy else 503,
    )


class _CsrfCheck(CsrfViewMiddleware):
    """CsrfViewMiddleware's own checks (Origin, Referer over HTTPS, the token), as a yes or
    no: like Django's requires_csrf_token, a failure renders no 403 page and logs nothing."""

    def _reject(self, request: HttpRequest, reason: str) -> HttpResponseBase:
        return HttpResponseForbidden(reason)


def passes_csrf_check(request: HttpRequest) -> bool:
    """Whether this request would pass CsrfViewMiddleware, for a view that is exempt."""
    check = _CsrfCheck(_unprotected_view)
    return check.process_view(request, _unprotected_view, (), {}) is None


def _unprotected_view(request: HttpRequest) -> HttpResponse:
    """Stands for the view in passes_csrf_check: one with no csrf_exempt mark."""
    return HttpResponse()


@csrf_exempt  # anonymous visitors: cached pages carry no token (see below)
@require_POST
def switch_language(request: HttpRequest) -> HttpResponseRedirect:
    """The language selector's target (a plain form, so it works without JavaScript).

    Goes to the same page in the chosen language (the Spanish original with a notice while
    it is not translated), or that language's home page when the page has no version
    there at all. The page's state travels with it: `query` (the query string the page was
    shown with) keeps the parameters the target page's type declares, re-encoded (see
    cms.base.language_switch), so a catalogue keeps its search, filters, sort and page.
    The redirect always stays on this site. The choice is remembered in the language
    cookie and, for a signed-in user, in the profile.

    The view is CSRF-exempt so that the selector works from cached pages, which are
    anonymous and carry no token: another site can at most set a visitor's language cookie.
    The profile is the user's data, so it changes only when the request passes Django's CSRF
    checks (signed-in users are never served cached pages: their selector has a token).
    """
    code = request.POST.get("language", "")
    if not check_for_language(code) or code not in LANGUAGE_CODES:
        code = settings.LANGUAGE_CODE
    destination = _destination(request, code)
    # The profile follows the choice, on every device.
    if request.user.is_authenticated and passes_csrf_check(request):
        UserProfile.objects.filter(user=request.user).update(language=code)
    response = HttpResponseRedirect(destination)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]  # stubs: a str setting
        secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
        httponly=False,  # language-selector.js reads it
    )
    return response


@never_cache
@require_safe
def language_root(request: HttpRequest) -> HttpResponseRedirect:
    """`/`: to the signed-in user's profile language, else the language cookie, then the
    browser's Accept-Language, then Spanish (what LocaleMiddleware does for the rest)."""
    code = ""
    if request.user.is_authenticated:
        code = (
            UserProfile.objects.filter(user=request.user).values_list("language", flat=True).first()
            or ""
        )
    if code not in LANGUAGE_CODES:
        code = get_language_from_request(request)
    query = request.META.get("QUERY_STRING", "")
    response = HttpResponseRedirect(f"/{code}/" + (f"?{query}" if query else ""))
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    return response


def _destination(request: HttpRequest, code: str) -> str:
    """The shown page's version in `code` with the state it carries, else `code`'s home."""
    home = f"/{code}/"
    translation = _translation(request.POST.get("page", ""), code)
    if translation is None or not translation.url:
        return home
    query = carried_query(request.POST.get("query", ""), switch_params(translation))
    destination = f"{translation.url}?{query}" if query else translation.url
    # Page URLs are paths on this site; anything else (another site's host) goes home.
    if not url_has_allowed_host_and_scheme(destination, allowed_hosts={request.get_host()}):
        return home
    return destination


def _translation(page_id: str, code: str) -> Page | None:
    """The live version in `code` (a translation or its alias) of the page with this id."""
    if not (page_id.isascii() and page_id.isdigit() and len(page_id) <= MAX_ID_DIGITS):
        return None  # "²" is a digit to isdigit() but not to int(); huge ids overflow
    page = Page.objects.filter(pk=int(page_id)).first()
    locale = Locale.objects.filter(language_code=code).first()
    if page is None or locale is None:
        return None
    translation = page.get_translation_or_none(locale)
    if translation is None or not translation.live:
        return None
    return translation


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawlers may read every page; the admin, the APIs and accounts are not for them."""
    sitemap = absolute_url(reverse("sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/",
        "Disallow: /*/account/",
        "Allow: /",
        f"Sitemap: {sitemap}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
