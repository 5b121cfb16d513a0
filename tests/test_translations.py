"""Interface translations: every marked string translated in every language, safely.

The reference is a fresh `makemessages` run over the source (into a temporary folder), so a
string marked in a template or in Python without a translation fails here, in every
language, before a visitor sees English in the middle of a Japanese page.
"""

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext, to_locale

from cms.base.message_catalogues import catalogue_files, compile_catalogues, is_stale

REPO = Path(__file__).resolve().parent.parent
LOCALE_DIR = REPO / "cms" / "locale"
# What makemessages must not read: tests, benchmarks and local build output.
IGNORED = ["tests/*", "bench/*", "var/*", "node_modules/*", "test-artifacts/*"]
CODES = [code for code, _name in settings.LANGUAGES]
SOURCE_LANGUAGE = "en"  # msgids are English; the en catalogue repeats them on purpose
# Languages written in another script: a translation must use it.
SCRIPTS = {
    "ar": r"[\u0600-\u06ff]",
    "zh_Hans": r"[\u4e00-\u9fff]",
    "ja": r"[\u3040-\u30ff\u4e00-\u9fff]",
    "hi": r"[\u0900-\u097f]",
}
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd%]|\{[a-z_]*\}")
TAG = re.compile(r"</?[a-z][^>]*>")


def catalogue_path(code: str) -> Path:
    return LOCALE_DIR / to_locale(code) / "LC_MESSAGES" / "django.po"


def key(entry: polib.POEntry) -> tuple[str | None, str]:
    return entry.msgctxt, entry.msgid


def forms(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


@pytest.fixture(scope="module")
def fresh_msgids(tmp_path_factory, monkeypatch_module) -> dict[tuple[str | None, str], str]:
    """The msgids `makemessages` extracts from the source right now (msgid -> msgid_plural)."""
    if not shutil.which("xgettext"):
        pytest.fail("GNU gettext is needed: apt-get install gettext (make system-packages)")
    target = tmp_path_factory.mktemp("locale")
    monkeypatch_module.chdir(REPO)
    with override_settings(LOCALE_PATHS=[target]):
        call_command(
            "makemessages",
            locale=[SOURCE_LANGUAGE],
            # cms/locale too: makemessages would otherwise write next to the committed files
            ignore_patterns=[*IGNORED, "cms/locale/*"],
            keep_pot=True,
            verbosity=0,
        )
    pot = polib.pofile(str(target / "django.pot"))
    return {key(entry): entry.msgid_plural for entry in pot if not entry.obsolete}


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_every_language_has_a_catalogue_in_djangos_folder_name():
    assert to_locale("zh-hans") == "zh_Hans"
    for code in CODES:
        assert catalogue_path(code).is_file(), f"no catalogue for {code}"


def test_source_marks_something(fresh_msgids):
    assert len(fresh_msgids) > 300
    assert (None, "Skip to content") in fresh_msgids
    assert ("lowest price", "From") in fresh_msgids  # msgctxt kept apart


@pytest.mark.parametrize("code", CODES)
def test_catalogue_is_complete_and_current(fresh_msgids, code):
    catalogue = polib.pofile(str(catalogue_path(code)))
    assert not catalogue.metadata_is_fuzzy, "the header is fuzzy: msgfmt would ignore it"
    assert catalogue.metadata["Language"] == to_locale(code)
    entries = {key(entry): entry for entry in catalogue if not entry.obsolete}
    missing = [msgid for msgid in fresh_msgids if msgid not in entries]
    stale = [msgid for msgid in entries if msgid not in fresh_msgids]
    untranslated = [key(entry) for entry in catalogue.untranslated_entries()]
    fuzzy = [key(entry) for entry in catalogue.fuzzy_entries()]
    assert missing == [], f"{code}: run makemessages and translate {missing}"
    assert stale == [], f"{code}: run makemessages, these are gone from the source: {stale}"
    assert untranslated == [], f"{code}: untranslated {untranslated}"
    assert fuzzy == [], f"{code}: fuzzy {fuzzy}"


@pytest.mark.parametrize("code", CODES)
def test_plural_entries_have_every_form_of_the_language(code):
    catalogue = polib.pofile(str(catalogue_path(code)))
    nplurals = int(re.search(r"nplurals=(\d+)", catalogue.metadata["Plural-Forms"]).group(1))
    for entry in catalogue:
        if entry.msgid_plural:
            assert len(entry.msgstr_plural) == nplurals, entry.msgid
            assert all(forms(entry)), f"{code}: a plural form of {entry.msgid!r} is empty"


@pytest.mark.parametrize("code", CODES)
def test_placeholders_and_markup_are_preserved(code):
    """%(name)s, {name} and tags must survive translation, or rendering fails or leaks."""
    problems = []
    for entry in polib.pofile(str(catalogue_path(code))).translated_entries():
        source = entry.msgid_plural or entry.msgid
        for text in forms(entry):
            if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(source)):
                problems.append(f"placeholders in {entry.msgid!r}: {text!r}")
            if sorted(TAG.findall(text)) != sorted(TAG.findall(source)):
                problems.append(f"markup in {entry.msgid!r}: {text!r}")
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("code", [code for code in CODES if code != SOURCE_LANGUAGE])
def test_translations_are_not_copies_of_the_english(code):
    locale = to_locale(code)
    entries = [entry for entry in polib.pofile(str(catalogue_path(code))) if not entry.obsolete]
    copies = [entry.msgid for entry in entries if entry.msgstr == entry.msgid]
    # A few words are the same in both languages (Robot, Menu, URL), never a catalogue's worth.
    assert len(copies) <= len(entries) // 10, f"{code}: {len(copies)} copies: {copies}"
    if locale in SCRIPTS:
        script = re.compile(SCRIPTS[locale])
        unscripted = [
            entry.msgid
            for entry in entries
            for text in forms(entry)
            if text  # untranslated: test_catalogue_is_complete_and_current says so
            if not script.search(text) and not re.fullmatch(r"[A-Z]{2,4}", text)
        ]
        assert unscripted == [], f"{code}: not written in its script: {unscripted}"


def test_compiled_catalogues_are_used_for_every_language():
    """pytest_configure compiled them: the interface speaks each language, zh-hans included."""
    assert not any(is_stale(path) for path in catalogue_files())
    for code in CODES:
        expected = polib.pofile(str(catalogue_path(code))).find("Skip to content").msgstr
        with translation.override(code):
            assert gettext("Skip to content") == expected
    with translation.override("zh-hans"):
        assert gettext("Skip to content") == "跳到主要内容"


def test_compiling_is_incremental_and_leaves_fuzzy_entries_out(tmp_path):
    folder = tmp_path / "xx" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po_file = folder / "django.po"
    catalogue = polib.POFile()
    catalogue.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "xx"}
    catalogue.append(polib.POEntry(msgid="Done", msgstr="Fait"))
    catalogue.append(polib.POEntry(msgid="Guess", msgstr="Devine", flags=["fuzzy"]))
    catalogue.save(str(po_file))

    assert compile_catalogues([tmp_path]) == [po_file]
    compiled = {
        entry.msgid: entry.msgstr for entry in polib.mofile(str(po_file.with_suffix(".mo")))
    }
    assert compiled == {"Done": "Fait"}
    assert compile_catalogues([tmp_path]) == []  # up to date: nothing to do
    assert compile_catalogues([tmp_path], force=True) == [po_file]
