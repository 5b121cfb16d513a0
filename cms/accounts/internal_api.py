"""The CMS's internal API: the services ask it who holds a key (croody_core.introspection).

Mounted at /internal/, outside the language prefixes; the public gateways (nginx, the ALB)
refuse that path, and every request must carry INTERNAL_API_SECRET. Answers are never cached.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cms.accounts.models import ApiKey, owner_record
from cms.services.credentials import internal_secret
from croody_core import keys
from croody_core.errors import error_body
from croody_core.introspection import authorized


def _refusal(request: HttpRequest) -> JsonResponse | None:
    if authorized(request.headers.get("Authorization"), internal_secret()):
        return None
    return JsonResponse(
        error_body(401, "Present INTERNAL_API_SECRET as a Bearer token."),
        status=401,
        headers={"WWW-Authenticate": "Bearer"},
    )


def _not_found(what: str) -> JsonResponse:
    return JsonResponse(error_body(404, f"No {what}."), status=404)


@never_cache
@require_GET
def key_record(request: HttpRequest, prefix: str) -> JsonResponse:
    """The key with this prefix, for a service verifying it; its use is recorded."""
    if refusal := _refusal(request):
        return refusal
    api_key = (
        ApiKey.objects.for_introspection().filter(prefix=prefix).first()
        if keys.is_prefix(prefix)  # NUL and the like never reach the database
        else None
    )
    if api_key is None:
        return _not_found("key with this prefix")
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=timezone.now())
    return JsonResponse(api_key.introspection_record().to_json())


@never_cache
@require_GET
def user_record(request: HttpRequest, user_id: int) -> JsonResponse:
    """A user's standing and robots, for a service serving their signed-in session."""
    if refusal := _refusal(request):
        return refusal
    record = owner_record(user_id)
    if record is None:
        return _not_found("such user")
    return JsonResponse(record.to_json())


app_name = "internal"
urlpatterns = [
    path("keys/<str:prefix>/", key_record, name="key"),
    path("users/<int:user_id>/", user_record, name="user"),
]
