from typing import Any

from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page, PreviewableMixin, TranslatableMixin
from wagtail.snippets.models import register_snippet

from cms.base.blocks import LinkBlock, SocialLinkBlock
from cms.base.locales import active_locale, default_locale


class BasePage(Page):
    """What every Croody page shares: an Open Graph image for social previews."""

    og_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("social image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Shown when the page is shared; 1200×630 works best. Defaults to the hero."),
    )

    promote_panels = [*Page.promote_panels, FieldPanel("og_image")]

    class Meta:
        abstract = True

    def get_social_image(self) -> Any:  # a Wagtail image, or None
        return self.og_image or getattr(self, "hero_image", None)


class LocalizedSnippetQuerySet(models.QuerySet[Any]):
    def for_active_locale(self) -> Any:  # the snippet, or None
        """The visitor's language version, or the default language's while none exists."""
        return self.filter(locale=active_locale()).first() or (
            self.filter(locale=default_locale()).first()
        )


class NavigationMenu(PreviewableMixin, TranslatableMixin, models.Model):
    """The header navigation; one per language, translated with wagtail-localize."""

    name = models.CharField(_("name"), max_length=60, default="Main")
    items = StreamField([("link", LinkBlock())], verbose_name=_("links"), blank=True)

    objects = LocalizedSnippetQuerySet.as_manager()

    panels = [FieldPanel("name"), FieldPanel("items")]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("navigation menu")
        verbose_name_plural = _("navigation menus")

    def __str__(self) -> str:
        return f"{self.name} ({self.locale})"

    def get_preview_template(self, request: HttpRequest, mode_name: str) -> str:
        return "base/previews/navigation_menu.html"


class SiteFooter(PreviewableMixin, TranslatableMixin, models.Model):
    """Footer texts, links and social links; one per language."""

    tagline = models.CharField(_("tagline"), max_length=160, blank=True)
    links = StreamField([("link", LinkBlock())], verbose_name=_("links"), blank=True)
    social_links = StreamField(
        [("social", SocialLinkBlock())], verbose_name=_("social links"), blank=True
    )
    copyright = models.CharField(_("copyright notice"), max_length=120, blank=True)

    objects = LocalizedSnippetQuerySet.as_manager()

    panels = [
        FieldPanel("tagline"),
        FieldPanel("links"),
        FieldPanel("social_links"),
        FieldPanel("copyright"),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("site footer")
        verbose_name_plural = _("site footers")

    def __str__(self) -> str:
        return f"{_('Footer')} ({self.locale})"

    def get_preview_template(self, request: HttpRequest, mode_name: str) -> str:
        return "base/previews/site_footer.html"


register_snippet(NavigationMenu)
register_snippet(SiteFooter)
