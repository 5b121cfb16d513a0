"""The StreamField block library shared by every page family.

Each block has a template under templates/blocks/, an icon and a preview value so
editors see what it looks like before they add it.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.blocks import ImageChooserBlock

RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul", "h3", "h4"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("text"), max_length=120)
    level = blocks.ChoiceBlock(
        label=_("level"),
        choices=[("h2", _("Section (h2)")), ("h3", _("Subsection (h3)"))],
        default="h2",
        help_text=_("Use h2 for sections and h3 inside them, so screen readers can navigate."),
    )

    class Meta:
        icon = "title"
        template = "blocks/heading.html"
        description = _("A section heading.")
        preview_value = {"text": _("Train smarter with Buddy"), "level": "h2"}


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    # Alt text lives on the block, not the image, so it is translated with the page.
    alt_text = blocks.CharBlock(
        label=_("alternative text"),
        required=False,
        max_length=250,
        help_text=_(
            "What the image shows, for people who cannot see it. "
            "Leave empty only if the image is purely decorative."
        ),
    )
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=250)

    class Meta:
        icon = "image"
        template = "blocks/image.html"
        description = _("An image with alternative text and an optional caption.")


class LinkValidationMixin:
    """Call-to-action style blocks link to a page or to a URL, not both, not neither."""

    def clean(self, value: Any) -> Any:
        value = super().clean(value)  # type: ignore[misc]  # the StructBlock's clean, after it in the MRO
        if bool(value.get("page")) == bool(value.get("url")):
            message = _("Choose a page or enter a URL (one of the two).")
            raise StructBlockValidationError(
                block_errors={"page": ValidationError(message), "url": ValidationError(message)}
            )
        return value


class CallToActionBlock(LinkValidationMixin, blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), max_length=120)
    text = blocks.TextBlock(label=_("text"), required=False)
    button_label = blocks.CharBlock(label=_("button label"), max_length=40)
    page = blocks.PageChooserBlock(label=_("page"), required=False)
    url = blocks.URLBlock(label=_("URL"), required=False)
    style = blocks.ChoiceBlock(
        label=_("style"),
        choices=[("primary", _("Primary")), ("secondary", _("Secondary"))],
        default="primary",
    )

    class Meta:
        icon = "pick"
        template = "blocks/call_to_action.html"
        description = _("A short pitch with one button.")
        preview_value = {
            "title": _("Start training today"),
            "text": _("Buddy builds your first plan in two minutes."),
            "button_label": _("Sign up"),
            "url": "https://example.com/",
            "style": "primary",
        }


ICON_CHOICES = [
    ("spark", _("Spark")),
    ("chart", _("Chart")),
    ("heart", _("Heart")),
    ("robot", _("Robot")),
    ("bag", _("Bag")),
    ("shield", _("Shield")),
    ("clock", _("Clock")),
    ("chat", _("Chat")),
]


class FeatureBlock(blocks.StructBlock):
    icon = blocks.ChoiceBlock(label=_("icon"), choices=ICON_CHOICES, default="spark")
    title = blocks.CharBlock(label=_("title"), max_length=80)
    text = blocks.TextBlock(label=_("text"))


class FeatureGridBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), required=False, max_length=120)
    features = blocks.ListBlock(FeatureBlock(), label=_("features"), min_num=1, max_num=12)

    class Meta:
        icon = "table"
        template = "blocks/feature_grid.html"
        description = _("Two to six short features in a grid, each with an icon.")
        preview_value = {
            "heading": _("What Buddy does"),
            "features": [
                {"icon": "spark", "title": _("Plans"), "text": _("Adapts every week.")},
                {"icon": "chart", "title": _("Progress"), "text": _("Clear charts.")},
                {"icon": "heart", "title": _("Recovery"), "text": _("Rest when needed.")},
            ],
        }


class MetricBlock(blocks.StructBlock):
    value = blocks.CharBlock(
        label=_("value"), max_length=20, help_text=_("For example 12k+ or 98%.")
    )
    label = blocks.CharBlock(label=_("label"), max_length=60)


class MetricsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), required=False, max_length=120)
    metrics = blocks.ListBlock(MetricBlock(), label=_("metrics"), min_num=1, max_num=6)

    class Meta:
        icon = "order"
        template = "blocks/metrics.html"
        description = _("Key figures in large type.")
        preview_value = {
            "heading": "",
            "metrics": [
                {"value": "12k+", "label": _("active athletes")},
                {"value": "98%", "label": _("plans completed")},
            ],
        }


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("quote"))
    attribution = blocks.CharBlock(label=_("who said it"), max_length=80)
    role = blocks.CharBlock(label=_("role"), required=False, max_length=80)

    class Meta:
        icon = "openquote"
        template = "blocks/quote.html"
        description = _("A testimonial or quotation with its author.")
        preview_value = {
            "quote": _("Buddy made training a habit."),
            "attribution": "Lucía",
            "role": _("runner"),
        }


class QuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("question"), max_length=200)
    answer = blocks.RichTextBlock(label=_("answer"), features=RICH_TEXT_FEATURES)


class FAQBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), required=False, max_length=120)
    questions = blocks.ListBlock(QuestionBlock(), label=_("questions"), min_num=1)

    class Meta:
        icon = "help"
        template = "blocks/faq.html"
        description = _("Questions and answers that open one at a time (no JavaScript needed).")
        preview_value = {
            "heading": _("Frequently asked questions"),
            "questions": [
                {"question": _("Is there a free plan?"), "answer": _("<p>Yes, forever.</p>")}
            ],
        }


class VideoLinkBlock(blocks.StructBlock):
    """A link to a video with a thumbnail: no third-party player is embedded in our pages."""

    title = blocks.CharBlock(label=_("title"), max_length=120)
    url = blocks.URLBlock(label=_("video URL"))
    thumbnail = ImageChooserBlock(label=_("thumbnail"), required=False)
    duration = blocks.CharBlock(
        label=_("duration"), required=False, max_length=10, help_text=_("For example 3:45.")
    )

    class Meta:
        icon = "media"
        template = "blocks/video_link.html"
        description = _("A video hosted elsewhere, shown as a link with its thumbnail.")
        preview_value = {
            "title": _("Buddy in two minutes"),
            "url": "https://example.com/video",
            "duration": "2:00",
        }


def body_blocks() -> list[tuple[str, blocks.Block]]:
    """The blocks every page body offers, in the order editors see them."""
    return [
        ("heading", HeadingBlock()),
        (
            "paragraph",
            blocks.RichTextBlock(
                features=RICH_TEXT_FEATURES,
                icon="pilcrow",
                template="blocks/paragraph.html",
                label=_("paragraph"),
                description=_("Formatted text with links and lists."),
                preview_value=_("<p>Buddy adapts your plan after every session.</p>"),
            ),
        ),
        ("image", ImageBlock()),
        ("call_to_action", CallToActionBlock()),
        ("feature_grid", FeatureGridBlock()),
        ("metrics", MetricsBlock()),
        ("quote", QuoteBlock()),
        ("faq", FAQBlock()),
        ("video_link", VideoLinkBlock()),
    ]


class LinkValue(blocks.StructValue):
    @property
    def href(self) -> str:
        page = self.get("page")
        if page:
            # A menu translated by wagtail-localize points at translated pages already;
            # .localized also covers pages chosen in a locale without a translation.
            return page.localized.url or ""
        return self.get("url") or ""


class LinkBlock(LinkValidationMixin, blocks.StructBlock):
    label = blocks.CharBlock(label=_("label"), max_length=60)
    page = blocks.PageChooserBlock(label=_("page"), required=False)
    url = blocks.URLBlock(label=_("URL"), required=False)

    class Meta:
        icon = "link"
        value_class = LinkValue


SOCIAL_PLATFORMS = [
    ("instagram", "Instagram"),
    ("youtube", "YouTube"),
    ("linkedin", "LinkedIn"),
    ("github", "GitHub"),
    ("mastodon", "Mastodon"),
    ("x", "X"),
]


class SocialLinkBlock(blocks.StructBlock):
    platform = blocks.ChoiceBlock(label=_("platform"), choices=SOCIAL_PLATFORMS)
    url = blocks.URLBlock(label=_("URL"))
    label = blocks.CharBlock(
        label=_("accessible label"),
        max_length=80,
        help_text=_("Read by screen readers, e.g. “Croody on Instagram”."),
    )

    class Meta:
        icon = "site"
