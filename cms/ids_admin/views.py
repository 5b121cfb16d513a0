"""Analyst pages in the Wagtail admin: recent alerts with a chart, and the model card."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from sqlalchemy.exc import SQLAlchemyError
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from apis.ids import store
from apis.ids.artifact import CONFUSION_MATRIX_NAME, ModelLoadError, read_metadata, sha256_bytes
from apis.ids.features import CLASSES
from apis.ids.settings import get_settings
from cms.ids_admin.access import can_view_ids
from cms.ids_admin.chart import verdict_chart
from cms.ids_admin.data import ids_engine
from cms.ids_admin.forms import AlertFilterForm

PAGE_SIZE = 50
API_PREDICTIONS = "/api/ids/predictions"


class AnalystRequiredMixin:
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not can_view_ids(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class AnalystPageMixin(AnalystRequiredMixin, WagtailAdminTemplateMixin):
    """Admin chrome with breadcrumbs ending at this page (the slim header shows them)."""

    parent_crumbs: tuple[tuple[str, str], ...] = ()  # (url name, label) between home and here

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
        values = form.values()
        filters = {k: v for k, v in params.items() if k != "cursor"} or {"verdict": "attack"}
        try:
            engine = ids_engine()
            page = store.list_predictions(
                engine, form.prediction_filter(), limit=PAGE_SIZE, cursor=params.get("cursor")
            )
            stats, bucket = store.range_stats(
                engine,
                since=values.get("since"),
                until=values.get("until"),
                source=values.get("source") or None,
            )
        except store.InvalidCursor:
            context["error"] = _("That page link is not valid; showing nothing.")
            return context
        except SQLAlchemyError:
            context["error"] = _("The IDS database is unavailable; try again shortly.")
            return context
        context.update(
            predictions=page.items,
            next_url=f"?{_query({**filters, 'cursor': page.next_cursor}, keep_empty=True)}"
            if page.next_cursor
            else None,
            csv_url=f"{API_PREDICTIONS}?{_query({**filters, 'format': 'csv'})}",
            stats=stats,
            bucket=bucket,
            chart=verdict_chart(stats.buckets, store.BUCKETS[bucket]),
            attacks=sum(b.verdicts.get("attack", 0) for b in stats.buckets),
            normal=sum(b.verdicts.get("normal", 0) for b in stats.buckets),
            since=store.from_ms(stats.since_ms),
            until=store.from_ms(stats.until_ms),
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
        for name in CLASSES
    ]


class ModelCardView(AnalystPageMixin, TemplateView):
    template_name = "ids_admin/admin/model_card.html"
    page_title = _("IDS model card")
    parent_crumbs = (("ids_admin:alerts", _("IDS alerts")),)
    header_icon = "doc-full"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        model_dir = get_settings().model_dir
        try:
            metadata = read_metadata(model_dir)
        except ModelLoadError as exc:
            context["error"] = str(exc)
            return context
        validation = metadata.get("validation", {})
        selected = validation.get("candidates", {}).get(validation.get("selected"), {})
        artifact = metadata["artifact"]
        try:
            verified = (
                sha256_bytes((model_dir / artifact["file"]).read_bytes()) == artifact["sha256"]
            )
        except OSError:
            verified = False
        schemes = [
            (_("Leave attack types out (unseen attacks)"), selected.get("leave_attack_types_out")),
            (_("Stratified 5-fold"), selected.get("stratified")),
        ]
        context.update(
            metadata=metadata,
            artifact=artifact,
            verified=verified,
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
            confusion_url=reverse("ids_admin:confusion_matrix"),
            alerts_url=reverse("ids_admin:alerts"),
        )
        return context


class ConfusionMatrixView(AnalystRequiredMixin, View):
    """The confusion-matrix picture drawn at training time (an <img>: it runs no script)."""

    def get(self, request: HttpRequest) -> FileResponse:
        path = Path(get_settings().model_dir) / CONFUSION_MATRIX_NAME
        if not path.is_file():
            raise Http404("no confusion matrix")
        return FileResponse(path.open("rb"), content_type="image/svg+xml")
