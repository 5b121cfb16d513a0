"""The OpenAPI 3 description of /api/v2/, served at /api/v2/openapi.json.

Built from the endpoints themselves: each listing's known query parameters, the field filters
Wagtail accepts (the database fields of its `api_fields`, of every page type for `pages/`), the
catalogue form's fields for `products/`, and the limits cms/shop/api_params.py enforces. The fuzz
tests (tests/shop/test_api_fuzz.py) generate their requests from it.
"""

from decimal import Decimal
from functools import cache
from typing import Any, cast

from django import forms
from django.conf import settings
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from taggit.managers import TaggableManager
from wagtail.api.rich_text import APIRichText
from wagtail.api.v2.filters import FieldsFilter
from wagtail.models import Page, get_page_models

from cms.shop.api_params import (
    MAX_ID,
    MAX_OFFSET,
    MAX_VALUE_LENGTH,
    SCALAR_FIELDS,
    SEARCH_OPERATORS,
)
from cms.shop.forms import MAX_QUERY_LENGTH, CatalogueFilterForm

PAGE_ID = {"type": "integer", "minimum": 0, "maximum": MAX_ID}
PAGE_ID_DESCRIPTION = "A page id, or `root` (the site's root page)."
TEXT = {"type": "string", "maxLength": MAX_VALUE_LENGTH}

ERROR_BODY = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string", "description": "Machine-readable: bad_request, not_found…"},
        "message": {"type": "string"},
        "details": {
            "type": "array",
            "description": "The parameter at fault: {loc: ['query', name], msg}.",
            "items": {"type": "object"},
        },
    },
}


def _parameter_schemas() -> dict[str, tuple[dict[str, Any], str]]:
    """The operations' parameters, as api_params checks them: name -> (schema, description)."""
    page_types = sorted(f"{m._meta.app_label}.{m.__name__}" for m in get_page_models())
    return {
        "limit": (
            {"type": "integer", "minimum": 0, "maximum": settings.WAGTAILAPI_LIMIT_MAX},
            "Items per page.",
        ),
        "offset": ({"type": "integer", "minimum": 0, "maximum": MAX_OFFSET}, "Items to skip."),
        "fields": (
            TEXT,
            "Fields to add or (with `-`) remove: `title,-slug`, `*`, `_,id`, `category(*)`.",
        ),
        "order": (TEXT, "Database fields, `-` for descending, comma-separated; or `random`."),
        "search": (
            {"type": "string", "maxLength": MAX_QUERY_LENGTH},
            "Full-text search; punctuation is ignored.",
        ),
        "search_operator": ({"type": "string", "enum": list(SEARCH_OPERATORS)}, ""),
        "rich_text_format": (
            {"type": "string", "enum": sorted(APIRichText._serializers())},
            "How rich text fields are rendered.",
        ),
        "format": ({"type": "string", "enum": ["json"]}, "JSON is the only format."),
        "_": (TEXT, "Ignored (cache busting)."),
        "type": (
            {"type": "string", "enum": page_types},
            "Page types, `app_label.Model`, comma-separated.",
        ),
        "child_of": (PAGE_ID, PAGE_ID_DESCRIPTION),
        "descendant_of": (PAGE_ID, PAGE_ID_DESCRIPTION),
        "translation_of": (PAGE_ID, PAGE_ID_DESCRIPTION),
        "ancestor_of": (PAGE_ID, "A page id."),
        "locale": (
            {"type": "string", "enum": [code for code, _name in settings.LANGUAGES]},
            "A language code; an unknown one is a 404.",
        ),
        "site": (TEXT, "A site's hostname, optionally with `:port`."),
        "html_path": (TEXT, "A page's path on the site, such as `/es/tienda/`."),
        "id": ({"type": "integer", "minimum": 0, "maximum": MAX_ID}, ""),
    }


def _field_schema(field: Any) -> dict[str, Any] | None:
    """The schema of a field filter's value (None: the field cannot be filtered by)."""
    if isinstance(field, TaggableManager):
        return {**TEXT, "description": "A tag name; several, comma-separated, all apply."}
    if not isinstance(field, SCALAR_FIELDS):
        return None
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    if isinstance(field, models.BooleanField):
        return {"type": "boolean"}
    if isinstance(field, models.IntegerField):
        ranges = BaseDatabaseOperations.integer_field_ranges
        low, high = ranges.get(field.get_internal_type(), ranges["BigIntegerField"])
        return {"type": "integer", "minimum": low, "maximum": high}
    if isinstance(field, models.DateTimeField):
        return {"type": "string", "format": "date-time"}
    if isinstance(field, models.DateField):
        return {"type": "string", "format": "date"}
    if isinstance(field, (models.DecimalField, models.FloatField)):
        return {"type": "number"}
    if isinstance(field, models.CharField) and field.max_length:
        return {"type": "string", "maxLength": field.max_length}
    return dict(TEXT)


def _field_filters(endpoint: Any) -> dict[str, dict[str, Any]]:
    """Wagtail's field filters (FieldsFilter): name -> schema, for every model they apply to."""
    if FieldsFilter not in endpoint.filter_backends:
        return {}
    filters: dict[str, dict[str, Any]] = {}
    page_types = get_page_models() if issubclass(endpoint.model, Page) else []
    for model in [endpoint.model, *page_types]:  # ?type=shop.ProductPage&sku=…
        for name in endpoint.get_available_fields(model, db_fields_only=True):
            if name in filters or name == "locale":
                continue
            schema = _field_schema(model._meta.get_field(name))
            if schema is not None:
                filters[name] = schema
    return filters


def _form_field_schema(field: forms.Field) -> dict[str, Any]:
    if isinstance(field, forms.DecimalField):
        bounds = {"minimum": field.min_value, "maximum": field.max_value}
        return {
            "type": "number",
            **{
                key: float(cast(Decimal, value))
                for key, value in bounds.items()
                if value is not None
            },
        }
    if isinstance(field, forms.ChoiceField) and field.choices:
        choices = cast(list[tuple[str, Any]], field.choices)
        return {"type": "string", "enum": [value for value, _label in choices]}
    max_length = getattr(field, "max_length", None) or MAX_VALUE_LENGTH
    return {"type": "string", "maxLength": max_length}


def _catalogue_filters() -> dict[str, dict[str, Any]]:
    form = CatalogueFilterForm()
    schemas = {name: _form_field_schema(field) for name, field in form.fields.items()}
    schemas["category"] = {"type": "string", "maxLength": 255, "description": "A slug."}
    return schemas


def _query(name: str, schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    parameter = {"name": name, "in": "query", "required": False, "schema": schema}
    if description:
        parameter["description"] = description
    return parameter


def _responses(*statuses: int, ok: str = "The answer.") -> dict[str, Any]:
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    descriptions = {400: "A bad parameter.", 404: "Not found.", 429: "Over the rate limit."}
    answers: dict[str, Any] = {}
    for status in statuses:
        if status == 200:
            answers["200"] = {
                "description": ok,
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        elif status == 302:
            answers["302"] = {"description": "Redirects to the object's detail URL."}
        else:
            answers[str(status)] = {"description": descriptions[status], **error}
    return answers


def _operations(name: str, endpoint: Any) -> dict[str, Any]:
    common = _parameter_schemas()
    listing: list[dict[str, Any]] = []
    extra = _catalogue_filters() if name == "products" else {}
    for parameter in sorted(endpoint.known_query_parameters):
        if parameter in common:
            listing.append(_query(parameter, *common[parameter]))
        elif parameter in extra:
            listing.append(_query(parameter, extra[parameter]))
    for field, schema in _field_filters(endpoint).items():  # ?id= is an id, as in find/
        listing.append(_query(field, *common[field]) if field in common else _query(field, schema))
    output = [_query(p, *common[p]) for p in ("fields", "rich_text_format", "format")]
    find = [_query(p, *common[p]) for p in sorted(endpoint.find_query_parameters)]
    base = f"/api/v2/{name}/"
    return {
        base: {
            "get": {
                "operationId": f"{name}_listing",
                "summary": f"List {name}",
                "parameters": listing,
                "responses": _responses(200, 400, 404, 429, ok="`meta.total_count`, `items`."),
            }
        },
        base + "{id}/": {
            "get": {
                "operationId": f"{name}_detail",
                "summary": f"One of the {name}",
                "parameters": [
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID},
                    },
                    *output,
                ],
                "responses": _responses(200, 400, 404, 429),
            }
        },
        base + "find/": {
            "get": {
                "operationId": f"{name}_find",
                "summary": f"Find one of the {name}: a redirect to its detail URL",
                "parameters": [*find, *output],
                "responses": _responses(302, 400, 404, 429),
            }
        },
    }


@cache
def openapi_document() -> dict[str, Any]:
    from cms.shop.api import api_router  # the endpoints import this module

    paths: dict[str, Any] = {}
    for name, endpoint in api_router._endpoints.items():
        paths.update(_operations(name, endpoint))
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Croody headless API",
            "version": "2",
            "description": (
                "Wagtail API v2, read-only. A bad query parameter is a 400 with "
                '`{"error": "bad_request", "message": …, "details": [{"loc": ["query", name], '
                '"msg": …}]}`; see docs/shop.md.'
            ),
        },
        "paths": paths,
        "components": {"schemas": {"Error": ERROR_BODY}},
    }
