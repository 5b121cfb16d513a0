"""The Wagtail admin dashboard's panels: what an editor or an analyst needs at a glance.

- Live figures: robots online and readings in the last hour (the telemetry service's public
  figures, cms.base.live_figures), and IDS alerts in the last 24 hours (the IDS service's
  stats, read as the signed-in user; shown only to those who may open the IDS view).
- Pages awaiting translation, per language: synchronised copies of Spanish pages nobody has
  translated (aliases, or no page at all yet), translations waiting for strings, and
  translations whose Spanish source changed since it was last synchronised. Each count links
  to the list of those pages (PendingTranslationsView), where each page links to the action.

Each figure that comes from a service degrades to a message of its own when the service
cannot answer; the rest of the dashboard is unaffected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.models import Locale, Page
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail_localize.models import StringSegment, StringTranslation, Translation

from cms.base.live_figures import fleet_figures, format_count
from cms.ids_admin.access import can_view_ids
from cms.robots.views import can_view_fleet
from cms.services import client
from cms.services.client import IDS, ServiceError, ServiceUnavailable
from croody_core.fleet import ONLINE_WITHIN

IDS_STATS_PATH = "/api/ids/stats"
IDS_WINDOW = timedelta(hours=24)


# --- Live figures ------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One figure of the panel: its value as text, or why it is missing."""

    key: str
    label: str
    value: str | None = None
    detail: str = ""
    url: str = ""
    link_text: str = ""
    unavailable: str = ""


def ids_alerts_since(user: Any, since: datetime, until: datetime) -> int | None:
    """Predictions with the verdict "attack" in [since, until); None when the IDS service
    cannot answer (or refuses this user). Both ends are given: left open, the IDS stats
    follow the data."""
    params = {"since": since.isoformat(), "until": until.isoformat(), "top": 1}
    try:
        stats = client.get_json(IDS, IDS_STATS_PATH, user, params)
    except (ServiceUnavailable, ServiceError):
        return None
    attacks = stats.get("verdicts", {}).get("attack", 0) if isinstance(stats, dict) else None
    return attacks if type(attacks) is int else None


def live_figures(user: Any) -> list[Figure]:
    fleet = fleet_figures()
    fleet_url = reverse("fleet:index") if can_view_fleet(user) else ""
    telemetry_down = _("The telemetry service is not answering: no fleet figures right now.")
    minutes = int(ONLINE_WITHIN.total_seconds() // 60)
    figures = [
        Figure(
            key="robots-online",
            label=str(_("Robots online")),
            value=None if fleet is None else format_count(fleet.robots_online),
            detail=""
            if fleet is None
            else str(
                _("of %(total)s that have sent readings; heard from in the last %(minutes)s min")
                % {"total": format_count(fleet.robots_total), "minutes": minutes}
            ),
            url=f"{fleet_url}?seen=online" if fleet_url else "",
            link_text=str(_("See the robots online")),
            unavailable=str(telemetry_down),
        ),
        Figure(
            key="readings-last-hour",
            label=str(_("Readings in the last hour")),
            value=None if fleet is None else format_count(fleet.readings_last_hour),
            detail=""
            if fleet is None
            else str(_("%(count)s today (UTC)") % {"count": format_count(fleet.readings_today)}),
            unavailable=str(telemetry_down),
        ),
    ]
    if can_view_ids(user):
        # To the minute, as the IDS view's "From" field takes it: the link shows these alerts.
        now = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=1)
        since = now - IDS_WINDOW
        alerts = ids_alerts_since(user, since, now)
        figures.append(
            Figure(
                key="ids-alerts",
                label=str(_("IDS alerts in the last 24 hours")),
                value=None if alerts is None else format_count(alerts),
                detail=str(_("predictions with the verdict “attack”")),
                url=f"{reverse('ids_admin:alerts')}?verdict=attack&since={since:%Y-%m-%dT%H:%M}",
                link_text=str(_("See the alerts")),
                unavailable=str(_("The IDS service is not answering: no alert count right now.")),
            )
        )
    return figures


class LiveFiguresPanel(Component):
    name = "croody_live_figures"
    template_name = "wagtailadmin/home/croody_live_figures.html"
    order = 50

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return {"figures": live_figures((parent_context or {})["request"].user)}


# --- Pages awaiting translation ----------------------------------------------------------


def can_see_translation_backlog(user: Any) -> bool:
    """Editors: whoever may add, change or publish some page."""
    return bool(
        user.is_active
        and PagePermissionPolicy().user_has_any_permission(user, ["add", "change", "publish"])
    )


def target_locales() -> list[Locale]:
    """Every locale but the default one (Spanish), in the order of settings.LANGUAGES."""
    default = Locale.get_default()
    order = {code: index for index, (code, _name) in enumerate(settings.LANGUAGES)}
    locales = Locale.objects.exclude(pk=default.pk)
    return sorted(locales, key=lambda locale: order.get(locale.language_code, len(order)))


def untranslated_aliases(locale: Locale) -> QuerySet[Page]:
    """Pages of `locale` that only copy a page of another language (synchronised aliases)."""
    return (
        Page.objects.filter(locale=locale, alias_of__isnull=False)
        .exclude(alias_of__locale=locale)
        .select_related("alias_of", "alias_of__locale")
        .order_by("path")
    )


def missing_pages(locale: Locale) -> QuerySet[Page]:
    """Pages of the default language with no version at all, not even an alias, in `locale`."""
    return (
        Page.objects.filter(locale=Locale.get_default(), depth__gt=1)
        .exclude(translation_key__in=Page.objects.filter(locale=locale).values("translation_key"))
        .order_by("path")
    )


def _page_translations(locale: Locale) -> QuerySet[Translation]:
    """wagtail-localize translations of pages into `locale` that are in progress."""
    return (
        Translation.objects.filter(target_locale=locale, enabled=True)
        .filter(source__object_id__in=Page.objects.values("translation_key"))
        .select_related("source", "source__locale")
        .order_by("pk")
    )


def waiting_translations(locale: Locale) -> QuerySet[Translation]:
    """Translations into `locale` with a string nobody has translated yet: the definition of
    wagtail-localize's own "Waiting for translations" (its translations report)."""
    untranslated = (
        StringSegment.objects.filter(source_id=OuterRef("source_id"))
        .annotate(
            _target_locale_id=OuterRef("target_locale_id"),
            is_translated=Exists(
                StringTranslation.objects.filter(
                    translation_of_id=OuterRef("string_id"),
                    context_id=OuterRef("context_id"),
                    locale_id=OuterRef("_target_locale_id"),
                    has_error=False,
                )
            ),
        )
        .filter(is_translated=False)
    )
    return _page_translations(locale).filter(Exists(untranslated))


def outdated_translations(locale: Locale) -> QuerySet[Translation]:
    """Translations into `locale` whose source page was saved after the translation last took
    its strings (until someone runs "Sync translated pages", they miss the change)."""
    changed = Page.objects.filter(
        translation_key=OuterRef("source__object_id"),
        locale_id=OuterRef("source__locale_id"),
        latest_revision_created_at__gt=OuterRef("source__last_updated_at"),
    )
    return _page_translations(locale).filter(Exists(changed))


@dataclass
class Backlog:
    """What awaits translation in one language."""

    locale: Locale
    untranslated: int = 0
    waiting: int = 0
    outdated: int = 0
    url: str = field(default="")

    @property
    def total(self) -> int:
        return self.untranslated + self.waiting + self.outdated

    @property
    def language_name(self) -> str:
        return str(self.locale.get_display_name())

    @property
    def cells(self) -> list[tuple[str, str, int]]:
        """(anchor, formatted count, count) of each column, in order."""
        counts = [
            ("untranslated", self.untranslated),
            ("waiting", self.waiting),
            ("outdated", self.outdated),
        ]
        return [(anchor, format_count(count), count) for anchor, count in counts]


def translation_backlog() -> list[Backlog]:
    return [
        Backlog(
            locale=locale,
            untranslated=untranslated_aliases(locale).count() + missing_pages(locale).count(),
            waiting=waiting_translations(locale).count(),
            outdated=outdated_translations(locale).count(),
            url=reverse("croody_translations:pending", args=[locale.language_code]),
        )
        for locale in target_locales()
    ]


class TranslationBacklogPanel(Component):
    name = "croody_translation_backlog"
    template_name = "wagtailadmin/home/croody_translation_backlog.html"
    order = 60

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return {"backlog": translation_backlog()}


class PendingTranslationsView(WagtailAdminTemplateMixin, TemplateView):
    """/admin/translations/<language>/: the pages a language still needs, each with the link
    that acts on it."""

    template_name = "wagtailadmin/croody/pending_translations.html"
    header_icon = "site"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not can_see_translation_backlog(request.user):
            raise PermissionDenied
        locale = Locale.objects.filter(language_code=kwargs["language"]).first()
        if locale is None or locale == Locale.get_default():
            raise Http404
        self.locale = locale
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return str(
            _("Awaiting translation: %(language)s") % {"language": self.locale.get_display_name()}
        )

    def get_breadcrumbs_items(self) -> list[dict[str, str]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        waiting = list(waiting_translations(self.locale))
        outdated = list(outdated_translations(self.locale))
        keys = {translation.source.object_id for translation in waiting + outdated}
        # Each translation's source page and translated page, in one query.
        pages = {
            (page.translation_key, page.locale_id): page
            for page in Page.objects.filter(translation_key__in=keys)
        }
        context.update(
            locale=self.locale,
            aliases=list(untranslated_aliases(self.locale)),
            missing=list(missing_pages(self.locale)),
            waiting=[self._row(translation, pages) for translation in waiting],
            outdated=[self._row(translation, pages) for translation in outdated],
        )
        return context

    def _row(self, translation: Translation, pages: dict[tuple[Any, int], Page]) -> dict[str, Any]:
        key = translation.source.object_id
        return {
            "translation": translation,
            "source": pages.get((key, translation.source.locale_id)),
            "target": pages.get((key, self.locale.pk)),
        }
