from typing import Any

from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField

from cms.base.models import BasePage
from cms.buddy.blocks import buddy_body_blocks


class BuddyContentPage(BasePage):
    """What every Buddy page holds: an introduction, a hero image and the Buddy blocks."""

    intro = models.TextField(
        _("introduction"), blank=True, help_text=_("One or two sentences under the title.")
    )
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("hero image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = StreamField(buddy_body_blocks(), verbose_name=_("body"), blank=True)

    content_panels = [
        *BasePage.content_panels,
        FieldPanel("intro"),
        FieldPanel("hero_image"),
        FieldPanel("body"),
    ]

    class Meta:
        abstract = True


class BuddyIndexPage(BuddyContentPage):
    """Buddy, Croody's training guide: what it covers, the account, FAQ; its topics are
    child pages. Buddy is written content: nothing in the product coaches or adapts plans."""

    parent_page_types = ["home.HomePage"]
    subpage_types = ["buddy.BuddyPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("Buddy landing page")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["topics"] = (
            BuddyPage.objects.child_of(self).live().public().select_related("hero_image")
        )
        return context


class BuddyPage(BuddyContentPage):
    """One topic about Buddy, e.g. how training works or how progress is tracked."""

    parent_page_types = ["buddy.BuddyIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("Buddy topic page")
