"""One language tuple, one fallback rule, one code alphabet, one slug: core.languages, codes, slugs.

Pure functions: no app, no request, no database.
"""

from __future__ import annotations

import pytest

from klankbord.core import codes, languages, slugs


def test_the_wanted_language_comes_first():
    assert languages.pick({"nl": "Hallo", "ar": "مرحبا"}, "ar") == ("مرحبا", "ar")


def test_fallback_order_default_then_dutch_then_english_then_anything():
    texts = {"en": "Hello", "nl": "Hallo", "tr": "Merhaba", "uk": "Привіт"}
    assert languages.pick(texts, "fa") == ("Hallo", "nl")
    assert languages.pick(texts, "fa", default="tr") == ("Merhaba", "tr")
    assert languages.pick({"en": "Hello", "uk": "Привіт"}, "fa") == ("Hello", "en")
    assert languages.pick({"uk": "Привіт", "tr": "Merhaba"}, "fa") == ("Привіт", "uk")


def test_empty_texts_count_as_missing_and_nothing_gives_an_empty_text():
    assert languages.pick({"ar": "", "nl": "  Hallo"}, "ar") == ("  Hallo", "nl")
    assert languages.pick({}, "ti") == ("", "ti")
    assert languages.pick(None, "ti") == ("", "ti")
    assert languages.text_in({"nl": ""}, "nl") == ""


def test_known_and_ordered():
    assert languages.known("ti") == "ti"
    assert languages.known("xx") == "nl"
    assert languages.known(None, default="en") == "en"
    assert languages.ordered(["uk", "nl", "zz", "ar", "nl"]) == ["nl", "ar", "uk"]


def test_every_language_list_is_the_core_tuple():
    from klankbord.config import DefaultConfig
    from klankbord.core import i18n, respondent_errors
    from klankbord.meetings import ui_text as meeting_text
    from klankbord.surveys import definitions
    from klankbord.surveys import ui_text as survey_text

    for seen in (
        meeting_text.LANGUAGES,
        survey_text.LANGUAGES,
        respondent_errors.LANGUAGES,
        definitions.ALL_LANGUAGES,
        DefaultConfig.RESPONDENT_LOCALES,
    ):
        assert seen is languages.LANGUAGES
    assert DefaultConfig.STAFF_LOCALES is languages.STAFF_LANGUAGES
    assert i18n.LANGUAGE_NAMES is languages.LANGUAGE_NAMES
    assert set(languages.LANGUAGE_NAMES) == set(languages.LANGUAGES)


def test_interface_texts_of_residents_follow_the_same_rule():
    """A text missing in a language shows Dutch in meetings, surveys and error pages alike."""
    from klankbord.core import respondent_errors
    from klankbord.meetings import ui_text as meeting_text
    from klankbord.surveys import ui_text as survey_text

    assert meeting_text.t("join", "xx") == meeting_text.TEXT["join"]["nl"]
    assert survey_text.text("start", "xx") == survey_text.TEXTS["start"]["nl"]
    assert respondent_errors.text("title_400", "xx") == respondent_errors.TEXTS["title_400"]["nl"]
    assert meeting_text.bundle("ti")["join"] == meeting_text.TEXT["join"]["ti"]


def test_interface_tables_are_complete_so_residents_never_see_the_fallback():
    from klankbord.core import respondent_errors
    from klankbord.meetings import ui_text as meeting_text
    from klankbord.surveys import ui_text as survey_text

    for table in (meeting_text.TEXT, survey_text.TEXTS, respondent_errors.TEXTS):
        missing = [
            (key, lang)
            for key, texts in table.items()
            for lang in languages.LANGUAGES
            if not texts.get(lang)
        ]
        assert missing == []


def test_survey_texts_fall_back_to_the_survey_default_language_first():
    from types import SimpleNamespace

    from klankbord.surveys.definitions import SurveyDefinition

    fake = SimpleNamespace(default_language="en")
    assert SurveyDefinition.text(fake, {"en": "Hello", "nl": "Hallo"}, "ar") == "Hello"
    assert SurveyDefinition.text(fake, {"nl": "Hallo"}, "ar") == "Hallo"
    assert SurveyDefinition.text(fake, {"nl": "Hallo", "ar": "مرحبا"}, "ar") == "مرحبا"
    assert SurveyDefinition.text(fake, None, "ar") == ""


def test_new_codes_use_the_readable_alphabet():
    made = {codes.new_code(8) for _ in range(50)}
    assert all(len(code) == 8 and set(code) <= set(codes.CODE_ALPHABET) for code in made)
    assert len(made) > 45
    assert not set("01OIL") & set(codes.CODE_ALPHABET)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("abcd-efgh", "ABCDEFGH"),
        (" AB CD\tEF.GH ", "ABCDEFGH"),
        ("ab_cd/ef", "ABCDEF"),
        ("ÄBCD", "BCD"),  # no look-alike letters of other scripts
        (None, ""),
        ("", ""),
        ("A" * 100, "A" * codes.MAX_TYPED_LENGTH),
    ],
)
def test_one_reading_of_a_typed_code(typed, stored):
    assert codes.normalise_code(typed) == stored


def test_meetings_and_surveys_share_the_code_helpers():
    from klankbord.meetings import services as meetings
    from klankbord.surveys import services as surveys

    assert meetings.normalise_code is surveys.normalise_code is codes.normalise_code
    assert meetings.CODE_ALPHABET == surveys.CODE_ALPHABET == codes.CODE_ALPHABET


def test_slugify():
    assert slugs.slugify("Gemeente Súdwest-Fryslân") == "gemeente-sudwest-fryslan"
    assert slugs.slugify("  Opvang & spreiding!  ") == "opvang-spreiding"
    assert slugs.slugify("العربية") == "organisatie"
    assert slugs.slugify("العربية", fallback="thema") == "thema"
