# ruff: noqa: RUF001  (typographic apostrophes and full-width letters are the test data)
"""cms.shop.search: how texts and queries become terms, in each language (no database)."""

import pytest

from cms.shop.search import analyze, query_terms, suggest, weighted_terms


@pytest.mark.parametrize(
    ("language", "text", "query"),
    [
        # Stemming and accent folding: the query finds the text, whatever the form typed.
        ("es", "Zapatillas de running", "zapatilla"),
        ("es", "Recuperación", "recuperacion"),
        ("es", "Pulsómetro de pecho", "PULSOMETROS"),
        ("fr", "Tapis d’étirement", "etirement"),
        ("fr", "Chaussures de running", "chaussure"),
        ("pt", "Recuperação", "recuperacao"),
        ("pt", "Tênis de corrida", "tenis"),
        ("en", "Running shoes", "shoe"),
        # Arabic: diacritics, alef and ta marbuta variants, the article.
        ("ar", "أسطوانة التدليك", "تدليك"),
        ("ar", "أحذية الضغط", "احذية"),
        ("ar", "حِذَاءُ الجري", "حذاء"),
        # Hindi: with or without nukta.
        ("hi", "रनिंग शूज़", "शूज"),
        ("hi", "कम्प्रेशन मोज़े", "मोजे"),
        # Chinese and Japanese: words inside longer runs, by character bigrams.
        ("ja", "ランニングシューズ Tempo 3", "シューズ"),
        ("ja", "胸ベルト式心拍計", "心拍"),
        ("ja", "ランニングシューズ", "シ"),
        ("zh-hans", "Pulso H2 胸带心率计", "心率"),
        ("zh-hans", "Tempo 3 跑鞋", "鞋"),
        ("zh-hans", "全地形轮（4 只装）", "地形 4"),
        # Latin words and numbers inside CJK text, full-width forms.
        ("ja", "高精度GPSモジュール", "ｇｐｓ"),
    ],
)
def test_query_terms_are_found_in_the_text(language, text, query):
    indexed = set(analyze(text, language))
    terms = query_terms(query, language)
    assert terms and set(terms) <= indexed, (terms, indexed)


@pytest.mark.parametrize(
    ("language", "text", "query"),
    [
        ("es", "Zapatillas de running", "zapato"),
        ("ja", "ランニングシューズ", "シューター"),  # a shared bigram is not enough
        ("zh-hans", "胸带心率计", "心跳"),
        ("ar", "أسطوانة التدليك", "تدريب"),
    ],
)
def test_other_words_are_not_found(language, text, query):
    assert not set(query_terms(query, language)) <= set(analyze(text, language))


@pytest.mark.parametrize(
    "query",
    ["", "   ", "!!!", "\"'()*:^~", "\x00", "-", "…", "🙂", "de la y para"],  # the last: stop words
)
def test_queries_without_words_have_no_terms(query):
    assert query_terms(query, "es") == []


def test_long_queries_are_capped():
    assert len(query_terms("鞋" * 10_000, "zh-hans")) == 1
    assert len(query_terms(" ".join(f"w{n}" for n in range(1000)), "en")) == 32
    assert all(len(term) <= 64 for term in query_terms("x" * 10_000, "es"))


def test_weights_add_up_over_fields_and_keep_a_surface_word():
    terms = weighted_terms(
        [("sku", "CR-RUN-001"), ("title", "Zapatillas Tempo"), ("summary", "Zapatilla ligera")],
        ["es"],
    )
    assert terms["zapatill"] == (10 + 4, "zapatillas")
    assert terms["cr-run-001"][0] == 20  # the whole SKU, for an exact match
    assert "cr" in terms and "001" in terms  # and its parts


def test_an_alias_is_indexed_for_both_languages():
    terms = weighted_terms([("title", "Zapatillas Tempo")], ["ja", "es"])
    assert {"zapatillas", "zapatill"} <= set(terms)


@pytest.mark.parametrize(
    ("query", "language", "expected"),
    [
        ("zapatilas", "es", "zapatillas"),
        ("pulsometor", "es", "pulsómetro"),
        ("zapatillas pulsometor", "es", "zapatillas pulsómetro"),
        ("تدلك", "ar", "التدليك"),
        ("zapatillas", "es", None),  # known: nothing to suggest
        ("xyzzy", "es", None),  # nothing close
        ("シュース", "ja", None),  # CJK has no near spelling
    ],
)
def test_suggestions_use_the_catalogues_words(query, language, expected):
    vocabulary = {
        term: word
        for term, (_weight, word) in weighted_terms(
            [("title", "Zapatillas pulsómetro"), ("summary", "أسطوانة التدليك シューズ")],
            [language],
        ).items()
    }
    assert suggest(query, language, vocabulary) == expected
