"""Analyst pages in the Wagtail admin: recent alerts with a chart, and the model card.

Read through the IDS API as the signed-in analyst (cms.services.client): the service's own
scopes decide, and the CMS never opens the IDS database or loads the model."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cms.ids_admin.access import can_view_ids
from cms.ids_admin.chart import ChartBucket, verdict_chart
from cms.ids_admin.forms import CATEGORIES, AlertFilterForm
from cms.services import client
from cms.services.client import IDS, ServiceError, ServiceUnavailable

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PAGE_SIZE = 50
API_PREDICTIONS = "/api/ids/predictions"
API_STATS = "/api/ids/stats"
API_MODEL = "/api/ids/model"
API_CONFUSION_MATRIX = "/api/ids/model/confusion-matrix.svg"


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _prediction(item: dict[str, Any]) -> dict[str, Any]:
    return {**item, "created_at": _when(item["created_at"])}


class AnalystRequiredMixin:
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not can_view_ids(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class AnalystPageMixin(AnalystRequiredMixin, WagtailAdminTemplateMixin):
    """Admin chrome with breadcrumbs ending at this page (the slim header shows them)."""

    # (url name, label) between home and here
    parent_crumbs: tuple[tuple[str, StrOrPromise], ...] = ()

    def get_breadcrumbs_items(self) -> list[dict[str, str]]:
        return [
            *self.breadcrumbs_items,
            *({"url": reverse(name), "label": label} for name, label in self.parent_crumbs),
            {"url": "", "label": self.get_page_title()},
        ]


def _query(params: dict[str, Any], *, keep_empty: bool = False) -> str:
    # Page links keep an empty verdict ("All"); the API wants absent parameters instead.
    return urlencode({k: v for k, v in params.items() if keep_empty or v not in (None, "")})


class AlertsView(AnalystPageMixin, TemplateView):
    template_name = "ids_admin/admin/alerts.html"
    page_title = _("IDS alerts")
    header_icon = "warning"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        form = AlertFilterForm({k: v for k, v in params.items() if k != "cursor"} or None)
        context.update(form=form, model_card_url=reverse("ids_admin:model"))
        if form.is_bound and not form.is_valid():
            return context
        filters = {k: v for k, v in params.items() if k != "cursor"} or {"verdict": "attack"}
        user = self.request.user
        try:
            page = client.get_json(
                IDS,
                API_PREDICTIONS,
                user,
                {**form.prediction_params(), "limit": PAGE_SIZE, "cursor": params.get("cursor")},
            )
            stats = client.get_json(
                IDS, API_STATS, user, {**form.time_range(), "source": form.values().get("source")}
            )
        except ServiceError as error:
            invalid_cursor = any(
                "cursor" in str(detail.get("loc", "")) for detail in error.body.get("details", [])
            ) or "cursor" in error.body.get("message", "")
            context["error"] = (
                _("That page link is not valid; showing nothing.")
                if invalid_cursor
                else error.body.get("message")
            )
            return context
        except ServiceUnavailable:
            context["error"] = _("The IDS database is unavailable; try again shortly.")
            return context
        buckets = [
            ChartBucket(
                start_ms=int(_when(b["start"]).timestamp() * 1000),
                total=b["total"],
                verdicts=b["verdicts"],
            )
            for b in stats["buckets"]
        ]
        context.update(
            predictions=[_prediction(item) for item in page["items"]],
            next_url=f"?{_query({**filters, 'cursor': page['next_cursor']}, keep_empty=True)}"
            if page["next_cursor"]
            else None,
            csv_url=f"{API_PREDICTIONS}?{_query({**filters, 'format': 'csv'})}",
            stats=stats,
            bucket=stats["bucket"],
            chart=verdict_chart(buckets, stats["bucket_seconds"]),
            attacks=stats["verdicts"].get("attack", 0),
            normal=stats["verdicts"].get("normal", 0),
            since=_when(stats["since"]),
            until=_when(stats["until"]),
        )
        return context


def _scheme_rows(scheme: dict[str, Any]) -> list[dict[str, Any]]:
    per_class = scheme.get("per_class", {})
    by_category = scheme.get("detection_rate_by_category", {})
    return [
        {
            "name": name,
            **per_class.get(name, {}),
            "detection_rate": by_category.get(name),
        }
        for name in CATEGORIES
    ]


class ModelCardView(AnalystPageMixin, TemplateView):
    template_name = "ids_admin/admin/model_card.html"
    page_title = _("IDS model card")
    parent_crumbs = (("ids_admin:alerts", _("IDS alerts")),)
    header_icon = "doc-full"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        try:
            metadata = client.get_json(IDS, API_MODEL, self.request.user)
        except (ServiceUnavailable, ServiceError) as error:
            # E.g. an artifact that does not match its recorded hash: the service refuses it.
            context["error"] = _("The model is not in service: %(reason)s") % {"reason": error}
            return context
        validation = metadata.get("validation", {})
        selected = validation.get("candidates", {}).get(validation.get("selected"), {})
        artifact = metadata["artifact"]
        schemes = [
            (_("Leave attack types out (unseen attacks)"), selected.get("leave_attack_types_out")),
            (_("Stratified 5-fold"), selected.get("stratified")),
        ]
        context.update(
            metadata=metadata,
            artifact=artifact,
            validation=validation,
            schemes=[
                {"title": title, "summary": scheme, "rows": _scheme_rows(scheme)}
                for title, scheme in schemes
                if scheme
            ],
            candidates=[
                {"name": name, **values}
                for name, values in validation.get("candidates", {}).items()
            ],
            confusion_url=API_CONFUSION_MATRIX,
            alerts_url=reverse("ids_admin:alerts"),
        )
        return context
