"""'Sync translated pages' with 'Publish immediately' never puts Spanish live unmarked.

An editor changes a translated Spanish page and opens wagtail-localize's sync form: before
publishing, it lists per language the texts that have no translation. Published anyway, the
translated pages show a notice in the visitor's language and mark exactly the untranslated
parts lang="es"; once a translator translates and publishes them, both go away.
"""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language_info, gettext
from wagtail.models import Locale, Page
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource

from cms.base.localization import translate_object
from cms.base.translation_sync import pending_after_sync, shown_untranslated
from cms.home.models import StandardPage

pytestmark = pytest.mark.django_db

TITLE = "Guía de hidratación"
INTRO = "Bebe agua antes, durante y después de entrenar."
KEPT = "Lleva siempre una botella."
OLD_TIP = "Un vaso de agua cada hora."
NEW_INTRO = "Bebe agua antes y después de entrenar, y algo más si hace calor."
NEW_TIP = "Un vaso de agua cada media hora cuando hace calor."
CATALOGUE = {
    "guia-de-hidratacion": {"fr": "guide-hydratation", "ar": "hydration-guide"},
    TITLE: {"fr": "Guide d'hydratation", "ar": "دليل الترطيب"},
    INTRO: {"fr": "Buvez avant, pendant et après l'entraînement.", "ar": "اشرب الماء قبل التمرين."},
    KEPT: {"fr": "Ayez toujours une bouteille.", "ar": "احمل زجاجة دائمًا."},
    OLD_TIP: {"fr": "Un verre d'eau par heure.", "ar": "كوب ماء كل ساعة."},
}
NEW_TRANSLATIONS = {
    NEW_INTRO: {"fr": "Buvez avant et après l'entraînement, un peu plus s'il fait chaud."},
    NEW_TIP: {"fr": "Un verre d'eau toutes les demi-heures quand il fait chaud."},
}


@pytest.fixture
def editor(client):
    user = get_user_model().objects.create_superuser("sync-editor", "sync@example.com", "pw")
    client.force_login(user)
    return client


@pytest.fixture
def page(django_capture_on_commit_callbacks) -> StandardPage:
    """A Spanish page translated into French and Arabic, then changed in Spanish: its intro
    and one of its two paragraphs, while the title and the other paragraph stay."""
    home = Page.objects.get(depth=2, locale__language_code="es")
    page = StandardPage(
        title=TITLE,
        slug="guia-de-hidratacion",
        intro=INTRO,
        body=[("paragraph", f"<p>{KEPT}</p>"), ("paragraph", f"<p>{OLD_TIP}</p>")],
    )
    home.add_child(instance=page)
    page.save_revision().publish()
    locales = list(Locale.objects.filter(language_code__in=["fr", "ar"]))
    with django_capture_on_commit_callbacks(execute=True):
        translate_object(page, CATALOGUE, locales)
    page.intro = NEW_INTRO
    page.body[1] = ("paragraph", f"<p>{NEW_TIP}</p>")
    page.save_revision().publish()
    return StandardPage.objects.get(pk=page.pk)


def translated(page: Page, code: str) -> StandardPage:
    return StandardPage.objects.get(
        translation_key=page.translation_key, locale__language_code=code
    )


def translate(page: Page, code: str, texts: dict[str, str]) -> Translation:
    """What the translation editor does: translations of the source's current texts."""
    source = TranslationSource.objects.get_for_instance(page)
    source.update_from_db()
    target = Translation.objects.get(source=source, target_locale__language_code=code)
    for segment in StringSegment.objects.filter(source=source).select_related("string", "context"):
        if segment.string.data in texts:
            StringTranslation.objects.update_or_create(
                translation_of=segment.string,
                locale=target.target_locale,
                context=segment.context,
                defaults={
                    "data": texts[segment.string.data],
                    "translation_type": StringTranslation.TRANSLATION_TYPE_MANUAL,
                },
            )
    return target


def sync_url(page: Page) -> str:
    source = TranslationSource.objects.get_for_instance(page)
    return reverse("wagtail_localize:update_translations", args=[source.id])


def visit(client, page: Page) -> BeautifulSoup:
    response = client.get(page.url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def blocks(html: BeautifulSoup) -> list:
    return html.select(".streamfield > *")


def test_the_sync_form_lists_untranslated_texts_per_language_before_publishing(editor, page):
    response = editor.get(sync_url(page), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    warning = BeautifulSoup(response.content, "html.parser").select_one("[data-sync-pending]")
    assert "would put untranslated text live" in warning.get_text()
    languages = {
        item["data-sync-language"]: item for item in warning.select("[data-sync-language]")
    }
    assert set(languages) == {"fr", "ar"}
    for item in languages.values():
        assert "2 texts not translated" in item.summary.get_text()
        texts = item.select("li")
        assert [text.get_text() for text in texts] == [NEW_INTRO, NEW_TIP]
        assert {(text["lang"], text["dir"]) for text in texts} == {("es", "ltr")}

    # Nothing was published yet: the French page is still all French.
    assert shown_untranslated(translated(page, "fr")) is None


def test_the_warning_speaks_the_editors_language(editor, page):
    response = editor.get(sync_url(page), HTTP_ACCEPT_LANGUAGE="fr")
    text = BeautifulSoup(response.content, "html.parser").select_one("[data-sync-pending]")
    with translation.override("fr"):
        assert gettext("Publishing immediately would put untranslated text live") in str(text)
    assert "would put untranslated text live" not in text.get_text()


def test_published_untranslated_text_is_marked_until_translated(
    client, editor, page, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(sync_url(page), {"publish_translations": "on"})
    assert response.status_code == 302
    client.logout()

    for code in ("fr", "ar"):
        html = visit(client, translated(page, code))
        assert html.html["lang"] == code
        # The title and the unchanged paragraph are translated: not marked.
        assert not html.h1.has_attr("lang")
        kept, tip = blocks(html)
        assert not kept.has_attr("lang")
        # The changed intro and paragraph went live in Spanish, marked as Spanish.
        lead = html.select_one(".lead")
        assert lead.get_text() == NEW_INTRO
        assert (lead["lang"], lead["dir"]) == ("es", "ltr")
        assert (tip["lang"], tip["dir"]) == ("es", "ltr")
        assert NEW_TIP in tip.get_text()
        # A notice in the visitor's language says so.
        notice = html.select_one(".untranslated-notice--partial")
        with translation.override(code):
            name = get_language_info("es")["name_translated"]
            expected = gettext(
                "Parts of this page are not translated into this language yet, so they are "
                "shown in their original language (%(source)s)."
            ) % {"source": name}
        assert notice.get_text(strip=True) == expected

    # A translator translates the French texts: until they are published, the live page still
    # shows Spanish, so it stays marked.
    fr_translation = translate(page, "fr", {k: v["fr"] for k, v in NEW_TRANSLATIONS.items()})
    assert visit(client, translated(page, "fr")).select_one(".lead")["lang"] == "es"

    with django_capture_on_commit_callbacks(execute=True):
        fr_translation.save_target(publish=True)
    html = visit(client, translated(page, "fr"))
    assert html.select_one(".lead").get_text() == NEW_TRANSLATIONS[NEW_INTRO]["fr"]
    assert html.select(".untranslated-notice") == []
    assert html.select("main [lang]") == []
    # Arabic was not translated: still marked.
    assert visit(client, translated(page, "ar")).select_one(".lead")["lang"] == "es"

    # The sync form now lists Arabic only.
    pending = pending_after_sync(TranslationSource.objects.get_for_instance(page))
    assert [(p.locale.language_code, p.texts) for p in pending] == [("ar", [NEW_INTRO, NEW_TIP])]


def test_a_sync_without_publishing_leaves_the_live_translation_unmarked(editor, page, client):
    """The live French page still shows its old French text: nothing Spanish to mark."""
    editor.post(sync_url(page), {})
    client.logout()
    html = visit(client, translated(page, "fr"))
    assert html.select_one(".lead").get_text() == CATALOGUE[INTRO]["fr"]
    assert html.select(".untranslated-notice") == []


def test_a_kept_text_is_not_marked(page, django_capture_on_commit_callbacks):
    """A translator may keep a text as it is (a name): that is a translation, not Spanish."""
    fr_translation = translate(page, "fr", {NEW_INTRO: NEW_INTRO, NEW_TIP: NEW_TIP})
    with django_capture_on_commit_callbacks(execute=True):
        fr_translation.save_target(publish=True)
    assert shown_untranslated(translated(page, "fr")) is None
    assert shown_untranslated(translated(page, "ar")) is None  # never published: all Arabic
