"""The headless API: Wagtail API v2 at /api/v2/ (pages, images, documents, products).

Read-only (every endpoint answers GET only), rate limited per client through Django's
cache, JSON only. `/api/v2/products/` filters, sorts and searches with the catalogue's
own form and QuerySet, so the page and the API always agree. Every query parameter is
checked before it reaches the database (cms/shop/api_params.py): a bad value is a 400 in
the project's error body, never a 500. /api/v2/openapi.json describes it all.
"""

from http import HTTPStatus
from typing import Any, cast

from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, URLResolver, path, re_path
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView
from wagtail.api.querysets import get_public_pages_queryset
from wagtail.api.v2.filters import (
    ChildOfFilter,
    DescendantOfFilter,
    LocaleFilter,
    TranslationOfFilter,
)
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

from cms.shop.api_params import check_format, check_object_id, checked_query
from cms.shop.api_schema import openapi_document
from cms.shop.forms import CatalogueFilterForm
from cms.shop.models import ProductCategory, ProductPage
from cms.shop.querysets import ProductQuerySet
from croody_core.errors import error_body

THROTTLE_SCOPE = "api"
# The API's own URLconf, without language prefixes (see answer_own_404s).
API_URLCONF = "cms.shop.api_urls"


def answer_own_404s(request: HttpRequest) -> None:
    """Keep LocaleMiddleware from turning the API's 404s into redirects to /es/api/v2/….

    The middleware redirects every 404 outside the language prefixes when the URLconf has
    i18n_patterns; it reads the URLconf from request.urlconf, so API requests name theirs.
    """
    request.urlconf = API_URLCONF


class APIRateThrottle(SimpleRateThrottle):
    """Requests per client address, counted in Django's cache (Redis when configured).

    The rate is read on every request (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api"]),
    not frozen at import as DRF's own throttles do, so settings overrides apply.
    """

    scope = THROTTLE_SCOPE

    def get_rate(self) -> str | None:
        # The stubs type the rates as numbers; DRF's are strings such as "60/minute".
        return cast(str | None, api_settings.DEFAULT_THROTTLE_RATES.get(self.scope))

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PublicAPIMixin:
    """JSON only, throttled, every query parameter checked (api_params), every error in the
    project's error body: `{"error": "bad_request", "message": "…", "details": […]}`."""

    renderer_classes = [JSONRenderer]
    throttle_classes = [APIRateThrottle]

    def initialize_request(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Request:
        answer_own_404s(request)
        return super().initialize_request(request, *args, **kwargs)  # type: ignore[misc]  # the view's, after it in the MRO

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        if not force:  # forced when answering an error: any renderer then, JSON
            check_format(request.query_params)
        return super().perform_content_negotiation(request, force)  # type: ignore[misc]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]  # negotiation, throttling
        if request.method in ("GET", "HEAD"):
            check_object_id(kwargs.get("pk"))
            # Wagtail's filters and pagination read request.GET: they see checked values only.
            request._request.GET = checked_query(self, request)  # type: ignore[assignment]  # an immutable QueryDict

    def handle_exception(self, exc: Exception) -> Response:
        response: Response = super().handle_exception(exc)  # type: ignore[misc]
        data = response.data if isinstance(response.data, dict) else {}
        message = str(data.get("message") or data.get("detail") or "")
        response.data = error_body(
            response.status_code,
            message or HTTPStatus(response.status_code).phrase.lower(),
            getattr(exc, "details", None),
        )
        return response


class PublicPagesAPIViewSet(PublicAPIMixin, PagesAPIViewSet):
    pass


class PublicImagesAPIViewSet(PublicAPIMixin, ImagesAPIViewSet):
    pass


class PublicDocumentsAPIViewSet(PublicAPIMixin, DocumentsAPIViewSet):
    pass


class CatalogueFilter:
    """The catalogue page's filters, sort and search (`q`, or Wagtail's usual `search`)."""

    def filter_queryset(self, request: Request, queryset: ProductQuerySet, view: APIView) -> Any:
        params = request.GET.copy()
        if "search" in params and not params.get("q"):
            params["q"] = cast(str, params["search"])
        form = CatalogueFilterForm(params, categories=ProductCategory.objects.for_active_locale())
        if not form.is_valid():
            problems = "; ".join(
                f"{field}: {' '.join(str(message) for message in messages)}"
                for field, messages in form.errors.items()
            )
            raise BadRequestError(f"invalid filter: {problems}")
        return form.apply(queryset, form.valid_filters())


class ProductsAPIViewSet(PublicPagesAPIViewSet):
    """Products only, with the catalogue's filters; every locale unless ?locale= is given."""

    model = ProductPage
    name = "products"
    filter_backends = [
        ChildOfFilter,
        DescendantOfFilter,
        TranslationOfFilter,
        LocaleFilter,
        CatalogueFilter,  # last: a search cannot be filtered further
    ]
    known_query_parameters = (
        PagesAPIViewSet.known_query_parameters - {"type", "order", "search_operator"}
    ) | set(CatalogueFilterForm.base_fields)
    listing_default_fields = [
        *PagesAPIViewSet.listing_default_fields,
        "sku",
        "price",
        "currency",
        "stock",
        "in_stock",
        "category",
        "summary",
        "thumbnail",
    ]

    def check_query_parameters(self, queryset: QuerySet[Any]) -> None:
        unknown = set(self.request.GET) - self.known_query_parameters
        if unknown:
            raise BadRequestError(
                "query parameter is not an operation or a recognised filter: "
                + ", ".join(sorted(unknown))
            )

    def get_queryset(self) -> ProductQuerySet:
        # Wagtail's rules (live, public, in the site's language trees) on the products
        # themselves: its default `pk IN (every public page)` made the database list every
        # page of the site for each request.
        try:
            public = get_public_pages_queryset(self.request, ProductPage)
        except ValueError as error:  # as PagesAPIViewSet.get_base_queryset answers it
            raise BadRequestError(str(error)) from error
        return public.select_related("category", "category__locale", "locale")


def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    answer_own_404s(request)
    return JsonResponse(
        {**error_body(404, "not found"), "endpoints": list(api_router._endpoints)}, status=404
    )


def api_openapi(request: HttpRequest) -> JsonResponse:
    """The API's OpenAPI 3 description (cms/shop/api_schema.py)."""
    return JsonResponse(openapi_document(), json_dumps_params={"indent": 1})


class CroodyAPIRouter(WagtailAPIRouter):
    def get_urlpatterns(self) -> list[URLPattern | URLResolver]:
        return [
            *super().get_urlpatterns(),
            path("openapi.json", api_openapi, name="openapi"),
            # A JSON 404 for any other path ending in "/" (those without one get the slash).
            re_path(r"^(?:.*/)?$", api_not_found),
        ]


api_router = CroodyAPIRouter("wagtailapi")
# Products first: the router links each object to the first endpoint that accepts its
# model, so a product's detail_url is /api/v2/products/<id>/ even in the pages listing.
api_router.register_endpoint("products", ProductsAPIViewSet)
api_router.register_endpoint("pages", PublicPagesAPIViewSet)
api_router.register_endpoint("images", PublicImagesAPIViewSet)
api_router.register_endpoint("documents", PublicDocumentsAPIViewSet)
