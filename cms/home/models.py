from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.images.blocks import ImageChooserBlock

from cms.base.blocks import MetricBlock, body_blocks
from cms.base.models import BasePage


class EcosystemCardBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), max_length=60)
    text = blocks.TextBlock(label=_("text"))
    image = ImageChooserBlock(label=_("image"), required=False)
    page = blocks.PageChooserBlock(label=_("links to"), required=False)

    class Meta:
        icon = "grip"
        template = "home/blocks/ecosystem_card.html"
        label = _("ecosystem card")


class HomePage(BasePage):
    """The root of each language's tree: hero, key metrics, the ecosystem, then free content."""

    intro = models.TextField(
        _("hero text"),
        blank=True,
        help_text=_("One or two sentences under the title that say what Croody is."),
    )
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("hero image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hero_cta_label = models.CharField(_("button label"), max_length=40, blank=True)
    hero_cta_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("button links to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    metrics = StreamField(
        [("metric", MetricBlock())],
        verbose_name=_("key metrics"),
        blank=True,
        max_num=4,
        help_text=_("Up to four figures shown under the hero."),
    )
    ecosystem_heading = models.CharField(_("ecosystem heading"), max_length=120, blank=True)
    ecosystem = StreamField(
        [("card", EcosystemCardBlock())],
        verbose_name=_("ecosystem"),
        blank=True,
        max_num=6,
        help_text=_("One card per part of Croody: Buddy, the shop, the robots."),
    )
    body = StreamField(body_blocks(), verbose_name=_("body"), blank=True)

    content_panels = [
        *BasePage.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("intro"),
                FieldPanel("hero_image"),
                FieldPanel("hero_cta_label"),
                FieldPanel("hero_cta_page"),
            ],
            heading=_("Hero"),
        ),
        FieldPanel("metrics"),
        MultiFieldPanel(
            [FieldPanel("ecosystem_heading"), FieldPanel("ecosystem")], heading=_("Ecosystem")
        ),
        FieldPanel("body"),
    ]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["home.StandardPage", "buddy.BuddyIndexPage", "shop.ProductIndexPage"]

    class Meta:
        verbose_name = _("home page")


class StandardPage(BasePage):
    """About, legal and other pages made of the shared blocks."""

    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(body_blocks(), verbose_name=_("body"), blank=True)

    content_panels = [*BasePage.content_panels, FieldPanel("intro"), FieldPanel("body")]

    parent_page_types = ["home.HomePage", "home.StandardPage"]
    subpage_types = ["home.StandardPage"]

    class Meta:
        verbose_name = _("standard page")
