"""Text preparation per language: normalisation, tokens, stems, language guess."""

import pytest

from klankbord.analysis import analyse, guess_language, normalise, tokenize
from klankbord.analysis._text import fold_arabic, stopwords


def test_arabic_diacritics_and_tatweel_removed():
    assert normalise("مُدَرِّسَة") == "مدرسة"
    assert normalise("العـــربية") == "العربية"


def test_arabic_letter_variants_share_a_key():
    # alef forms, alef maksura/yaa and taa marbuta/haa fold to one spelling
    assert fold_arabic("أحمد إلى آخر مدرسة") == fold_arabic("احمد الي اخر مدرسه")


def test_persian_yeh_and_kaf_fold_to_arabic_letters():
    assert fold_arabic("کتاب یک") == fold_arabic("كتاب يك")


def test_eastern_digits_become_ascii():
    assert normalise("٠٦١٢٣ ۰۶۱۲۳") == "06123 06123"


def test_turkish_dotted_and_dotless_i():
    assert normalise("İSTANBUL IRMAK", "tr") == "istanbul ırmak"


def test_case_folding_and_whitespace():
    assert normalise("  De  WONING\tis Klein ") == "de woning is klein"


@pytest.mark.parametrize(
    "text, lang",
    [
        ("Wij wachten al een jaar op een eigen woning", "nl"),
        ("We have waited a year for our own house", "en"),
        ("ننتظر منذ سنة للحصول على بيت خاص بنا", "ar"),
        ("ما یک سال است که منتظر خانه هستیم", "fa"),
        ("ንሓደ ዓመት ገዛ ንጽበ ኣለና", "ti"),
        ("Bir yıldır kendi evimizi bekliyoruz", "tr"),
        ("Ми чекаємо на власне житло вже рік", "uk"),
        ("12345 !!!", "unknown"),
    ],
)
def test_guess_language_by_script_and_function_words(text, lang):
    assert guess_language(text) == lang


def test_dutch_and_english_stemming_keeps_surface_forms():
    pairs = analyse("De woningen zijn te klein, de woning is vochtig", "nl")
    keys = [k for k, _ in pairs]
    surfaces = [s for _, s in pairs]
    assert keys.count("woning") == 2
    assert "woningen" in surfaces and "woning" in surfaces
    assert "de" not in surfaces and "is" not in surfaces  # stopwords
    assert tokenize("The houses and the house", "en") == ["hous", "hous"]


def test_arabic_stemming_with_isri():
    keys = tokenize("المدرسة مدارس", "ar")
    assert len(keys) == 2 and all(keys)
    assert "من" not in tokenize("جاء من البيت", "ar")  # stopword


def test_tigrinya_tokens_pass_through_unstemmed():
    assert tokenize("ገዛ ንጽበ", "ti") == ["ገዛ", "ንጽበ"]


def test_unknown_language_code_is_tolerated():
    assert tokenize("Bonjour la maison", "fr") == ["bonjour", "la", "maison"]


def test_persian_zwnj_words_stay_whole():
    assert tokenize("می\u200cخواهم", "fa") == [fold_arabic("می\u200cخواهم")]


@pytest.mark.parametrize("lang", ["nl", "en", "ar", "fa", "tr", "uk"])
def test_stopwords_ship_without_download(lang):
    assert len(stopwords(lang)) > 20


def test_tigrinya_has_no_stopwords():
    assert stopwords("ti") == frozenset()


def test_keywords_leave_out_a_shipped_list_of_function_words():
    """The common lists have no Tigrinya and miss Ukrainian "на", "вже" (issue 15); keywords
    use a longer list, the clustering features do not (see keyword_stopwords)."""
    from klankbord.analysis._text import keyword_stopwords

    ti = keyword_stopwords("ti")
    assert 50 <= len(ti) <= 300 and {"እቶም", "ኣዝዩ"} <= ti
    assert not {"ምግቢ", "ክፍሊ", "ቋንቋ"} & ti  # food, room, language
    assert {"на", "вже"} <= keyword_stopwords("uk") and stopwords("uk") <= keyword_stopwords("uk")
