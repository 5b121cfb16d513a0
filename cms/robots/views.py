"""Robots in the Wagtail admin.

The fleet (/admin/fleet/, staff only: other admin users get 403 and no menu item, see
wagtail_hooks.py): every robot, its owner and its latest reading, filtered by owner, status and
when it was last heard from. And the robots' listing and edit views, which
cms/accounts/wagtail_hooks.py shows in its "API access" menu next to the API keys.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import django_filters
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet

from cms.robots.forms import FleetFilterForm, RobotAdminForm
from cms.robots.models import Robot, robot_owners
from cms.robots.robot_telemetry import (
    LOW_BATTERY,
    NO_READINGS,
    ONLINE_WITHIN,
    RobotState,
    TelemetryUnavailable,
    latest_states,
)

PAGE_SIZE = 50


def can_view_fleet(user: Any) -> bool:
    return bool(user.is_active and (user.is_staff or user.is_superuser))


def _matches(state: RobotState | None, status: str, seen: str) -> bool:
    if status == NO_READINGS and state is not None:
        return False
    if status and status != NO_READINGS and (state is None or state.status != status):
        return False
    if seen == "never":
        return state is None
    if seen == "online":
        return state is not None and state.online
    if seen == "stale":
        return state is not None and not state.online
    return True


def _last_seen_order(row: dict[str, Any]) -> tuple[int, float]:
    state = row["state"]
    return (0, -state.received_at.timestamp()) if state else (1, 0.0)


class FleetView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "robots/admin/fleet.html"
    page_title = _("Robot fleet")
    header_icon = "cogs"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not can_view_fleet(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self) -> list[dict[str, str]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        params = {k: v for k, v in self.request.GET.items() if k != "page"}
        form = FleetFilterForm(params or None)
        context["form"] = form
        if form.is_bound and not form.is_valid():
            return context
        data = form.cleaned_data if form.is_bound else {}
        robots = Robot.objects.select_related("owner").order_by("name")
        if data.get("q"):
            robots = robots.search(data["q"])
        if data.get("owner"):
            robots = robots.owned_by(data["owner"])
        try:
            states = latest_states(self.request.user)
        except TelemetryUnavailable:
            states = {}
            context["error"] = _("The telemetry database is unavailable; try again shortly.")
        status, seen = data.get("status", ""), data.get("seen", "")
        rows: list[dict[str, Any]] = [
            {"robot": robot, "state": states.get(robot.robot_id)}
            for robot in robots
            if _matches(states.get(robot.robot_id), status, seen)
        ]
        rows.sort(key=_last_seen_order)  # stable: by name within equal times
        known: list[RobotState] = [row["state"] for row in rows if row["state"]]
        page = Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("page"))
        context.update(
            page=page,
            rows=page.object_list,
            page_url=f"?{urlencode(params)}&page=" if params else "?page=",
            summary={
                "robots": len(rows),
                "online": sum(state.online for state in known),
                "errors": sum(state.status == "error" for state in known),
                "low_battery": sum(state.battery < LOW_BATTERY for state in known),
                "never": len(rows) - len(known),
            },
            online_minutes=int(ONLINE_WITHIN.total_seconds() // 60),
            low_battery=LOW_BATTERY,
            now=timezone.now(),
        )
        return context


class RobotFilterSet(WagtailFilterSet):
    owner = django_filters.ModelChoiceFilter(
        label=_("Owner"), queryset=lambda request: robot_owners()
    )

    class Meta:
        model = Robot
        fields = ["owner"]


class RobotViewSet(ModelViewSet):
    model = Robot
    icon = "cogs"
    menu_label = _("Robots")
    add_to_admin_menu = False
    filterset_class = RobotFilterSet
    search_fields = ["name", "robot_id", "owner__username"]
    copy_view_enabled = False
    list_display = [
        "name",
        Column("robot_id", label=_("Robot id"), sort_key="robot_id"),
        Column("owner", label=_("Owner"), sort_key="owner__username"),
        DateColumn("created_at", label=_("Registered"), sort_key="created_at"),
    ]
    list_export = ["name", "robot_id", "owner", "created_at"]

    def get_form_class(self, for_update: bool = False) -> type[RobotAdminForm]:
        return RobotAdminForm
