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

from cms.base.locales import localized

RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul", "h3", "h4"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(
        label=_("Heading text"), max_length=120, help_text=_("A few words that name the section.")
    )
    level = blocks.ChoiceBlock(
        label=_("Level"),
        choices=[("h2", _("Section (h2)")), ("h3", _("Subsection (h3)"))],
        default="h2",
        help_text=_("Use h2 for sections and h3 inside them, so screen readers can navigate."),
    )

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "blocks/heading.html"
        description = _("A section heading.")
        preview_value = {"text": _("Train smarter with Buddy"), "level": "h2"}


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    # Alt text lives on the block, not the image, so it is translated with the page.
    alt_text = blocks.CharBlock(
        label=_("Alternative text"),
        required=False,
        max_length=250,
        help_text=_(
            "What the image shows, for people who cannot see it. "
            "Leave empty only if the image is purely decorative."
        ),
    )
    caption = blocks.CharBlock(
        label=_("Caption"),
        required=False,
        max_length=250,
        help_text=_("Shown under the image. Optional."),
    )

    class Meta:
        icon = "image"
        label = _("Image")
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


def link_page_block() -> blocks.PageChooserBlock:
    return blocks.PageChooserBlock(
        label=_("Links to page"),
        required=False,
        help_text=_("A page of this site. Choose a page or enter a URL, not both."),
    )


def link_url_block() -> blocks.URLBlock:
    return blocks.URLBlock(
        label=_("Or links to URL"),
        required=False,
        help_text=_("A full address starting with https://, for pages outside this site."),
    )


class CallToActionBlock(LinkValidationMixin, blocks.StructBlock):
    title = blocks.CharBlock(
        label=_("Title"), max_length=120, help_text=_("A short headline, e.g. “Start today”.")
    )
    text = blocks.TextBlock(
        label=_("Text"), required=False, help_text=_("One or two sentences under the title.")
    )
    button_label = blocks.CharBlock(
        label=_("Button text"),
        max_length=40,
        help_text=_("What the button says, e.g. “Create your account”."),
    )
    page = link_page_block()
    url = link_url_block()
    style = blocks.ChoiceBlock(
        label=_("Button style"),
        choices=[("primary", _("Primary")), ("secondary", _("Secondary"))],
        default="primary",
        help_text=_("Primary stands out: use it for the main action of the page."),
    )

    class Meta:
        icon = "pick"
        label = _("Call to action")
        template = "blocks/call_to_action.html"
        description = _("A short pitch with one button.")
        preview_value = {
            "title": _("Start training today"),
            "text": _("Create your account and follow your robots live."),
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
    icon = blocks.ChoiceBlock(label=_("Icon"), choices=ICON_CHOICES, default="spark")
    title = blocks.CharBlock(label=_("Title"), max_length=80)
    text = blocks.TextBlock(label=_("Text"), help_text=_("One or two sentences."))

    class Meta:
        label = _("Feature")


def optional_heading_block() -> blocks.CharBlock:
    return blocks.CharBlock(
        label=_("Heading"),
        required=False,
        max_length=120,
        help_text=_("Shown above the block. Optional."),
    )


class FeatureGridBlock(blocks.StructBlock):
    heading = optional_heading_block()
    features = blocks.ListBlock(FeatureBlock(), label=_("Features"), min_num=1, max_num=12)

    class Meta:
        icon = "table"
        label = _("Feature grid")
        template = "blocks/feature_grid.html"
        description = _("Two to six short features in a grid, each with an icon.")
        preview_value = {
            "heading": _("Why Croody"),
            "features": [
                {"icon": "robot", "title": _("Robots"), "text": _("Live on a map.")},
                {"icon": "shield", "title": _("API keys"), "text": _("Stored as a hash.")},
                {"icon": "chat", "title": _("Languages"), "text": _("Eight of them.")},
            ],
        }


class MetricBlock(blocks.StructBlock):
    value = blocks.CharBlock(
        label=_("Figure"),
        max_length=20,
        help_text=_(
            "As shown, e.g. 8 or 245 g. Only figures that are true: say so in the text "
            "when one is an example."
        ),
    )
    label = blocks.CharBlock(
        label=_("What it counts"),
        max_length=60,
        help_text=_("Shown with the figure, e.g. “languages, from Spanish to Hindi”."),
    )

    class Meta:
        label = _("Fixed figure")


class MetricsBlock(blocks.StructBlock):
    heading = optional_heading_block()
    metrics = blocks.ListBlock(MetricBlock(), label=_("Figures"), min_num=1, max_num=6)

    class Meta:
        icon = "order"
        label = _("Key figures")
        template = "blocks/metrics.html"
        description = _("Key figures in large type.")
        preview_value = {
            "heading": "",
            "metrics": [
                {"value": "8", "label": _("languages")},
                {"value": "3", "label": _("intensity zones")},
            ],
        }


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("Quotation"))
    attribution = blocks.CharBlock(
        label=_("Who said it"),
        max_length=80,
        help_text=_("A real person or team, quoted with their permission."),
    )
    role = blocks.CharBlock(
        label=_("Their role"),
        required=False,
        max_length=80,
        help_text=_("Optional, e.g. “half-marathon runner”."),
    )

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "blocks/quote.html"
        description = _("A testimonial or quotation with its author.")
        preview_value = {
            "quote": _("The best session is the one you can repeat tomorrow."),
            "attribution": _("The Croody team"),
            "role": "",
        }


class QuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"), max_length=200)
    answer = blocks.RichTextBlock(label=_("Answer"), features=RICH_TEXT_FEATURES)

    class Meta:
        label = _("Question")


class FAQBlock(blocks.StructBlock):
    heading = optional_heading_block()
    questions = blocks.ListBlock(QuestionBlock(), label=_("Questions"), min_num=1)

    class Meta:
        icon = "help"
        label = _("Questions and answers")
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

    title = blocks.CharBlock(label=_("Title"), max_length=120)
    url = blocks.URLBlock(
        label=_("Video URL"), help_text=_("The page where the video plays, on its own site.")
    )
    thumbnail = ImageChooserBlock(
        label=_("Thumbnail"), required=False, help_text=_("An image shown with the link. Optional.")
    )
    duration = blocks.CharBlock(
        label=_("Duration"), required=False, max_length=10, help_text=_("For example 3:45.")
    )

    class Meta:
        icon = "media"
        label = _("Video link")
        template = "blocks/video_link.html"
        description = _("A video hosted elsewhere, shown as a link with its thumbnail.")
        preview_value = {
            "title": _("How to warm up"),
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
                label=_("Paragraph"),
                description=_("Formatted text with links and lists."),
                preview_value=_("<p>Plan your week, then compare it with what you did.</p>"),
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
            # localized() also covers pages chosen in a locale without a translation.
            return localized(page).url or ""
        return self.get("url") or ""


class LinkBlock(LinkValidationMixin, blocks.StructBlock):
    label = blocks.CharBlock(
        label=_("Link text"), max_length=60, help_text=_("What visitors read, e.g. “Shop”.")
    )
    page = link_page_block()
    url = link_url_block()

    class Meta:
        icon = "link"
        label = _("Link")
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
    platform = blocks.ChoiceBlock(label=_("Network"), choices=SOCIAL_PLATFORMS)
    url = blocks.URLBlock(label=_("Profile URL"), help_text=_("Croody's page on that network."))
    label = blocks.CharBlock(
        label=_("Accessible label"),
        max_length=80,
        help_text=_("Read by screen readers, e.g. “Croody on Instagram”."),
    )

    class Meta:
        icon = "site"
        label = _("Social network link")
