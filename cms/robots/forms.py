"""Registering a robot (profile page), editing one (admin), filtering the fleet (admin)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from cms.robots.models import Robot, robot_owners
from cms.robots.robot_telemetry import NO_READINGS, STATUS_LABELS


class RobotForm(forms.ModelForm):
    """A new robot of `owner`'s on the profile page, or one of theirs renamed."""

    prefix = "robot"

    class Meta:
        model = Robot
        fields = ("name",)
        labels = {"name": _("Robot name")}

    def __init__(self, *args: Any, owner: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.instance.owner = owner

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        others = Robot.objects.owned_by(self.owner).exclude(pk=self.instance.pk)
        if others.filter(name__iexact=name).exists():
            raise forms.ValidationError(
                _("You already have a robot with this name."), code="duplicate_robot"
            )
        return name


class RobotAdminForm(forms.ModelForm):
    class Meta:
        model = Robot
        fields = ["owner", "name"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.pop("for_user", None)  # passed by Wagtail's generic views
        super().__init__(*args, **kwargs)


class FleetFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=80, required=False)
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=get_user_model().objects.none(),  # set per form: robot_owners()
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
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = robot_owners()
