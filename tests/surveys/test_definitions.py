"""Tests for the survey definition loader and the four shipped surveys (pure, no app)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from klankbord.surveys.definitions import (
    ALL_LANGUAGES,
    SCALE_FACES,
    SurveyDefinitionError,
    load_all,
    load_definition,
    visible_questions,
)

REPO = Path(__file__).resolve().parents[2]
SURVEYS = REPO / "surveys"
DATA = Path(__file__).resolve().parent / "data"
SHIPPED = ("koken", "privacy", "taallessen", "wonen")

# Words that would ask about nationality, asylum status or origin, in every shipped language.
FORBIDDEN_WORDS = {
    "nl": ["nationaliteit", "asiel", "verblijfsvergunning", "status", "herkomst", "geboren"],
    "en": ["nationality", "asylum", "residence permit", "status", "country of origin", "born"],
    "ar": ["جنسية", "الجنسية", "لجوء", "اللجوء", "إقامة", "بلدك"],
    "ti": ["ዜግነት", "ዑቕባ", "ፍቓድ መንበሪ", "ሃገርኩም"],
    "fa": ["ملیت", "تابعیت", "پناهندگی", "اقامت", "کشورتان"],
    "tr": ["uyruk", "vatandaşlık", "iltica", "sığınma", "oturma izni", "ülkeniz"],
    "uk": ["громадянство", "національність", "притулок", "статус", "країна походження"],
}


def all_texts(defn):
    """Yield (where, mapping) for every text a resident can see in a survey."""
    for name in ("title", "intro", "thanks", "what_happens_next"):
        yield name, getattr(defn, name)
    for q in defn.questions:
        yield f"{q.id}.text", q.text
        if q.help is not None:
            yield f"{q.id}.help", q.help
        if q.sensitive_note is not None:
            yield f"{q.id}.sensitive_note", q.sensitive_note
        for opt in q.options:
            yield f"{q.id}.{opt.value}", opt.text


@pytest.fixture(scope="module")
def shipped():
    return {d.id: d for d in load_all(SURVEYS)}


# --------------------------------------------------------------------------- shipped surveys


def test_all_four_shipped_surveys_load(shipped):
    assert tuple(shipped) == SHIPPED


@pytest.mark.parametrize("survey_id", SHIPPED)
def test_shipped_survey_follows_the_rules(shipped, survey_id):
    defn = shipped[survey_id]
    assert defn.version == 1
    assert defn.default_language == "nl"
    assert defn.language_codes == ALL_LANGUAGES
    reviewed = {lang.code for lang in defn.languages if lang.reviewed}
    assert reviewed == {"nl", "en"}
    assert 6 <= len(defn.questions) <= 12
    types = {q.type for q in defn.questions}
    assert "free_text" in types
    assert all(not q.required for q in defn.questions), "shipped questions must be skippable"
    for where, mapping in all_texts(defn):
        assert set(mapping) == set(ALL_LANGUAGES), where
        assert all(text.strip() for text in mapping.values()), where


def test_shipped_surveys_together_use_every_type_and_feature(shipped):
    questions = [q for d in shipped.values() for q in d.questions]
    assert {q.type for q in questions} == {
        "single_choice",
        "multiple_choice",
        "scale",
        "yes_no",
        "number",
        "free_text",
    }
    for defn in shipped.values():
        assert any(q.type == "scale" for q in defn.questions), defn.id
        assert any(q.type == "yes_no" for q in defn.questions), defn.id
        assert any(q.show_if for q in defn.questions), defn.id
    assert any(q.sensitive_note for q in shipped["privacy"].questions)


@pytest.mark.parametrize("survey_id", SHIPPED)
def test_shipped_survey_asks_nothing_identifying(shipped, survey_id):
    defn = shipped[survey_id]
    for q in defn.questions:
        parts = set(q.id.split("_"))
        assert not parts & {"nationality", "asylum", "status", "origin", "birth", "name", "age"}
    for where, mapping in all_texts(defn):
        for lang, words in FORBIDDEN_WORDS.items():
            text = mapping[lang].lower()
            for word in words:
                assert word not in text, f"{survey_id} {where} [{lang}] contains {word!r}"


def test_scale_question_gets_five_faces_with_texts(shipped):
    q = shipped["koken"].question("food_rating")
    assert [(o.value, o.icon) for o in q.options] == list(SCALE_FACES)
    assert q.options[0].text["nl"] == "Heel slecht"
    assert q.options[4].text["uk"] == "Дуже добре"


def test_scale_labels_can_be_overridden_per_value(shipped):
    q = shipped["wonen"].question("information_clear")
    assert q.option("1").text["en"] == "Very unclear"
    assert q.option("3").text["en"] == "Okay"  # not overridden: the default label
    assert q.option("1").icon == "face_very_unhappy"


def test_yes_no_question_gets_three_options(shipped):
    q = shipped["koken"].question("food_fits_needs")
    assert q.option_values == ("yes", "no", "dont_know")
    assert q.option("dont_know").text["ti"] == "ኣይፈልጥን"


# --------------------------------------------------------------------------- the model


def test_good_sample_loads_into_the_model():
    defn = load_definition(DATA / "good.yaml")
    assert defn.id == "good"
    assert defn.language_codes == ("nl", "en")
    assert defn.language("en").reviewed is False
    assert defn.text("title", "en") == "Trial"
    assert defn.text(defn.title, "ar") == "Proef"  # falls back to the default language
    assert defn.text(None, "nl") == ""
    assert defn.question("safe").required is True
    assert defn.question("kitchen").required is False
    assert defn.question("kitchen").option("own").icon == "kitchen_own"
    assert defn.question("why_unsafe").show_if.equals == "no"  # unquoted `no` is accepted
    assert defn.question("barriers").show_if.any_of == ("1", "2")
    assert defn.question("other").max_length == 200
    assert defn.question("why_unsafe").max_length == 1000
    assert defn.question("days").min_value == 0 and defn.question("days").max_value == 7
    assert defn.question("happy").audio == {"nl": "audio/good/nl/happy.mp3"}
    safe = defn.question("safe")
    assert safe.option("no").text == {"nl": "Nee, niet echt", "en": "No, not really"}
    assert safe.option("yes").text == {"nl": "Ja", "en": "Yes"}  # only offered languages
    with pytest.raises(KeyError):
        defn.question("nope")


def test_definitions_are_frozen_and_hashable():
    defn = load_definition(DATA / "good.yaml")
    with pytest.raises(AttributeError):
        defn.version = 2  # type: ignore[misc]
    with pytest.raises(TypeError):
        defn.title["nl"] = "x"  # type: ignore[index]
    assert hash(defn) == hash(load_definition(DATA / "good.yaml"))


def test_load_all_skips_drafts_and_sorts(tmp_path):
    shutil.copy(SURVEYS / "wonen.yaml", tmp_path / "wonen.yaml")
    shutil.copy(SURVEYS / "koken.yaml", tmp_path / "koken.yaml")
    (tmp_path / "_draft.yaml").write_text("not: [valid", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("ignored", encoding="utf-8")
    assert [d.id for d in load_all(tmp_path)] == ["koken", "wonen"]


def test_load_all_rejects_a_duplicate_survey_id(tmp_path):
    shutil.copy(SURVEYS / "koken.yaml", tmp_path / "koken.yaml")
    shutil.copy(SURVEYS / "koken.yaml", tmp_path / "koken.yml")
    with pytest.raises(SurveyDefinitionError, match="survey id 'koken' is also used by"):
        load_all(tmp_path)


# --------------------------------------------------------------------------- content hash


def test_content_hash_is_stable_and_ignores_layout(tmp_path):
    original = (DATA / "good.yaml").read_text(encoding="utf-8")
    first = load_definition(DATA / "good.yaml")
    assert re.fullmatch(r"[0-9a-f]{64}", first.content_hash)
    assert load_definition(DATA / "good.yaml").content_hash == first.content_hash
    copy = tmp_path / "good.yaml"
    shutil.copytree(DATA / "audio", tmp_path / "audio")
    copy.write_text("# a new comment\n\n" + original, encoding="utf-8")
    moved = load_definition(copy)
    assert moved.content_hash == first.content_hash
    assert moved == first  # source_path is not part of equality


def test_content_hash_changes_when_a_text_changes(tmp_path):
    original = (DATA / "good.yaml").read_text(encoding="utf-8")
    first = load_definition(DATA / "good.yaml")
    shutil.copytree(DATA / "audio", tmp_path / "audio")
    changed = tmp_path / "good.yaml"
    assert 'en: "Why?"' in original
    changed.write_text(original.replace('en: "Why?"', 'en: "Why not?"'), encoding="utf-8")
    assert load_definition(changed).content_hash != first.content_hash


# --------------------------------------------------------------------------- show_if


def test_visible_questions_applies_show_if():
    defn = load_definition(DATA / "good.yaml")

    def ids(answers):
        return [q.id for q in visible_questions(defn, answers)]

    base = ["kitchen", "happy", "safe", "other"]
    assert ids({}) == base
    assert ids({"kitchen": "none"}) == base
    assert ids({"kitchen": "own"}) == ["kitchen", "days", "happy", "safe", "other"]
    assert ids({"safe": "no"}) == ["kitchen", "happy", "safe", "why_unsafe", "other"]
    assert ids({"safe": "dont_know"}) == base
    assert ids({"happy": 2}) == ["kitchen", "happy", "safe", "barriers", "other"]
    assert ids({"happy": "5"}) == base


def test_visible_questions_with_multiple_choice_and_chains(shipped):
    defn = shipped["taallessen"]
    shown = [q.id for q in visible_questions(defn, {"taking_classes": "waiting"})]
    assert "waiting_weeks" in shown and "why_no_classes" in shown
    assert "class_rating" not in shown
    privacy = shipped["privacy"]
    shown = [q.id for q in visible_questions(privacy, {"feel_safe": "2", "sleep": "5"})]
    assert "unsafe_where" in shown and "sleep_problems" not in shown


def test_condition_matches_a_list_answer():
    defn = load_definition(DATA / "good.yaml")
    cond = defn.question("days").show_if
    assert cond.matches(["none", "shared"])
    assert not cond.matches(["none"])
    assert not cond.matches(None)


# --------------------------------------------------------------------------- broken files

BROKEN = [
    # (file stem, question, field, words in the message)
    ("bad_missing_language", "kitchen", "text", "missing language 'en'"),
    ("bad_unknown_field", "safe", "requierd", "did you mean 'required'"),
    ("bad_duplicate_option", "kitchen", "options", "duplicate value 'own'"),
    ("bad_show_if_later", "days", "show_if", "comes after this one"),
    ("bad_show_if_value", "days", "show_if", "has no option 'garden'"),
    ("bad_show_if_free_text", "barriers", "show_if", "needs a question with options"),
    ("bad_type", "kitchen", "type", "did you mean 'single_choice'"),
    ("bad_duplicate_question", "kitchen", "id", "used twice"),
    ("bad_missing_audio", "happy", "audio", "does not exist"),
    ("bad_audio_outside", "happy", "audio", "relative to the survey file"),
    ("bad_max_length", "other", "max_length", "whole number from 1"),
    ("bad_number_range", "days", "min_value", "not be larger than max_value"),
    ("bad_field_for_type", "happy", "max_length", "not used by a question of type 'scale'"),
    ("bad_boolean_value", "barriers", "options[2].value", "put the value in quotes"),
    ("bad_unknown_language", None, "title", "language 'fr' is not offered"),
    ("bad_id_mismatch", None, "id", "must equal the file name"),
    ("bad_missing_title", None, "title", "missing"),
]


@pytest.mark.parametrize(("stem", "question", "field", "words"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_file_names_file_question_and_field(stem, question, field, words):
    path = DATA / f"{stem}.yaml"
    with pytest.raises(SurveyDefinitionError) as info:
        load_definition(path)
    err = info.value
    message = str(err)
    assert message.startswith(f"{path}: ")
    assert err.path == str(path)
    assert err.question == question
    assert err.field == field
    if question is not None:
        assert f"question '{question}'" in message
    assert f"field '{field}'" in message
    assert words in message


def test_error_message_has_the_documented_shape():
    with pytest.raises(SurveyDefinitionError) as info:
        load_definition(DATA / "bad_missing_language.yaml")
    assert str(info.value) == (
        f"{DATA / 'bad_missing_language.yaml'}: question 'kitchen': field 'text': "
        "missing language 'en'"
    )


@pytest.mark.parametrize(
    ("stem", "words"),
    [
        ("bad_syntax", r"invalid YAML: .* at line \d+, column \d+"),
        ("bad_not_mapping", "must be a mapping of fields .* but it is a list"),
        ("bad_duplicate_key", r"key 'text' appears twice \(line \d+\)"),
    ],
)
def test_file_level_errors_name_the_file(stem, words):
    path = DATA / f"{stem}.yaml"
    with pytest.raises(SurveyDefinitionError, match=words) as info:
        load_definition(path)
    assert str(info.value).startswith(f"{path}: ")


def test_empty_and_huge_and_missing_files_are_rejected(tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(SurveyDefinitionError, match="but it is empty"):
        load_definition(empty)
    huge = tmp_path / "huge.yaml"
    huge.write_text("id: huge\n# " + "x" * 1_000_001 + "\n", encoding="utf-8")
    with pytest.raises(SurveyDefinitionError, match="too large"):
        load_definition(huge)
    with pytest.raises(SurveyDefinitionError, match="cannot read file"):
        load_definition(tmp_path / "nowhere.yaml")


def test_yaml_tags_that_build_python_objects_are_refused(tmp_path):
    evil = tmp_path / "evil.yaml"
    evil.write_text("id: !!python/object/apply:os.system ['true']\n", encoding="utf-8")
    with pytest.raises(SurveyDefinitionError, match="invalid YAML"):
        load_definition(evil)


def test_non_utf8_file_is_rejected(tmp_path):
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("title: {nl: caf\xe9}\n".encode("latin-1"))
    with pytest.raises(SurveyDefinitionError, match="not UTF-8"):
        load_definition(latin)
