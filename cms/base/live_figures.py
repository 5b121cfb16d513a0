"""Figures computed from real data, for the pages that state them (home page, admin dashboard).

The fleet's figures come from the telemetry service's public stats endpoint
(GET /api/telemetry/stats: aggregate counts, no robot ids, no credential), read through
cms.services.client and cached briefly, so a busy page costs the service one request per
FIGURES_SECONDS. When the service cannot answer, fleet_figures() is None and the page says
nothing rather than a made-up or stale number; that outcome is cached for a shorter while,
so an outage does not make every request wait for the service's timeout.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from babel.core import UnknownLocaleError
from babel.numbers import format_decimal
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language, to_locale

from cms.services import client
from cms.services.client import TELEMETRY, ServiceError, ServiceUnavailable

log = logging.getLogger(__name__)

STATS_PATH = "/api/telemetry/stats"
FIGURES_SECONDS = 30
UNAVAILABLE_SECONDS = 10
_CACHE_KEY = "croody:live-figures:fleet:v1"
_UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class FleetFigures:
    robots_online: int
    robots_total: int
    readings_last_hour: int
    readings_today: int


def _parse(body: Any) -> FleetFigures:
    """The figures in the service's answer; ValueError when it is not the expected shape."""
    try:
        values = {
            name: body[name]
            for name in ("robots_online", "robots_total", "readings_last_hour", "readings_today")
        }
    except (KeyError, TypeError) as error:
        raise ValueError(f"unexpected stats answer: {error!r}") from None
    if not all(type(value) is int and value >= 0 for value in values.values()):
        raise ValueError("unexpected stats answer: counts must be whole numbers")
    return FleetFigures(**values)


def _fetch() -> FleetFigures | None:
    try:
        return _parse(client.get_json(TELEMETRY, STATS_PATH, None))
    except (ServiceUnavailable, ServiceError, ValueError) as error:
        log.warning("fleet figures unavailable", extra={"error": str(error)[:200]})
        return None


def fleet_figures() -> FleetFigures | None:
    """Robots online and readings counted by the telemetry service, at most FIGURES_SECONDS
    old; None when the service cannot answer."""
    cached = cache.get(_CACHE_KEY)
    if isinstance(cached, FleetFigures):
        return cached
    if cached == _UNAVAILABLE:
        return None
    figures = _fetch()
    if figures is None:
        cache.set(_CACHE_KEY, _UNAVAILABLE, UNAVAILABLE_SECONDS)
    else:
        cache.set(_CACHE_KEY, figures, FIGURES_SECONDS)
    return figures


def forget_fleet_figures() -> None:
    """Drop the cached figures (tests; after an operator fixed the service)."""
    cache.delete(_CACHE_KEY)


def format_count(number: int, language: str | None = None) -> str:
    """A count as the language writes it (CLDR, through Babel): 12.345 (es), 12,345 (en),
    12 345 (fr), 12,34,567 (hi). Django's own formats group no digits for ar, hi and zh."""
    code = to_locale(language or get_language() or settings.LANGUAGE_CODE)
    try:
        return format_decimal(number, locale=code)
    except (UnknownLocaleError, ValueError):
        return format_decimal(number, locale=to_locale(settings.LANGUAGE_CODE))
