"""Croody's admin: its branding stylesheet, the dashboard panels and their translation list."""

from typing import Any

from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import URLPattern, URLResolver, include, path
from django.utils.html import format_html
from django.utils.safestring import SafeString
from wagtail import hooks

from cms.base import dashboard

app_name = "croody_translations"
urlpatterns = [
    path("<str:language>/", dashboard.PendingTranslationsView.as_view(), name="pending"),
]


@hooks.register("register_admin_urls")
def register_translation_urls() -> list[URLPattern | URLResolver]:
    return [path("translations/", include((urlpatterns, app_name), namespace=app_name))]


@hooks.register("insert_global_admin_css")
def croody_admin_css() -> SafeString:
    return format_html('<link rel="stylesheet" href="{}">', static("base/admin.css"))


@hooks.register("construct_homepage_panels")
def croody_dashboard_panels(request: HttpRequest, panels: list[Any]) -> None:
    """First on the dashboard, before Wagtail's own (moderation, recent edits, locks)."""
    ours: list[Any] = [dashboard.LiveFiguresPanel()]
    if dashboard.can_see_translation_backlog(request.user):
        ours.append(dashboard.TranslationBacklogPanel())
    panels[0:0] = ours
