"""Content-Security-Policy with one exception: Wagtail's admin.

Wagtail's admin templates (and wagtail-localize's) still carry inline scripts, so
`/admin/` gets 'unsafe-inline' for scripts and styles, with no nonce (a nonce
would make browsers ignore 'unsafe-inline'). Still no third-party host anywhere.
"""

from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest, HttpResponseBase

ADMIN_PREFIX = "/admin/"


class CroodyCSPMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(ADMIN_PREFIX):
            parts.nonce = None
            parts.replace = {
                **(parts.replace or {}),
                "script-src": [SELF, UNSAFE_INLINE],
                "style-src": [SELF, UNSAFE_INLINE],
                "frame-ancestors": [SELF],  # the admin previews pages in an iframe
            }
        return parts
