"""Page types: where editors may create them, and that each renders its content."""

import pytest
from django.conf import settings
from django.utils import translation
from wagtail.models import Locale, Page

from cms.base.blocks import VideoLinkBlock
from cms.base.demo import content
from cms.base.demo.loader import catalogue
from cms.base.models import NavigationMenu, SiteFooter
from cms.buddy.models import BuddyIndexPage, BuddyPage
from cms.home.models import HomePage, StandardPage

pytestmark = pytest.mark.django_db


def spanish(model):
    return model.objects.filter(locale__language_code="es")


@pytest.mark.parametrize(
    ("child", "parent", "allowed"),
    [
        (StandardPage, HomePage, True),
        (BuddyIndexPage, HomePage, True),
        (BuddyPage, BuddyIndexPage, True),
        (StandardPage, StandardPage, True),
        (BuddyPage, HomePage, False),
        (BuddyPage, StandardPage, False),
        (BuddyIndexPage, StandardPage, False),
        (StandardPage, BuddyIndexPage, False),
        (HomePage, HomePage, False),
    ],
)
def test_page_creation_rules(child, parent, allowed):
    assert (child in parent.allowed_subpage_models()) is allowed
    assert (parent in child.allowed_parent_page_models()) is allowed


def test_only_one_buddy_landing_per_home():
    assert not BuddyIndexPage.can_create_at(spanish(HomePage).get())


def test_every_demo_page_renders_in_spanish(client):
    pages = Page.objects.live().filter(locale__language_code="es", depth__gt=1).specific()
    assert {type(page) for page in pages} >= {HomePage, StandardPage, BuddyIndexPage, BuddyPage}
    for page in pages:
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        assert page.title in response.content.decode()


def test_home_page_shows_hero_metrics_ecosystem_and_blocks(client):
    home = spanish(HomePage).get()
    html = client.get(home.url).content.decode()
    buddy = spanish(BuddyIndexPage).get()
    assert f'href="{buddy.url}">Conoce a Buddy</a>' in html
    assert '<dd class="metric__value">8</dd>' in html  # fixed; live ones: test_demo_content
    assert "Un ecosistema, tres piezas" in html
    assert "Por qué Croody" in html and "Equipo de Croody" in html
    assert '<picture class="hero__media">' in html or "hero__media" in html
    assert 'type="image/webp"' in html


def test_buddy_landing_lists_topics_plans_and_faq(client):
    buddy = spanish(BuddyIndexPage).get()
    html = client.get(buddy.url).content.decode()
    for topic in BuddyPage.objects.child_of(buddy).live():
        assert f'href="{topic.url}"' in html
    assert html.count('class="card plan') == 1  # the free account: no paid plan exists
    assert html.count("<details") == 3
    assert "Crea tu cuenta" in html


def test_image_block_has_translatable_alt_text_and_responsive_sources(client):
    training = spanish(BuddyPage).get(slug="como-funciona")
    html = client.get(training.url).content.decode()
    assert 'alt="Pista de atletismo al amanecer con las calles marcadas."' in html
    assert 'loading="lazy"' in html
    assert "srcset=" in html and 'type="image/webp"' in html


def test_video_link_embeds_no_player():
    block = VideoLinkBlock()
    value = block.to_python({"title": "Calentar", "url": "https://video.example/warm-up"})
    html = block.render(value)
    assert 'href="https://video.example/warm-up"' in html
    assert "<iframe" not in html


@pytest.mark.parametrize("model", [NavigationMenu, SiteFooter])
def test_snippets_are_looked_up_in_the_visitors_language(model):
    strings = catalogue()
    for code in ("es", "ar", "ja"):
        with translation.override(code):
            found = model.objects.for_active_locale()
        assert found.locale.language_code == code
    with translation.override("ar"):
        menu = NavigationMenu.objects.for_active_locale()
    labels = [item.value["label"] for item in menu.items]
    assert labels == [strings[label]["ar"] for label, _page in content.NAVIGATION]


def test_snippet_falls_back_to_spanish_while_a_language_has_none():
    NavigationMenu.objects.filter(locale__language_code="hi").delete()
    with translation.override("hi"):
        assert NavigationMenu.objects.for_active_locale().locale == Locale.get_default()


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Disallow: /admin/" in body
    assert f"Sitemap: {settings.SITE_URL}/sitemap.xml" in body  # not on the request's Host


@pytest.mark.parametrize("model", [HomePage, StandardPage, BuddyIndexPage, BuddyPage])
def test_editors_can_open_every_page_type_and_its_preview(admin_client, model):
    page = spanish(model).first()
    assert admin_client.get(f"/admin/pages/{page.pk}/edit/").status_code == 200
    preview = admin_client.get(f"/admin/pages/{page.pk}/edit/preview/")
    assert preview.status_code == 200


def test_editors_can_open_the_snippets(admin_client):
    for model in (NavigationMenu, SiteFooter):
        obj = model.objects.get(locale__language_code="es")
        url = f"/admin/snippets/base/{model._meta.model_name}/edit/{obj.pk}/"
        assert admin_client.get(url).status_code == 200
