"""The analysts' filters, as the parameters of the IDS API's /predictions and /stats."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from croody_core.timerange import EARLIEST, LATEST, within

# The IDS API's categories and limits (its OpenAPI schema): the API checks them again.
CATEGORIES = ("normal", "DoS", "Probe", "R2L", "U2R")
SOURCE_MAX_LENGTH = 100
MODEL_VERSION_MAX_LENGTH = 32
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"]


def validate_in_range(moment: datetime) -> None:
    """The range the IDS API accepts, checked here so the analyst sees which field is off."""
    if not within(moment):
        raise ValidationError(
            _("Pick a date between %(earliest)s and %(latest)s."),
            code="out_of_range",
            params={"earliest": EARLIEST.date().isoformat(), "latest": LATEST.date().isoformat()},
        )


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
        label=_("Category"), choices=[("", _("Any")), *((c, c) for c in CATEGORIES)], required=False
    )
    min_score = forms.FloatField(label=_("Minimum score"), min_value=0, max_value=1, required=False)
    source = forms.CharField(label=_("Source"), max_length=SOURCE_MAX_LENGTH, required=False)
    model_version = forms.CharField(
        label=_("Model version"), max_length=MODEL_VERSION_MAX_LENGTH, required=False
    )
    since = forms.DateTimeField(
        label=_("From (UTC)"),
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=DateTimeLocalInput(),
        validators=[validate_in_range],
    )
    until = forms.DateTimeField(
        label=_("Until (UTC)"),
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=DateTimeLocalInput(),
        validators=[validate_in_range],
    )
    unknown = forms.BooleanField(label=_("Only unknown values"), required=False)

    def clean(self) -> dict[str, Any]:
        data = cast(dict[str, Any], super().clean())  # Form.clean gives cleaned_data
        since: datetime | None = data.get("since")
        until: datetime | None = data.get("until")
        if since and until and since >= until:
            raise forms.ValidationError(_("“From” must be earlier than “Until”."))
        return data

    def values(self) -> dict[str, Any]:
        """Cleaned values, or the defaults when the form was not submitted."""
        if not self.is_bound:
            return {name: field.initial for name, field in self.fields.items()}
        return self.cleaned_data

    def time_range(self) -> dict[str, str | None]:
        data = self.values()
        return {
            name: data[name].isoformat() if data.get(name) else None for name in ("since", "until")
        }

    def prediction_params(self) -> dict[str, Any]:
        """The filters as /api/ids/predictions takes them (empty ones left out by the client)."""
        data = self.values()
        return {
            **self.time_range(),
            "verdict": data.get("verdict"),
            "category": data.get("category"),
            "min_score": data.get("min_score"),
            "model_version": data.get("model_version"),
            "source": data.get("source"),
            "unknown": "true" if data.get("unknown") else None,
        }
