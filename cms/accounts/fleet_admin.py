"""Staff's robot fleet in the Wagtail admin (/admin/fleet/): every robot, its owner and its
latest reading, filtered by owner, status and when it was last heard from.

Registered by cms/accounts/wagtail_hooks.py. Staff only: other admin users get 403 and no
menu item.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponseBase
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cms.accounts.models import Robot
from cms.accounts.robot_telemetry import (
    LOW_BATTERY,
    ONLINE_WITHIN,
    STATUS_LABELS,
    RobotState,
    TelemetryUnavailable,
    latest_states,
)

PAGE_SIZE = 50
NO_READINGS = "none"


def can_view_fleet(user: Any) -> bool:
    return bool(user.is_active and (user.is_staff or user.is_superuser))


class FleetFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=80, required=False)
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("Anyone"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            ("", _("Any")),
            *STATUS_LABELS.items(),
            (NO_READINGS, _("No readings yet")),
        ],
        required=False,
    )
    seen = forms.ChoiceField(
        label=_("Last seen"),
        choices=[
            ("", _("Any time")),
            ("online", _("In the last 2 minutes")),
            ("stale", _("Earlier")),
            ("never", _("Never")),
        ],
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (
            get_user_model().objects.filter(robots__isnull=False).distinct().order_by("username")
        )


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
    template_name = "accounts/admin/fleet.html"
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
            q = data["q"]
            robots = robots.filter(
                Q(name__icontains=q) | Q(robot_id__icontains=q) | Q(owner__username__icontains=q)
            )
        if data.get("owner"):
            robots = robots.filter(owner=data["owner"])
        try:
            states = latest_states(self.request.user)
        except TelemetryUnavailable:
            states = {}
            context["error"] = _("The telemetry database is unavailable; try again shortly.")
        status, seen = data.get("status", ""), data.get("seen", "")
        rows = [
            {"robot": robot, "state": states.get(robot.robot_id)}
            for robot in robots
            if _matches(states.get(robot.robot_id), status, seen)
        ]
        rows.sort(key=_last_seen_order)  # stable: by name within equal times
        known = [row["state"] for row in rows if row["state"]]
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


class FleetMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return can_view_fleet(request.user)


app_name = "fleet"
urlpatterns = [path("", FleetView.as_view(), name="index")]


def menu_item() -> FleetMenuItem:
    return FleetMenuItem(_("Robot fleet"), reverse("fleet:index"), icon_name="cogs", order=810)
