from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from cms.base.blocks import body_blocks


class PlanBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("name"), max_length=40)
    price = blocks.CharBlock(
        label=_("price"), max_length=20, help_text=_("As shown, e.g. 0 € or 9,99 €.")
    )
    period = blocks.CharBlock(label=_("period"), max_length=30, required=False)
    features = blocks.ListBlock(blocks.CharBlock(max_length=120), label=_("what it includes"))
    button_label = blocks.CharBlock(label=_("button label"), max_length=40)
    highlighted = blocks.BooleanBlock(
        label=_("highlight this plan"), required=False, help_text=_("Marks it as recommended.")
    )


class PlansBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), required=False, max_length=120)
    plans = blocks.ListBlock(PlanBlock(), label=_("plans"), min_num=1, max_num=4)

    class Meta:
        icon = "tag"
        template = "buddy/blocks/plans.html"
        description = _("Buddy's plans side by side, each with a sign-up button.")
        preview_value = {
            "heading": _("Plans"),
            "plans": [
                {
                    "name": _("Free"),
                    "price": "0 €",
                    "period": _("forever"),
                    "features": [_("Weekly plan")],
                    "button_label": _("Start"),
                }
            ],
        }


def buddy_body_blocks() -> list[tuple[str, blocks.Block]]:
    return [*body_blocks(), ("plans", PlansBlock())]
