import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils.translation import gettext_lazy as _

from cms.base.views import health
from croody_core.errors import error_body

logger = logging.getLogger(__name__)

HEALTH_PATH = "/health/"
ADMIN_PATH = "/admin/"
API_PATH = "/api/"
MACHINE_PATHS = (API_PATH, "/internal/")
RETRY_AFTER_SECONDS = 30
STORAGE_UNAVAILABLE = _(
    "The file store cannot be reached right now, so nothing was saved. "
    "Please try again in a few minutes."
)


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's, except that machine endpoints' answers are never redirected: a 404 from
    /internal/ or /api/ means "no such record", not "try /es/internal/…"."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if request.path_info.startswith(MACHINE_PATHS):
            return response
        return super().process_response(request, response)


SESSION_KEY_CHARACTERS = frozenset(VALID_KEY_CHARS)  # what Django makes session keys of


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, for whom a session cookie that is no key it could have issued means no
    session: the key is never looked up (nor cached), and the cookie is deleted.

    Keys are lower-case letters and digits; a cookie can carry anything, a NUL included
    (Django unquotes `"\\000…"`), which PostgreSQL refuses in a query: a 500 on any page.
    """

    def process_request(self, request: HttpRequest) -> None:
        key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if key is not None and not set(key) <= SESSION_KEY_CHARACTERS:
            key = None
        request.session = self.SessionStore(key)


class HealthCheckMiddleware:
    """Answers `/health/` before host validation and HTTPS redirects.

    Load balancers and container probes call it by IP address, a host that
    ALLOWED_HOSTS rightly refuses for every other URL.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == HEALTH_PATH:
            return health(request)
        return self.get_response(request)


class StorageErrorMiddleware:
    """A file store that cannot be reached (S3 down, refused credentials) is not a crash.

    Editors get a clear message instead of a 500: after a form post, back on the same page
    with the message (nothing was saved); in the admin's upload widgets, in their own JSON
    format; elsewhere a 503 with Retry-After (JSON for the APIs). The traceback is logged.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_storage_error(exception):
            return None
        logger.error("file storage unavailable", exc_info=exception, extra={"path": request.path})
        message = str(STORAGE_UNAVAILABLE)
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        if request.path.startswith(ADMIN_PATH):
            if request.headers.get("X-Requested-With") == "XMLHttpRequest":
                # Wagtail's upload widgets show `error_message` when `success` is false.
                body = {"success": False, "error_message": message, **error_body(503, message)}
                return JsonResponse(body)
            if request.method == "POST":
                messages.error(request, message)
                return HttpResponseRedirect(request.get_full_path())
        if request.path.startswith(API_PATH):
            return JsonResponse(error_body(503, message), status=503, headers=headers)
        return HttpResponse(
            message, status=503, content_type="text/plain; charset=utf-8", headers=headers
        )


def is_storage_error(exception: Exception) -> bool:
    """An S3 client error. If botocore was never imported, nothing talked to S3."""
    botocore = sys.modules.get("botocore.exceptions")
    return botocore is not None and isinstance(
        exception, (botocore.BotoCoreError, botocore.ClientError)
    )
