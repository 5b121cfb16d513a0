"""The analysts' filters, turned into the store's PredictionFilter."""

from datetime import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from apis.ids import store
from apis.ids.features import CLASSES

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class AlertFilterForm(forms.Form):
    """Defaults show recent alerts: attacks only, newest first."""

    verdict = forms.ChoiceField(
        label=_("Verdict"),
        choices=[("attack", _("Attacks")), ("normal", _("Normal")), ("", _("All"))],
        required=False,
        initial="attack",
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("Any")), *((c, c) for c in CLASSES)], required=False
    )
    min_score = forms.FloatField(label=_("Minimum score"), min_value=0, max_value=1, required=False)
    source = forms.CharField(label=_("Source"), max_length=store.SOURCE_MAX_LENGTH, required=False)
    model_version = forms.CharField(
        label=_("Model version"), max_length=store.MODEL_VERSION_MAX_LENGTH, required=False
    )
    since = forms.DateTimeField(
        label=_("From (UTC)"),
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=DateTimeLocalInput(),
    )
    until = forms.DateTimeField(
        label=_("Until (UTC)"),
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=DateTimeLocalInput(),
    )
    unknown = forms.BooleanField(label=_("Only unknown values"), required=False)

    def clean(self) -> dict:
        data = super().clean()
        try:
            store.range_ms(data.get("since"), data.get("until"))
        except store.InvalidRange as exc:
            raise forms.ValidationError(str(exc)) from None
        return data

    def values(self) -> dict:
        """Cleaned values, or the defaults when the form was not submitted."""
        if not self.is_bound:
            return {name: field.initial for name, field in self.fields.items()}
        return self.cleaned_data

    def prediction_filter(self) -> store.PredictionFilter:
        data = self.values()
        since: datetime | None = data.get("since")
        until: datetime | None = data.get("until")
        since_ms, until_ms = store.range_ms(since, until)
        return store.PredictionFilter(
            since_ms=since_ms,
            until_ms=until_ms,
            verdict=data.get("verdict") or None,
            category=data.get("category") or None,
            min_score=data.get("min_score"),
            model_version=data.get("model_version") or None,
            source=data.get("source") or None,
            unknown_only=bool(data.get("unknown")),
        )
