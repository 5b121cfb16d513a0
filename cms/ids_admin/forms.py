"""The analysts' forms: filters (the parameters of the IDS API's /predictions and /stats),
and triage labels for one prediction or a selection."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from croody_core.timerange import EARLIEST, LATEST, within

# The IDS API's categories and limits (its OpenAPI schema): the API checks them again.
CATEGORIES = ("normal", "DoS", "Probe", "R2L", "U2R")
SOURCE_MAX_LENGTH = 100
MODEL_VERSION_MAX_LENGTH = 32
NOTE_MAX_LENGTH = 1000
BULK_MAX = 500
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"]
# The widest window the API can chart: 1440 buckets of its largest size (30 days).
MAX_WINDOW = timedelta(days=30 * 1440)

# The analyst's verdict on an alert, as the API names it, and as the admin says it.
LABELS: dict[str, Any] = {
    "confirmed_attack": _("Confirmed attack"),
    "false_positive": _("False positive"),
    "benign_expected": _("Benign, expected"),
}
CLEAR = "clear"  # the triage form's choice that removes a label
AUTO_ID = "ids-triage-%s"  # the triage forms' element ids


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


def _datetime_field(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        help_text=_("UTC"),
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=DateTimeLocalInput(),
        validators=[validate_in_range],
    )


def _score_field(label: Any) -> forms.FloatField:
    return forms.FloatField(
        label=label,
        min_value=0,
        max_value=1,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )


class AlertFilterForm(forms.Form):
    """Defaults show alerts: attacks only, newest first."""

    verdict = forms.ChoiceField(
        label=_("Verdict"),
        choices=[("attack", _("Attacks")), ("normal", _("Normal")), ("", _("All"))],
        required=False,
        initial="attack",
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("Any")), *((c, c) for c in CATEGORIES)], required=False
    )
    label = forms.ChoiceField(
        label=_("Triage"),
        choices=[
            ("", _("Any")),
            ("unlabelled", _("Not triaged")),
            ("labelled", _("Triaged")),
            *LABELS.items(),
        ],
        required=False,
    )
    min_score = _score_field(_("Minimum score"))
    max_score = _score_field(_("Maximum score"))
    source = forms.CharField(label=_("Source"), max_length=SOURCE_MAX_LENGTH, required=False)
    model_version = forms.CharField(
        label=_("Model version"), max_length=MODEL_VERSION_MAX_LENGTH, required=False
    )
    since = _datetime_field(_("From"))
    until = _datetime_field(_("Until"))
    unknown = forms.BooleanField(label=_("Only unknown values"), required=False)

    def clean(self) -> dict[str, Any]:
        data = cast(dict[str, Any], super().clean())  # Form.clean gives cleaned_data
        # Errors about two fields go next to the second, naming both by their labels.
        self._check_order("min_score", "max_score", allow_equal=True)
        if self._check_order("since", "until", allow_equal=False):
            since, until = data["since"], data["until"]
            if until - since > MAX_WINDOW:
                self.add_error(
                    "until",
                    ValidationError(
                        _("“%(until)s” must be within %(years)s years of “%(since)s”."),
                        code="window_too_long",
                        params={**self._labels("since", "until"), "years": 118},
                    ),
                )
        return data

    def _labels(self, first: str, second: str) -> dict[str, Any]:
        return {first: self.fields[first].label, second: self.fields[second].label}

    def _check_order(self, first: str, second: str, *, allow_equal: bool) -> bool:
        """Whether both are given and in order; if not in order, an error on `second`."""
        low, high = self.cleaned_data.get(first), self.cleaned_data.get(second)
        if low is None or high is None:
            return False
        if high > low or (allow_equal and high == low):
            return True
        message = (
            _("“%(max_score)s” must not be lower than “%(min_score)s”.")
            if allow_equal
            else _("“%(until)s” must be later than “%(since)s”.")
        )
        self.add_error(
            second,
            ValidationError(message, code="order", params=self._labels(first, second)),
        )
        return False

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
        """The filters as /api/ids/predictions and /stats take them (the client leaves out
        empty ones)."""
        data = self.values()
        return {
            **self.time_range(),
            **{
                name: data.get(name)
                for name in (
                    "verdict",
                    "category",
                    "label",
                    "min_score",
                    "max_score",
                    "model_version",
                    "source",
                )
            },
            "unknown": "true" if data.get("unknown") else None,
        }


class TriageForm(forms.Form):
    """An analyst's label and note for one prediction (or, in BulkTriageForm, several)."""

    label = forms.ChoiceField(
        label=_("Label"),
        choices=[*LABELS.items(), (CLEAR, _("Remove the label"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: why, for whoever reads this alert next."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own ids (ids-triage-label, ...): the alerts page also holds the filter form, whose
        # "label" field has Django's default id_label. The POST names stay label and note.
        kwargs.setdefault("auto_id", AUTO_ID)
        super().__init__(*args, **kwargs)

    def clean_note(self) -> str:
        note: str = self.cleaned_data["note"]
        # The API refuses control characters other than newlines and tabs.
        if any((ord(c) < 32 and c not in "\n\r\t") or ord(c) == 127 for c in note):
            raise ValidationError(
                _("Remove the control characters from the note."), code="control_characters"
            )
        return note.replace("\r\n", "\n").replace("\r", "\n")

    def body(self) -> dict[str, Any]:
        """The request body of the API's triage endpoints (a null label clears it)."""
        label = self.cleaned_data["label"]
        if label == CLEAR:
            return {"label": None, "note": None}
        return {"label": label, "note": self.cleaned_data["note"] or None}


class BulkTriageForm(TriageForm):
    """The list's selection: prediction ids ticked in the table."""

    ids = forms.TypedMultipleChoiceField(coerce=int, label=_("Selected predictions"))
    # The list's own query string, to return to the same filters and page.
    back = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any positive id is a valid choice here; the API says which do not exist.
        selected = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        ids_field = cast(forms.TypedMultipleChoiceField, self.fields["ids"])
        ids_field.choices = [(v, v) for v in selected if v.isdigit()]
        self.fields["ids"].error_messages["required"] = _(
            "Tick at least one prediction in the list."
        )
        self.fields["ids"].error_messages["invalid_choice"] = _(
            "The selection holds something that is not a prediction id."
        )

    def clean_ids(self) -> list[int]:
        ids: list[int] = sorted(set(self.cleaned_data["ids"]))
        if len(ids) > BULK_MAX:
            raise ValidationError(
                _("Select at most %(max)s predictions at a time."),
                code="too_many",
                params={"max": BULK_MAX},
            )
        if any(not 1 <= i < 2**63 for i in ids):
            raise ValidationError(
                _("The selection holds something that is not a prediction id."), code="invalid"
            )
        return ids

    def body(self) -> dict[str, Any]:
        return {**super().body(), "ids": self.cleaned_data["ids"]}


# What staff may do to the model registry, and the version it applies to.
MODEL_ACTIONS = ("promote", "shadow", "unshadow", "rollback")


class ModelActionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in MODEL_ACTIONS])
    version = forms.RegexField(
        regex=r"^[A-Za-z0-9][A-Za-z0-9._+-]*$",
        max_length=MODEL_VERSION_MAX_LENGTH,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = cast(dict[str, Any], super().clean())
        if cleaned.get("action") in ("promote", "shadow") and not cleaned.get("version"):
            raise ValidationError(_("Choose a version."), code="version_required")
        return cleaned

    def request(self) -> tuple[str, str]:
        """The IDS API call (method, path) for this action."""
        action, version = self.cleaned_data["action"], self.cleaned_data.get("version")
        return {
            "promote": ("POST", f"/api/ids/models/{version}/promote"),
            "shadow": ("PUT", f"/api/ids/models/shadow/{version}"),
            "unshadow": ("DELETE", "/api/ids/models/shadow"),
            "rollback": ("POST", "/api/ids/models/rollback"),
        }[action]
