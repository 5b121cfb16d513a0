# ruff: noqa: RUF001  (Arabic letters, full-width forms: the point of this module)
"""Catalogue search in every language: the text analyzer and the product term index.

Full-text engines split and stem text for one language at a time, and differently on each
database (PostgreSQL's "simple" configuration does not stem; SQLite's FTS5 cannot split
Japanese or Chinese). The catalogue does its own analysis in Python instead, the same on
every database, and keeps the resulting terms in an indexed table (`ProductSearchTerm`):

- every text is NFKC-normalised and casefolded (full-width letters, ligatures, ß…);
- words (letters, digits and combining marks) in Latin scripts lose their accents and are
  stemmed with Snowball for Spanish, French, Portuguese and English ("Zapatillas" and
  "zapatilla" are both "zapatill"; "recuperacion" finds "Recuperación");
- Arabic words lose their diacritics and tatweel, alef, ya and ta marbuta variants are
  unified and the definite article is dropped (Snowball's Arabic stemmer is not consistent
  on the catalogue's words: "التدليك" and "تدليك" get different stems);
- Hindi words lose nukta and zero-width joiners and are stemmed with Snowball's Hindi stemmer;
- Chinese and Japanese runs (Han, kana) become overlapping character bigrams, plus each
  character alone, so "シューズ" finds "ランニングシューズ" and "心拍" finds "胸ベルト式心拍計";
  Latin words and numbers inside them are words.

A query is analysed the same way and every one of its terms must match (AND); results are
ranked by the summed weights of the fields each term was found in. One SQL query, the same on
PostgreSQL and SQLite, so both databases give the same results.
"""

import difflib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache, lru_cache
from typing import Any

import snowballstemmer

# How much a term found in each field counts for relevance (summed over the fields).
WEIGHTS = {"sku": 20, "title": 10, "summary": 4, "category": 3, "tags": 3, "body": 1}
MAX_TERM_LENGTH = 64  # longer "words" (a pasted hash…) are cut to fit the column
MAX_QUERY_TERMS = 32  # a 100-character CJK query has 99 bigrams: the first 32 are plenty

# Language (the part before "-" of a Wagtail language code) -> Snowball algorithm.
STEMMERS = {
    "es": "spanish",
    "fr": "french",
    "pt": "portuguese",
    "en": "english",
    "hi": "hindi",
}
# Which script's words each stemmer is for: a Spanish stemmer leaves Arabic alone, and the
# Hindi one must not touch a Latin brand name.
STEMMER_SCRIPTS = {
    "spanish": "LATIN",
    "french": "LATIN",
    "portuguese": "LATIN",
    "english": "LATIN",
    "hindi": "DEVANAGARI",
}

# Words too common to narrow a search (dropped from texts and queries alike).
STOPWORDS = {
    "es": frozenset(
        {"de", "del", "la", "las", "el", "los", "y", "o", "para", "con", "en", "un", "una", "por"}
    ),
    "en": frozenset({"the", "of", "for", "and", "or", "with", "a", "an", "in", "on", "to"}),
    "fr": frozenset(
        {"de", "du", "des", "la", "le", "les", "l", "d", "et", "ou", "pour", "avec", "en", "un"}
    ),
    "pt": frozenset(
        {"de", "da", "do", "das", "dos", "e", "ou", "para", "com", "em", "um", "uma", "o", "a"}
    ),
}

ARABIC_DIACRITICS = re.compile("[\u064b-\u065f\u0670\u0640]")  # harakat, dagger alef, tatweel
ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
ARABIC_ARTICLES = ("وال", "بال", "كال", "فال", "لل", "ال")
INVISIBLE = str.maketrans("", "", "\u200b\u200c\u200d\u2060\ufeff\u00ad")
NUKTA = "\u093c"


def language_of(language_code: str) -> str:
    """The language of a Wagtail language code ("zh-hans" -> "zh")."""
    return language_code.split("-")[0].lower()


def _is_cjk(char: str) -> bool:
    """Han ideographs, hiragana, katakana (with the long vowel mark ー) and Hangul."""
    code = ord(char)
    return (
        0x3040 <= code <= 0x30FF  # hiragana, katakana
        or 0x31F0 <= code <= 0x31FF  # katakana phonetic extensions
        or 0x3400 <= code <= 0x4DBF  # CJK extension A
        or 0x4E00 <= code <= 0x9FFF  # CJK unified ideographs
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0xAC00 <= code <= 0xD7AF  # Hangul syllables
        or 0x20000 <= code <= 0x3FFFF  # extensions B and later
        or char == "々"
    )


def _is_word_char(char: str) -> bool:
    # Not str.isalnum: Devanagari vowel signs and Arabic harakat are marks (M*), inside words.
    return unicodedata.category(char)[0] in "LNM"


def _runs(text: str) -> Iterator[tuple[bool, str]]:
    """(is_cjk, run) for each run of CJK characters or of other word characters."""
    current: list[str] = []
    current_cjk = False
    for char in text:
        if _is_cjk(char):
            kind: bool | None = True
        elif _is_word_char(char):
            kind = False
        else:
            kind = None
        if current and kind != current_cjk:
            yield current_cjk, "".join(current)
            current = []
        if kind is not None:
            current.append(char)
            current_cjk = kind
    if current:
        yield current_cjk, "".join(current)


def fold(word: str) -> str:
    """Accents and other marks off Latin letters; Arabic and Devanagari normalised."""
    word = ARABIC_DIACRITICS.sub("", word).translate(ARABIC_LETTERS).replace(NUKTA, "")
    decomposed = unicodedata.normalize("NFD", word)
    kept: list[str] = []
    for char in decomposed:
        # A mark after a Latin letter is an accent; Devanagari vowel signs must stay.
        if unicodedata.category(char) == "Mn" and kept and kept[-1].isascii():
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


@cache
def _stemmer(algorithm: str) -> Any:
    return snowballstemmer.stemmer(algorithm)


def _script(word: str) -> str:
    for char in word:
        if unicodedata.category(char)[0] == "L":
            return unicodedata.name(char, "").split(" ")[0]
    return ""


def bare(word: str) -> str:
    """A word folded, without the Arabic article: how words are compared, before stemming."""
    word = fold(word)
    if _script(word) == "ARABIC":
        for article in ARABIC_ARTICLES:
            if word.startswith(article) and len(word) - len(article) >= 2:
                return word[len(article) :]
    return word


def _word_term(word: str, language: str) -> str | None:
    word = bare(word)
    if word in STOPWORDS.get(language, ()):
        return None
    algorithm = STEMMERS.get(language)
    if algorithm and _script(word) == STEMMER_SCRIPTS[algorithm]:
        word = fold(_stemmer(algorithm).stemWord(word))
    return word[:MAX_TERM_LENGTH] or None


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(INVISIBLE).casefold()


def analyze_words(text: str, language_code: str) -> list[tuple[str, str]]:
    """(term, surface word) pairs of `text`, in order, repeats included.

    The surface word (casefolded, accents kept) is what a suggestion shows; a CJK bigram is
    its own surface word.
    """
    return list(_analyze_words(text, language_code))


# Products share most of their text (a description in 8 catalogues, copies made by
# `seed_catalogue`): reindexing many analyses each text once.
@lru_cache(maxsize=4096)
def _analyze_words(text: str, language_code: str) -> tuple[tuple[str, str], ...]:
    language = language_of(language_code)
    pairs: list[tuple[str, str]] = []
    for is_cjk, run in _runs(normalise(text)):
        if is_cjk:
            if len(run) == 1:
                pairs.append((run, run))
                continue
            pairs.extend((char, char) for char in run)
            pairs.extend((run[i : i + 2], run[i : i + 2]) for i in range(len(run) - 1))
        else:
            term = _word_term(run, language)
            if term:
                pairs.append((term, run[:MAX_TERM_LENGTH]))
    return tuple(pairs)


def analyze(text: str, language_code: str) -> list[str]:
    """The terms of `text` in the language `language_code` (e.g. "es", "zh-hans")."""
    return [term for term, _word in analyze_words(text, language_code)]


def query_terms(query: str, language_code: str) -> list[str]:
    """The terms every result must contain, without repeats.

    A CJK run of two or more characters is matched by its bigrams alone (its single
    characters would add nothing), a one-character run by the character.
    """
    language = language_of(language_code)
    terms: list[str] = []
    for is_cjk, run in _runs(normalise(query)):
        if is_cjk:
            terms.extend([run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)])
        else:
            term = _word_term(run, language)
            if term:
                terms.append(term)
    return list(dict.fromkeys(terms))[:MAX_QUERY_TERMS]


def sku_term(text: str) -> str:
    """A SKU as one term ("CR-RUN-001" -> "cr-run-001"): an exact SKU ranks first."""
    return normalise(text).strip()[:MAX_TERM_LENGTH]


def weighted_terms(
    fields: Iterable[tuple[str, str]], language_codes: Iterable[str]
) -> dict[str, tuple[int, str]]:
    """term -> (weight, surface word) for a product's (field, text) pairs.

    A term's weight is the sum of the weights of the fields it occurs in (once per field).
    Analysed in every language given: an alias shows its source page's text in another
    language's catalogue, so it is indexed for both.
    """
    found: dict[str, tuple[int, str]] = {}
    languages = list(dict.fromkeys(language_codes))
    for field, text in fields:
        if not text:
            continue
        seen: dict[str, str] = {}
        if field == "sku":
            seen[sku_term(text)] = sku_term(text)
        for language in languages:
            for term, word in analyze_words(text, language):
                seen.setdefault(term, word)
        for term, word in seen.items():
            weight, surface = found.get(term, (0, word))
            found[term] = (weight + WEIGHTS[field], surface)
    return found


def suggest(query: str, language_code: str, vocabulary: dict[str, str]) -> str | None:
    """Words close to the query's that the catalogue knows ("zapatilas" -> "zapatillas").

    `vocabulary` maps the terms of the catalogue to a surface word for each. Words whose term
    is known stay as typed; CJK text and numbers are kept (bigrams have no near spelling).
    None when nothing would change.
    """
    words = search_text_words(query)
    surfaces = {bare(word): word for word in vocabulary.values() if not _is_cjk(word[:1])}
    changed = False
    suggested = []
    for word in words:
        terms = query_terms(word, language_code)
        known = all(term in vocabulary for term in terms)
        if not terms or known or _is_cjk(word[0]) or any(char.isdigit() for char in word):
            suggested.append(word)
            continue
        close = difflib.get_close_matches(bare(normalise(word)), surfaces, n=1, cutoff=0.75)
        if close:
            suggested.append(surfaces[close[0]])
            changed = True
        else:
            suggested.append(word)
    return " ".join(suggested) if changed else None


def search_text_words(query: str) -> list[str]:
    """The query's words and CJK runs, as typed (NFKC only)."""
    return [run for _is_cjk, run in _runs(unicodedata.normalize("NFKC", query))]
