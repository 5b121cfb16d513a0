from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from cms.base.views import health

HEALTH_PATH = "/health/"


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
