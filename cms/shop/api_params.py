"""Every query parameter of /api/v2/, checked before Wagtail's filters read it: 400, never 500.

Wagtail's filters hand some values to the database unchecked: a date that is not a date, an
offset past the 64-bit range, a foreign key past SQLite's integers, a NUL byte PostgreSQL
refuses, a search operator other than and/or, a double quote that breaks SQLite's FTS5
syntax. `checked_query` is the one place they are checked, for the listing, detail and find
views alike (see `PublicAPIMixin.initial`): a bad value raises `InvalidParameter` (a 400 naming
the parameter); the query it returns, with `?search=` read as words (`search_words`, as the
catalogue's search box does), is the only one the filters and the pagination then see.

Whether a parameter is known at all stays Wagtail's check (`check_query_parameters`, listings
only); Wagtail's own checks after this one (unknown fields, `rich_text_format`, a parent page
that does not exist, a field that cannot be filtered by while searching) answer 400 too.
"""

import datetime
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.http import Http404, QueryDict
from django.utils import timezone, translation
from rest_framework.request import Request
from taggit.managers import TaggableManager
from wagtail.api.v2.filters import FieldsFilter, OrderingFilter
from wagtail.api.v2.utils import (
    BadRequestError,
    FieldsParameterParseError,
    page_models_from_string,
    parse_boolean,
    parse_fields_parameter,
)

from cms.shop.forms import MAX_QUERY_LENGTH, search_words

MAX_NAME_LENGTH = 100
MAX_VALUE_LENGTH = 1000
MAX_ID = 2**31 - 1  # page, image and document ids: PostgreSQL's `integer`
MAX_OFFSET = 2**31 - 1
MAX_FIELDS_DEPTH = 5  # ?fields=a(b(c(…))): nested serialisers, parsed recursively
SEARCH_OPERATORS = ("and", "or")
FORMATS = ("", "json")  # DRF's ?format=: JSON is the API's only renderer
# ?site=hostname[:port], as Wagtail's SiteFilterValidator splits it.
SITE = re.compile(r"(?P<hostname>[^\s:]{1,255})(?::(?P<port>[0-9]{1,5}))?")

# Field filters (?title=…, ?first_published_at=…) on these kinds of fields only; and, but for
# tags, ordering. Stream fields, JSON and reverse relations are neither filtered nor sorted by.
SCALAR_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,  # AutoField too
    models.BooleanField,
    models.DateField,  # DateTimeField too
    models.TimeField,
    models.DecimalField,
    models.FloatField,
    models.UUIDField,
    models.ForeignKey,
)


class InvalidParameter(BadRequestError):
    """A 400 about one query parameter (the error body's `details` names it)."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter

    @property
    def details(self) -> list[dict[str, Any]]:
        return [{"loc": ["query", self.parameter], "msg": str(self)}]


def check_object_id(pk: Any) -> None:
    """An object id in the path (`<int:pk>`, digits only) past MAX_ID is no object: a 404
    (SQLite refuses integers past 64 bits when the key is a page's `page_ptr_id`)."""
    if pk is not None and int(pk) > MAX_ID:
        raise Http404("not found")


def check_format(query: QueryDict) -> None:
    """?format= (read by DRF's content negotiation, before anything else) is json or nothing."""
    if query.get("format", "") not in FORMATS:
        raise InvalidParameter("format", "format must be 'json'")


def checked_query(view: Any, request: Request) -> QueryDict:
    """Check every parameter of this request to `view`; the query the filters must read."""
    query: QueryDict = request.GET
    last: dict[str, str] = {}  # the value the filters read: the last one
    for name, values in query.lists():
        _check_text(name, values)
        last[name] = values[-1] if values else ""
    model = _model(view, last)
    backends = set(view.filter_backends)
    checks = dict(COMMON_CHECKS)
    if OrderingFilter in backends:
        checks["order"] = lambda name, value: _check_order(view, model, query, value)
    if FieldsFilter in backends:
        for field_name in view.get_available_fields(model, db_fields_only=True):
            if field_name not in checks and field_name != "locale":  # ?locale: LocaleFilter's
                checks[field_name] = _field_check(model, field_name)
    for name, check in checks.items():
        if name in last:
            check(name, last[name])
    return _with_search_words(query, last["search"]) if "search" in last else query


def _check_text(name: str, values: Iterable[str]) -> None:
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidParameter(name[:MAX_NAME_LENGTH], "query parameter name is too long")
    if "\x00" in name:
        shown = name.replace("\x00", "\\x00")
        raise InvalidParameter(shown, "null characters are not allowed in parameter names")
    for value in values:
        if "\x00" in value:
            raise InvalidParameter(name, f"{name}: null characters are not allowed")
        if len(value) > MAX_VALUE_LENGTH:
            raise InvalidParameter(
                name, f"{name} is longer than {MAX_VALUE_LENGTH} characters ({len(value)})"
            )


def _model(view: Any, last: dict[str, str]) -> type[models.Model]:
    """The model the field filters apply to: the one page type of ?type=, or the view's."""
    if "type" in view.known_query_parameters and last.get("type"):
        try:
            page_models = page_models_from_string(last["type"])
        except (LookupError, ValueError) as error:
            raise InvalidParameter("type", "type doesn't exist") from error
        if len(page_models) == 1:
            return page_models[0]
    return view.model


def _natural(name: str, value: str, maximum: int) -> None:
    """A whole number from 0 to `maximum`, in ASCII digits (int() takes " 1", "+1", "1_0")."""
    if not (value.isascii() and value.isdigit()):
        raise InvalidParameter(name, f"{name} must be a positive integer")
    if int(value) > maximum:
        raise InvalidParameter(name, f"{name} cannot be higher than {maximum}")


def _page_id(name: str, value: str) -> None:
    if value != "root" or name == "ancestor_of":
        _natural(name, value, MAX_ID)


def _check_search(name: str, value: str) -> None:
    if len(value) > MAX_QUERY_LENGTH:
        raise InvalidParameter(name, f"{name} is longer than {MAX_QUERY_LENGTH} characters")


def _check_search_operator(name: str, value: str) -> None:
    if value.lower() not in SEARCH_OPERATORS:
        raise InvalidParameter(name, "search_operator must be 'and' or 'or'")


def _check_fields(name: str, value: str) -> None:
    depth = deepest = 0
    for char in value:
        depth += {"(": 1, ")": -1}.get(char, 0)
        deepest = max(deepest, depth)
    if deepest > MAX_FIELDS_DEPTH:
        raise InvalidParameter(name, f"fields error: nested deeper than {MAX_FIELDS_DEPTH}")
    try:
        parse_fields_parameter(value)
    except FieldsParameterParseError as error:
        raise InvalidParameter(name, f"fields error: {error}") from error


def _check_site(name: str, value: str) -> None:
    match = SITE.fullmatch(value)
    if value and (not match or int(match["port"] or 0) > 65535):
        raise InvalidParameter(name, "site must be a hostname, optionally with :port")


COMMON_CHECKS: dict[str, Callable[[str, str], None]] = {
    "limit": lambda name, value: _natural(name, value, settings.WAGTAILAPI_LIMIT_MAX),
    "offset": lambda name, value: _natural(name, value, MAX_OFFSET),
    "id": lambda name, value: _natural(name, value, MAX_ID),  # also find/?id=
    "child_of": _page_id,
    "descendant_of": _page_id,
    "ancestor_of": _page_id,
    "translation_of": _page_id,
    "search": _check_search,
    "search_operator": _check_search_operator,
    "fields": _check_fields,
    "site": _check_site,
}


def _database_field(model: type[models.Model], name: str) -> Any:
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _check_order(view: Any, model: type[models.Model], query: QueryDict, value: str) -> None:
    """?order=name,-name…: sortable fields (scalar database fields), or `random` alone."""
    if not value:
        return
    names = value.split(",")
    if "random" in names:
        if len(names) > 1:
            raise InvalidParameter("order", "random ordering cannot be combined with other fields")
        if "offset" in query:
            raise InvalidParameter("order", "random ordering with offset is not supported")
        return
    allowed = set(view.get_available_fields(model, db_fields_only=True))
    for name in names:
        field_name = name.removeprefix("-")
        field = _database_field(model, field_name)
        if field_name not in allowed or not isinstance(field, SCALAR_FIELDS):
            raise InvalidParameter("order", f"cannot order by '{name}' (unknown field)")


def _field_check(model: type[models.Model], name: str) -> Callable[[str, str], None]:
    field = _database_field(model, name)

    def check(name: str, value: str) -> None:
        if isinstance(field, TaggableManager):
            return  # tag names, any text
        if not isinstance(field, SCALAR_FIELDS):
            raise InvalidParameter(name, f"cannot filter by '{name}'")
        _check_field_value(field, name, value)

    return check


def _check_field_value(field: models.Field[Any, Any], name: str, value: str) -> None:
    """The value must be one the column could hold: the field's own parsing and validators,
    integers within PostgreSQL's range for the column on every database."""
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    with translation.override("en"):  # the API's messages are English, as Wagtail's are
        try:
            if isinstance(field, models.BooleanField):
                parse_boolean(value)  # what Wagtail's FieldsFilter accepts: true, false, 1, 0
                return
            python = field.to_python(value)
            if isinstance(field, models.IntegerField) and python is not None:
                ranges = BaseDatabaseOperations.integer_field_ranges
                low, high = ranges.get(field.get_internal_type(), ranges["BigIntegerField"])
                if not low <= python <= high:
                    raise ValueError(f"out of range: {low} to {high}")
            if isinstance(python, datetime.datetime):  # compared in UTC: still a date?
                aware = python if timezone.is_aware(python) else timezone.make_aware(python)
                aware.astimezone(datetime.UTC)
            field.run_validators(python)
            return
        except ValidationError as error:
            reason = "; ".join(error.messages)
        except (ValueError, OverflowError) as error:
            reason = str(error)
    raise InvalidParameter(
        name, f"field filter error. '{value}' is not a valid value for {name} ({reason})"
    )


def _with_search_words(query: QueryDict, search: str) -> QueryDict:
    """The query with ?search= as plain words: punctuation is query syntax to FTS5 (a lone
    `"` is an error) and means nothing to PostgreSQL's full-text search."""
    words = query.copy()
    words["search"] = search_words(search)
    words._mutable = False
    return words
