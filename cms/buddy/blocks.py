from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from cms.base.blocks import body_blocks, optional_heading_block


class PlanBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("Plan name"), max_length=40)
    price = blocks.CharBlock(
        label=_("Price"), max_length=20, help_text=_("As shown, e.g. 0 € or 9,99 €.")
    )
    period = blocks.CharBlock(
        label=_("Period"),
        max_length=30,
        required=False,
        help_text=_("Shown after the price, e.g. “per month”. Optional."),
    )
    features = blocks.ListBlock(
        blocks.CharBlock(label=_("Item"), max_length=120),
        label=_("What it includes"),
        help_text=_("Only what the plan really gives, one item per line."),
    )
    button_label = blocks.CharBlock(
        label=_("Button text"),
        max_length=40,
        help_text=_("The button opens the sign-up page, e.g. “Create your account”."),
    )
    highlighted = blocks.BooleanBlock(
        label=_("Highlight this plan"), required=False, help_text=_("Marks it as recommended.")
    )

    class Meta:
        label = _("Plan")


class PlansBlock(blocks.StructBlock):
    heading = optional_heading_block()
    plans = blocks.ListBlock(PlanBlock(), label=_("Plans"), min_num=1, max_num=4)

    class Meta:
        icon = "tag"
        label = _("Plans")
        template = "buddy/blocks/plans.html"
        description = _("Plans side by side, each with a sign-up button.")
        preview_value = {
            "heading": _("Plans"),
            "plans": [
                {
                    "name": _("Free"),
                    "price": "0 €",
                    "period": _("forever"),
                    "features": [_("Live robot map")],
                    "button_label": _("Start"),
                }
            ],
        }


def buddy_body_blocks() -> list[tuple[str, blocks.Block]]:
    return [*body_blocks(), ("plans", PlansBlock())]
