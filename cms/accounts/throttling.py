"""Sign-in throttling with django-axes.

Failures are counted per (username, client IP) pair: after AXES_FAILURE_LIMIT failures that
pair is locked for AXES_COOLOFF_TIME, a correct password included, and the visitor sees
accounts/locked_out.html (HTTP 429). This covers the site's sign-in and Wagtail's admin alike.
"""

from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off, get_failure_limit
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class LoginThrottleBackend(AxesStandaloneBackend):
    """Axes' lock check for every authentication that comes with a request.

    Axes refuses calls without a request (the test client's `login()`, scripts); those come
    from code on the server rather than from a visitor, so there is nothing to throttle and
    the next backend decides.
    """

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> Any:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR only: observability.client_address already took it from the right end of
    X-Forwarded-For (TRUSTED_PROXIES), so a client cannot pick its own by sending the header."""
    return request.META.get("REMOTE_ADDR")


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """The page shown while locked: HTTP 429 with how long the pause lasts."""
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else 0
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": minutes,
    }
    return render(request, "accounts/locked_out.html", context, status=429)
