from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField

from cms.base.blocks import MetricBlock, body_blocks
from cms.base.models import BasePage
from cms.home.blocks import LIVE_FIGURE_MAX_AGE, EcosystemCardBlock, LiveMetricBlock


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
    hero_cta_label = models.CharField(
        _("button text"),
        max_length=40,
        blank=True,
        help_text=_("What the hero's button says, e.g. “Meet Buddy”."),
    )
    hero_cta_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("button links to"),
        help_text=_("The page the hero's button opens."),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    metrics = StreamField(
        [("metric", MetricBlock()), ("live_metric", LiveMetricBlock())],
        verbose_name=_("key figures"),
        blank=True,
        max_num=4,
        help_text=_(
            "Up to four figures shown under the hero: live ones counted from the robots' "
            "telemetry, or fixed ones you type, which must be true."
        ),
    )
    ecosystem_heading = models.CharField(
        _("ecosystem heading"),
        max_length=120,
        blank=True,
        help_text=_("Shown above the ecosystem cards."),
    )
    ecosystem = StreamField(
        [("card", EcosystemCardBlock())],
        verbose_name=_("ecosystem"),
        blank=True,
        max_num=6,
        help_text=_("One card per part of Croody: Buddy, the shop, the robots."),
    )
    body = StreamField(
        body_blocks(),
        verbose_name=_("body"),
        blank=True,
        help_text=_("Free content under the ecosystem cards."),
    )

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

    def has_live_figures(self) -> bool:
        return any(block.block_type == "live_metric" for block in self.metrics)

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().serve(request, *args, **kwargs)
        if self.has_live_figures():  # the page cache and CDNs keep it no longer than this
            response.page_cache_max_age = LIVE_FIGURE_MAX_AGE
        return response


class StandardPage(BasePage):
    """About, legal and other pages made of the shared blocks."""

    intro = models.TextField(
        _("introduction"), blank=True, help_text=_("One or two sentences under the title.")
    )
    body = StreamField(body_blocks(), verbose_name=_("body"), blank=True)

    content_panels = [*BasePage.content_panels, FieldPanel("intro"), FieldPanel("body")]

    parent_page_types = ["home.HomePage", "home.StandardPage"]
    subpage_types = ["home.StandardPage"]

    class Meta:
        verbose_name = _("standard page")
