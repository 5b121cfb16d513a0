"""Analyst pages in the Wagtail admin: alerts with counters, a chart and triage; one
prediction with what drove its score; the model card.

Read and written through the IDS API as the signed-in analyst (cms.services.client): the
service's own scopes decide, and the CMS never opens the IDS database or loads the model."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    QueryDict,
)
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cms.ids_admin.access import can_view_ids
from cms.ids_admin.chart import COMPACT, WIDE, ChartBucket, bar_summary, localized, verdict_chart
from cms.ids_admin.forms import (
    CATEGORIES,
    LABELS,
    AlertFilterForm,
    BulkTriageForm,
    ModelActionForm,
    TriageForm,
)
from cms.services import client
from cms.services.client import IDS, ServiceError, ServiceUnavailable

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PAGE_SIZE = 50
API_PREDICTIONS = "/api/ids/predictions"
API_STATS = "/api/ids/stats"
API_TRIAGE = "/api/ids/triage"
API_MODEL = "/api/ids/model"
API_PRECISION = "/api/ids/model/precision"
API_CONFUSION_MATRIX = "/api/ids/model/confusion-matrix.svg"
API_MODELS = "/api/ids/models"
# Query parameters of the list that are not filters: where the page starts.
PAGING = ("cursor", "start")


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text)


class ForbiddenView(WagtailAdminTemplateMixin, TemplateView):
    """What an admin user outside the analysts sees: a 403 page in the admin's chrome."""

    template_name = "ids_admin/admin/forbidden.html"
    page_title = gettext_lazy("IDS analysts only")
    header_icon = "warning"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(), status=403)

    post = get


class AnalystRequiredMixin:
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not can_view_ids(request.user):
            # A real 403 (logged as a refusal), not Wagtail's redirect to the dashboard.
            return ForbiddenView.as_view()(request)
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


def _labellers(items: Iterable[dict[str, Any]]) -> dict[int, str]:
    """The CMS's names for the users who labelled these predictions (the API knows ids)."""
    ids = {
        item["triage"]["labelled_by_user_id"]
        for item in items
        if item.get("triage") and item["triage"].get("labelled_by_user_id")
    }
    users = get_user_model().objects.filter(pk__in=ids)
    return {user.pk: user.get_full_name() or user.get_username() for user in users}


def _prediction(item: dict[str, Any], names: dict[int, str]) -> dict[str, Any]:
    """An API prediction for a template: times parsed, the label named, who set it."""
    triage = item.get("triage")
    if triage:
        triage = {
            **triage,
            "label_name": LABELS.get(triage["label"], triage["label"]),
            "labelled_at": _when(triage["labelled_at"]),
            "by": names.get(triage.get("labelled_by_user_id") or 0) or triage["labelled_by"],
        }
    return {**item, "created_at": _when(item["created_at"]), "triage": triage}


def _service_message(error: ServiceError | ServiceUnavailable) -> str:
    if isinstance(error, ServiceUnavailable):
        return _("The IDS service is unavailable; try again shortly.")
    return _("The IDS service refused this: %(reason)s") % {"reason": error.body.get("message", "")}


def _triage_saved(request: HttpRequest, count: int, body: dict[str, Any]) -> None:
    if body["label"] is None:
        text = _("Predictions whose label was removed: %(count)s.")
    else:
        text = _("Predictions marked “%(label)s”: %(count)s.")
    messages.success(
        request, text % {"count": localized(count), "label": LABELS.get(body["label"], "")}
    )


def _bulk_error(form: BulkTriageForm, error: ServiceError | ServiceUnavailable) -> None:
    """The API's refusal on the selection's field when it is about the ids."""
    if isinstance(error, ServiceError) and error.status == 404:
        missing: list[int] = next(
            (d.get("ids", []) for d in error.body.get("details", []) if d.get("type")), []
        )
        form.add_error(
            "ids",
            _("These predictions do not exist; nothing was changed: %(ids)s")
            % {"ids": ", ".join(str(i) for i in missing)},
        )
    else:
        form.add_error(None, _service_message(error))


class AlertsView(AnalystPageMixin, TemplateView):
    """The filtered list, counters and chart; POST labels the ticked predictions."""

    template_name = "ids_admin/admin/alerts.html"
    page_title = gettext_lazy("IDS alerts")
    header_icon = "warning"

    def post(self, request: HttpRequest) -> HttpResponse:
        form = BulkTriageForm(request.POST)
        if form.is_valid():
            body = form.body()
            try:
                answer = client.send_json(IDS, "POST", API_TRIAGE, request.user, body)
            except (ServiceError, ServiceUnavailable) as error:
                _bulk_error(form, error)
            else:
                _triage_saved(request, answer["updated"], body)
                # Back to the same filters and page (a GET: reloading does not post again).
                return HttpResponseRedirect(f"{request.path}?{request.GET.urlencode()}")
        return self.render_to_response(self.get_context_data(triage_form=form))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        filters = {k: v for k, v in params.items() if k not in PAGING}
        form = AlertFilterForm(filters or None)
        triage_form = context.setdefault("triage_form", BulkTriageForm())
        context.update(
            form=form,
            # Ticked boxes stay ticked when the triage form comes back with an error.
            selected=set(triage_form.data.getlist("ids")) if triage_form.is_bound else set(),
            model_card_url=reverse("ids_admin:model"),
            labels=LABELS,
            list_query=params.urlencode(),
        )
        if form.is_bound and not form.is_valid():
            return context
        filters = filters or {"verdict": "attack"}
        api_filters = form.prediction_params()
        user = self.request.user
        try:
            page = client.get_json(
                IDS,
                API_PREDICTIONS,
                user,
                {**api_filters, "limit": PAGE_SIZE, "cursor": params.get("cursor")},
            )
            stats = client.get_json(IDS, API_STATS, user, api_filters)
            precision = client.get_json(
                IDS,
                API_PRECISION,
                user,
                {**form.time_range(), "source": api_filters["source"]},
            )
        except ServiceError as error:
            self._explain_refusal(form, error, context)
            return context
        except ServiceUnavailable:
            context["error"] = _("The IDS database is unavailable; try again shortly.")
            return context
        context.update(
            self._page(page, filters),
            **self._overview(stats, filters),
            precision=_precision_rows(precision),
            csv_url=f"{API_PREDICTIONS}?{_query({**api_filters, 'format': 'csv'})}",
        )
        return context

    def _explain_refusal(
        self, form: AlertFilterForm, error: ServiceError, context: dict[str, Any]
    ) -> None:
        """A refused filter goes on its field, a refused cursor says the link is stale."""
        details = error.body.get("details", [])
        fields = {str(d.get("loc", ["", ""])[-1]) for d in details if d.get("loc")}
        if "cursor" in fields or "cursor" in error.body.get("message", ""):
            context["error"] = _("That page link is not valid; showing nothing.")
            return
        placed = False
        for name in fields & set(form.fields):
            form.add_error(name, _("The IDS service does not accept this value."))
            placed = True
        if not placed:
            context["error"] = _service_message(error)

    def _page(self, page: dict[str, Any], filters: dict[str, Any]) -> dict[str, Any]:
        """This page of predictions, its place among the matches, links both ways."""
        items = page["items"]
        names = _labellers(items)
        total: int = page["total"]
        try:
            start = max(int(self.request.GET.get("start", "0")), 0)
        except ValueError:
            start = 0
        if not page.get("prev_cursor"):
            start = 0  # the newest page, whatever the link said
        start = min(start, max(total - len(items), 0))

        def link(cursor: str | None, at: int) -> str | None:
            if not cursor:
                return None
            return f"?{_query({**filters, 'cursor': cursor, 'start': at}, keep_empty=True)}"

        def source_url(source: str) -> str:
            return f"?{_query({**filters, 'source': source}, keep_empty=True)}"

        newer_start = max(start - PAGE_SIZE, 0)
        return {
            "predictions": [
                {**_prediction(item, names), "source_url": source_url(item["source"])}
                for item in items
            ],
            "total": total,
            "first": start + 1 if items else 0,
            "last": start + len(items),
            "next_url": link(page["next_cursor"], start + len(items)),
            "prev_url": link(page.get("prev_cursor"), newer_start),
            "newest_url": f"?{_query(filters, keep_empty=True)}" if start else None,
            "detail_query": urlencode({"back": self.request.GET.urlencode()}),
        }

    def _overview(self, stats: dict[str, Any], filters: dict[str, Any]) -> dict[str, Any]:
        """Counters, both drawings of the chart and its table, all under the same filters."""
        buckets = [
            ChartBucket(
                start_ms=int(_when(b["start"]).timestamp() * 1000),
                total=b["total"],
                verdicts=b["verdicts"],
            )
            for b in stats["buckets"]
        ]
        seconds = stats["bucket_seconds"]
        range_from = stats.get("range_from", {})
        labels = stats.get("labels", {})
        return {
            "stats": stats,
            "counters": [
                (_("Predictions"), stats["total"], ""),
                (_("Attacks"), stats["verdicts"].get("attack", 0), "ids-attack"),
                (_("Normal"), stats["verdicts"].get("normal", 0), ""),
                *((name, labels.get(key, 0), "") for key, name in LABELS.items()),
                (_("Not triaged"), labels.get("unlabelled", 0), ""),
            ],
            "bucket": stats["bucket"],
            "chart": verdict_chart(buckets, seconds, WIDE),
            "chart_compact": verdict_chart(buckets, seconds, COMPACT),
            "chart_rows": [
                {"bucket": b, "summary": bar_summary(b, seconds)} for b in buckets if b.total
            ],
            "since": _when(stats["since"]),
            "until": _when(stats["until"]),
            "range_follows_data": "data" in range_from.values(),
            "range_is_default": "default" in range_from.values(),
            "top_sources": [
                {
                    **s,
                    "url": f"?{_query({**filters, 'source': s['source']}, keep_empty=True)}",
                }
                for s in stats["top_sources"]
            ],
        }


def _precision_rows(answer: dict[str, Any]) -> dict[str, Any]:
    return {"serving_version": answer.get("serving_version"), "versions": answer["versions"]}


class PredictionView(AnalystPageMixin, TemplateView):
    """One prediction: input, score, model, triage, and the features that drove the score."""

    template_name = "ids_admin/admin/prediction.html"
    parent_crumbs = (("ids_admin:alerts", gettext_lazy("IDS alerts")),)
    header_icon = "warning"

    def get_page_title(self) -> str:
        return _("Prediction %(id)s") % {"id": self.kwargs["pk"]}

    def _fetch(self) -> dict[str, Any]:
        try:
            return client.get_json(IDS, f"{API_PREDICTIONS}/{self.kwargs['pk']}", self.request.user)
        except ServiceError as error:
            if error.status in (404, 422):  # no such id, or one the API cannot hold
                raise Http404 from error
            raise

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = TriageForm(request.POST)
        if form.is_valid():
            body = {**form.body(), "ids": [pk]}
            try:
                client.send_json(IDS, "POST", API_TRIAGE, request.user, body)
            except ServiceError as error:
                if error.status == 404:
                    raise Http404 from error
                form.add_error(None, _service_message(error))
            except ServiceUnavailable as error:
                form.add_error(None, _service_message(error))
            else:
                _triage_saved(request, 1, body)
                return HttpResponseRedirect(f"{request.path}?{request.GET.urlencode()}")
        return self.render_to_response(self.get_context_data(triage_form=form))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        back = QueryDict(self.request.GET.get("back", ""))  # the list's filters and page
        context["alerts_url"] = f"{reverse('ids_admin:alerts')}?{back.urlencode()}"
        try:
            item = self._fetch()
        except (ServiceError, ServiceUnavailable) as error:
            context["error"] = _service_message(error)
            return context
        prediction = _prediction(item, _labellers([item]))
        triage = prediction["triage"]
        initial = {"label": triage["label"], "note": triage["note"]} if triage else {}
        context.setdefault("triage_form", TriageForm(initial=initial))
        alerts = reverse("ids_admin:alerts")
        same_source = {"verdict": "", "source": item["source"]}  # every verdict of it
        context.update(
            p=prediction,
            source_url=f"{alerts}?{_query(same_source, keep_empty=True)}",
            probabilities=[(name, item["probabilities"].get(name)) for name in CATEGORIES],
            explanation=item.get("explanation") or {},
            top_features=item.get("top_features") or [],
            features=list(item["features"].items()),  # the model's order
        )
        return context


class ModelCardView(AnalystPageMixin, TemplateView):
    template_name = "ids_admin/admin/model_card.html"
    page_title = gettext_lazy("IDS model card")
    parent_crumbs = (("ids_admin:alerts", gettext_lazy("IDS alerts")),)
    header_icon = "doc-full"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["alerts_url"] = reverse("ids_admin:alerts")
        context["versions_url"] = reverse("ids_admin:models")
        try:
            metadata = client.get_json(IDS, API_MODEL, self.request.user)
        except (ServiceUnavailable, ServiceError) as error:
            # E.g. an artifact that does not match its recorded hash: the service refuses it.
            context["error"] = _("The model is not in service: %(reason)s") % {"reason": error}
            return context
        try:
            precision = _precision_rows(client.get_json(IDS, API_PRECISION, self.request.user))
        except (ServiceUnavailable, ServiceError):
            precision = None
        validation = metadata.get("validation", {})
        selected = validation.get("candidates", {}).get(validation.get("selected"), {})
        schemes = [
            (_("Leave attack types out (unseen attacks)"), selected.get("leave_attack_types_out")),
            (_("Stratified 5-fold"), selected.get("stratified")),
        ]
        context.update(
            metadata=metadata,
            unseen=_unseen_traffic_rows(selected),
            artifact=metadata["artifact"],
            validation=validation,
            precision=precision,
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
        )
        return context


def _unseen_traffic_rows(selected: dict[str, Any]) -> list[dict[str, Any]]:
    """Per attack category, then macro-averaged over categories: detection of unseen attack
    types (whole and its spread over folds) and of the hardest rows held out."""
    lato = selected.get("leave_attack_types_out") or {}
    spread = (lato.get("per_fold") or {}).get("spread") or {}
    hardest = selected.get("hardest_rows_held_out") or {}
    if not spread:  # a card from before these figures existed
        return []
    rows = [
        {
            "name": name,
            "unseen": lato.get("detection_rate_by_category", {}).get(name),
            "spread": spread.get("detection_rate_by_category", {}).get(name),
            "hardest": hardest.get("detection_rate_by_category", {}).get(name),
        }
        for name in CATEGORIES
        if name != "normal"
    ]
    macro = "detection_rate_macro_over_categories"
    rows.append(
        {
            "name": _("Macro-average over categories"),
            "unseen": lato.get(macro),
            "spread": spread.get(macro),
            "hardest": hardest.get(macro),
            "total": True,
        }
    )
    rows.append(
        {
            "name": _("False alarms on normal traffic"),
            "unseen": lato.get("false_positive_rate"),
            "spread": spread.get("false_positive_rate"),
            "hardest": hardest.get("false_positive_rate"),
            "total": True,
        }
    )
    return rows


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


def _model_action_done(form: ModelActionForm, answer: dict[str, Any]) -> str:
    action = form.cleaned_data["action"]
    if action == "promote":
        return _("Version %(version)s now serves every prediction.") % {"version": answer["active"]}
    if action == "shadow":
        return _("Version %(version)s now scores in shadow: stored, never served.") % {
            "version": answer["shadow"]
        }
    if action == "unshadow":
        return _("No version scores in shadow any more.")
    return _("Rolled back: version %(version)s serves again.") % {"version": answer["active"]}


class ModelVersionsView(AnalystPageMixin, TemplateView):
    """The model registry: every version, the one serving, the one in shadow and how it
    compares; staff promote, shadow and roll back (the API checks `ids:models`)."""

    template_name = "ids_admin/admin/model_versions.html"
    page_title = gettext_lazy("IDS model versions")
    parent_crumbs = (("ids_admin:alerts", gettext_lazy("IDS alerts")),)
    header_icon = "history"

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ModelActionForm(request.POST)
        if not form.is_valid():
            errors = form.non_field_errors()
            messages.error(
                request, str(errors[0]) if errors else _("Choose a version and an action.")
            )
            return HttpResponseRedirect(request.path)
        method, path = form.request()
        try:
            answer = client.send_json(IDS, method, path, request.user, None)
        except (ServiceError, ServiceUnavailable) as error:
            messages.error(request, _service_message(error))
        else:
            messages.success(request, _model_action_done(form, answer))
        return HttpResponseRedirect(request.path)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            model_url=reverse("ids_admin:model"),
            # The CSV `python -m apis.ids.ml.train --feedback` reads (apis/ids/ml/feedback.py).
            labels_csv_url=f"{API_PREDICTIONS}?{_query({'label': 'labelled', 'format': 'csv'})}",
            can_change=self.request.user.is_staff,  # their session carries ids:models
        )
        try:
            registry = client.get_json(IDS, API_MODELS, self.request.user)
        except (ServiceUnavailable, ServiceError) as error:
            context["error"] = _service_message(error)
            return context
        names = _principal_names(e["by"] for e in registry["events"])
        context.update(
            registry=registry,
            previous=_ltr(registry["previous"]),
            versions=[_version_row(v) for v in registry["versions"]],
            events=[
                {
                    **e,
                    "at": _when(e["at"]),
                    "who": names.get(e["by"], e["by"]),
                    "version": _ltr(e["version"]),
                    "previous": _ltr(e["previous"]),
                }
                for e in registry["events"]
            ],
        )
        return context


def _principal_names(sources: Iterable[str]) -> dict[str, str]:
    """The CMS's names for "user:<id>" principals (keys and the deployment keep theirs)."""
    ids = {int(s[5:]) for s in sources if s.startswith("user:") and s[5:].isdigit()}
    users = get_user_model().objects.filter(pk__in=ids)
    return {f"user:{u.pk}": u.get_full_name() or u.get_username() for u in users}


def _ltr(version: str | None) -> str | None:
    """A version name kept left to right inside Arabic text ("1.1.0-rc", not "rc-1.1.0")."""
    return None if version is None else format_html('<bdi dir="ltr">{}</bdi>', version)


def _version_row(version: dict[str, Any]) -> dict[str, Any]:
    """A registered version with its shadow comparison as rates (None before any record)."""
    trained = version.get("trained_at")
    row = {
        **version,
        "name": _ltr(version["version"]),
        "registered_at": _when(version["registered_at"]),
        "trained_at": _when(trained) if trained else None,
    }
    comparison = version.get("shadow_comparison")
    if comparison and comparison["scored"]:
        row["agreement"] = comparison["agreed"] / comparison["scored"]
        if comparison["confirmed"]:
            row["caught"] = comparison["confirmed_caught"] / comparison["confirmed"]
    return row
