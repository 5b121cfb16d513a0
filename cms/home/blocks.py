"""Blocks of the home page only: its ecosystem cards and its live figures."""

from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

from cms.base.blocks import link_page_block

# How long a page showing live figures may be kept by the page cache and CDNs (seconds):
# the figure a visitor reads is at most this old (plus the figures' own brief cache).
LIVE_FIGURE_MAX_AGE = 60

# choice (a FleetFigures field) -> (its name in the editor, what it counts on the page when
# the editor writes nothing)
LIVE_FIGURES = {
    "robots_online": (_("Robots online now"), _("robots online right now")),
    "readings_last_hour": (
        _("Telemetry readings in the last hour"),
        _("telemetry readings in the last hour"),
    ),
    "readings_today": (_("Telemetry readings today"), _("telemetry readings today")),
}


class EcosystemCardBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=60)
    text = blocks.TextBlock(label=_("Text"), help_text=_("One or two sentences."))
    image = ImageChooserBlock(
        label=_("Image"), required=False, help_text=_("Shown above the title. Optional.")
    )
    page = link_page_block()

    class Meta:
        icon = "grip"
        template = "home/blocks/ecosystem_card.html"
        label = _("Ecosystem card")


class LiveMetricBlock(blocks.StructBlock):
    """A figure counted from the robots' telemetry when the page is shown, never typed in.

    When the telemetry service cannot answer, the figure shows "—" and says it is not
    available, rather than a number nobody counted.
    """

    figure = blocks.ChoiceBlock(
        label=_("Live figure"),
        choices=[(key, name) for key, (name, _text) in LIVE_FIGURES.items()],
        default="robots_online",
        help_text=_("Counted from the robots' telemetry each time the page is shown."),
    )
    label = blocks.CharBlock(
        label=_("What it counts"),
        required=False,
        max_length=60,
        help_text=_("Shown with the figure. Leave empty to use the wording of the chosen figure."),
    )

    class Meta:
        icon = "pick"
        template = "home/blocks/live_metric.html"
        label = _("Live figure")

    def get_context(self, value: Any, parent_context: dict | None = None) -> dict[str, Any]:
        context = super().get_context(value, parent_context)
        # Imported here: the figures module reads the telemetry service, which a page that
        # shows no live figure never needs.
        from cms.base.live_figures import fleet_figures

        field = value["figure"] if value["figure"] in LIVE_FIGURES else None
        figures = fleet_figures() if field else None
        count: int | None = getattr(figures, field) if figures is not None and field else None
        context["label"] = value["label"] or (LIVE_FIGURES[field][1] if field else "")
        context["figure"] = None if count is None else number_format(count, force_grouping=True)
        return context
