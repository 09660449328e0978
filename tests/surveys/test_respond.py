"""The no-login answering flow: every shipped survey in every language, branching, bad input."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from markupsafe import escape
from sqlalchemy import func, select
from tests.surveys.conftest import FLOW_DIR  # noqa: F401  (documents where 'proef' lives)

from klankbord.core import time as clock
from klankbord.surveys import ui_text
from klankbord.surveys.definitions import visible_questions
from klankbord.surveys.models import Answer, Response

SHIPPED = ("koken", "privacy", "taallessen", "wonen")
LANGS = ("nl", "en", "ar", "ti", "fa", "tr", "uk")


def _responses(db) -> int:
    return db.session.execute(select(func.count(Response.id))).scalar_one()


def _answer_for(question, index: int):
    """A valid answer to ``question`` as form fields (varied a little per question)."""
    name = f"a.{question.id}"
    if question.type == "multiple_choice":
        return [(name, o.value) for o in question.options[:2]]
    if question.has_options:
        return [(name, question.options[index % len(question.options)].value)]
    if question.type == "number":
        return [(name, str(question.min_value if question.min_value is not None else 1))]
    return [(name, "Meer licht in de gang alstublieft")]


def _answer_everything(db, person, defn, lang):
    """Walk one respondent from the intro to the receipt; return the answers given."""
    response = person.start()
    assert response.status_code == 200
    assert f'<html lang="{lang}" dir="{"rtl" if lang in ("ar", "fa") else "ltr"}">' in person.html
    assert str(escape(defn.text(defn.title, lang))) in person.html
    person.step()  # intro -> first question
    given: dict = {}
    for index in range(40):
        page = person.page()
        if page == "check":
            break
        question = defn.question(page)
        assert str(escape(defn.text(question.text, lang))) in person.html
        fields = _answer_for(question, index)
        given[question.id] = [v for _, v in fields]
        assert person.step(fields).status_code == 200
    else:
        pytest.fail("never reached the check page")
    assert ui_text.text("check_title", lang) in person.html
    flat = {k: v if len(v) > 1 else v[0] for k, v in given.items()}
    assert set(given) == {q.id for q in visible_questions(defn, flat)}
    result = person.submit()
    assert result.status_code == 303
    thanks = person.client.get(result.headers["Location"])
    assert thanks.status_code == 200
    assert str(escape(defn.text(defn.what_happens_next, lang))) in thanks.get_data(as_text=True)
    # Every thank-you page shows the way to the results, in the resident's language (issue 16).
    assert ui_text.text("results_open", lang) in thanks.get_data(as_text=True)
    assert "/results" in thanks.get_data(as_text=True)
    return given


@pytest.mark.parametrize("survey_id", SHIPPED)
def test_full_flow_in_every_shipped_survey_in_every_language(db, deploy, respondent, survey_id):
    from klankbord.surveys.services import definition_of

    deployment = deploy(survey_id)
    defn = definition_of(deployment.version)
    assert defn.language_codes == LANGS
    for lang in LANGS:
        given = _answer_everything(db, respondent(deployment, lang), defn, lang)
        stored = db.session.execute(select(Response).where(Response.language == lang)).scalar_one()
        assert stored.version_id == deployment.version_id
        rows = (
            db.session.execute(select(Answer).where(Answer.response_id == stored.id))
            .scalars()
            .all()
        )
        assert {a.question_id for a in rows} == set(given), lang
        assert sum(len(v) for v in given.values()) == len(rows), lang
    assert _responses(db) == len(LANGS)


def test_back_and_change_from_the_check_page(db, proef, respondent):
    person = respondent(proef, "en")
    person.start()
    person.step()
    assert person.page() == "kitchen"
    person.step([("a.kitchen", "own")])
    assert person.page() == "days"
    person.step([("a.days", "3")], nav="back")
    assert person.page() == "kitchen"
    assert 'value="own" checked' in person.html  # the answer is kept when going back
    # The number answer travels along as a hidden field.
    assert ("a.days", "3") in person.hidden_answers()
    for _ in range(6):
        if person.page() == "check":
            break
        person.step()
    assert person.page() == "check"
    assert "Own kitchen" in person.html and ">3<" in person.html
    person.step(nav="goto:happy")
    assert person.page() == "happy"
    person.step([("a.happy", "5")])
    assert person.page() == "safe"


def test_show_if_hides_a_branch_and_its_answer_is_not_stored(db, proef, respondent):
    person = respondent(proef, "nl")
    person.start()
    person.step()
    person.step([("a.kitchen", "none")])
    assert person.page() == "happy"  # 'days' is skipped without a kitchen
    # A stale answer to the hidden question (e.g. after going back) is not stored.
    person.html += '<input type="hidden" name="a.days" value="5">'
    for _ in range(6):
        if person.page() == "check":
            break
        person.step()
    assert "Hoeveel dagen?" not in person.html
    assert person.submit().status_code == 303
    rows = db.session.execute(select(Answer.question_id)).scalars().all()
    assert rows == ["kitchen"]


def test_show_if_opens_the_branch(db, proef, respondent):
    person = respondent(proef, "nl")
    person.start()
    person.step()
    person.step([("a.kitchen", "shared")])
    assert person.page() == "days"
    assert "Hoeveel dagen?" in person.html


def test_sensitive_note_audio_faces_and_labels(db, proef, respondent, client):
    person = respondent(proef, "nl")
    person.start()
    person.step()
    # Audio for the question and an option, downloaded only on play.
    assert person.html.count('preload="none"') == 2
    audio_src = re.search(r'<audio[^>]+src="([^"]+kitchen\.mp3)"', person.html).group(1)
    assert client.get(audio_src).status_code == 200
    person.step([("a.kitchen", "none")])
    assert "face_very_unhappy" in person.html and "Heel slecht" in person.html
    assert '<fieldset class="q scale"' in person.html and "<legend>" in person.html
    # Every radio has a label.
    ids = re.findall(r'<input type="radio" id="([^"]+)"', person.html)
    assert ids and all(f'<label class="opt" for="{i}">' in person.html for i in ids)
    person.step([("a.happy", "3")])
    assert person.page() == "safe"
    assert 'role="note"' in person.html and "U mag dit overslaan." in person.html
    # English has no recording: no audio element, the read-aloud hook is there instead.
    en = respondent(proef, "en")
    en.start()
    en.step()
    assert "<audio" not in en.html and "data-say" in en.html


def test_audio_route_serves_only_recordings_named_in_the_survey(proef, client):
    assert client.get(f"/s/{proef.code}/audio/audio/proef/nl/own.mp3").status_code == 200
    assert client.get(f"/s/{proef.code}/audio/proef.yaml").status_code == 404
    assert client.get(f"/s/{proef.code}/audio/../conftest.py").status_code == 404
    assert client.get(f"/s/{proef.code}/audio/audio/proef/../../proef.yaml").status_code == 404
    assert client.get("/s/NOPE2345/audio/audio/proef/nl/own.mp3").status_code == 404


def test_stop_forgets_and_leaves(db, proef, respondent, client):
    person = respondent(proef, "ar")
    person.start()
    person.step()
    stop = re.search(r'<a class="stop" href="([^"]+)"', person.html).group(1)
    page = client.get(stop)
    assert page.status_code == 200
    assert ui_text.text("stopped_text", "ar") in page.get_data(as_text=True)
    assert 'dir="rtl"' in page.get_data(as_text=True)
    assert _responses(db) == 0


def _walk_to_check(person, answers: dict):
    person.start()
    person.step()
    for _ in range(10):
        page = person.page()
        if page == "check":
            return
        value = answers.get(page)
        fields = (
            [(f"a.{page}", v) for v in (value if isinstance(value, list) else [value])]
            if value
            else []
        )
        person.step(fields)
    raise AssertionError("no check page")


def test_free_text_is_scrubbed_before_it_is_stored(db, proef, respondent):
    person = respondent(proef, "nl")
    _walk_to_check(person, {"kitchen": "none", "story": "Bel mij op 06-12345678 aub"})
    assert person.submit().status_code == 303
    stored = db.session.execute(select(Answer.value_text).where(Answer.question_id == "story"))
    text = stored.scalar_one()
    assert "12345678" not in text
    assert "[telefoonnummer]" in text


def test_double_submit_stores_once_and_shows_the_same_receipt(db, proef, respondent, client):
    person = respondent(proef, "en")
    _walk_to_check(person, {"kitchen": "own", "days": "2", "barriers": ["money", "travel"]})
    first = person.submit()
    second = person.submit()
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert _responses(db) == 1
    receipt = re.search(r"receipt=([A-Z0-9-]+)", first.headers["Location"]).group(1)
    assert receipt in client.get(first.headers["Location"]).get_data(as_text=True)
    # Multiple choice is one row per chosen option.
    values = (
        db.session.execute(
            select(Answer.value_text)
            .where(Answer.question_id == "barriers")
            .order_by(Answer.position)
        )
        .scalars()
        .all()
    )
    assert values == ["money", "travel"]


def test_same_key_with_other_answers_is_refused_and_the_first_kept(db, proef, respondent):
    person = respondent(proef, "nl")
    _walk_to_check(person, {"kitchen": "own", "days": "2"})
    assert person.submit().status_code == 303
    tampered = [(k, "5" if k == "a.days" else v) for k, v in person.hidden_answers()]
    refused = person.post("submit", tampered)
    assert refused.status_code == 409
    assert ui_text.text("conflict", "nl") in refused.get_data(as_text=True)
    assert _responses(db) == 1
    kept = db.session.execute(select(Answer.value_number).where(Answer.question_id == "days"))
    assert kept.scalar_one() == 2


def test_a_form_that_waited_a_day_still_submits(db, proef, respondent):
    person = respondent(proef, "nl")
    _walk_to_check(person, {"kitchen": "none"})
    clock.freeze(clock.utcnow() + timedelta(days=1))
    assert person.submit().status_code == 303
    assert _responses(db) == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://evil.example"},
    ],
)
def test_cross_site_posts_are_refused(db, proef, respondent, headers):
    person = respondent(proef, "nl")
    _walk_to_check(person, {"kitchen": "none"})
    response = person.submit(**headers)
    assert response.status_code == 403
    assert _responses(db) == 0


def test_same_origin_posts_with_a_null_origin_are_accepted(db, proef, respondent):
    # Referrer-Policy: no-referrer makes browsers send "Origin: null" on same-origin form posts.
    person = respondent(proef, "nl")
    _walk_to_check(person, {"kitchen": "none"})
    response = person.submit(Origin="null", **{"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 303


def _submit_raw(person, fields):
    response = person.post("submit", fields)
    return response, response.get_data(as_text=True)


@pytest.mark.parametrize(
    "fields, code, question",
    [
        ([], "err_required", "kitchen"),
        ([("a.kitchen", "castle")], "err_unknown_option", "kitchen"),
        ([("a.kitchen", "own"), ("a.kitchen", "none")], "err_malformed", "kitchen"),
        ([("a.kitchen", "own"), ("a.days", "veel")], "err_not_number", "days"),
        ([("a.kitchen", "own"), ("a.days", "9")], "err_out_of_range", "days"),
        (
            [("a.kitchen", "none"), ("a.barriers", "money"), ("a.barriers", "fun")],
            "err_unknown_option",
            "barriers",
        ),
        ([("a.kitchen", "none"), ("a.story", "x" * 61)], "err_too_long", "story"),
    ],
)
def test_bad_input_shows_the_message_by_the_question_and_stores_nothing(
    db, proef, respondent, fields, code, question
):
    for lang in ("nl", "ar"):
        person = respondent(proef, lang)
        person.start()
        response, page = _submit_raw(person, fields)
        assert response.status_code == 422
        message = ui_text.TEXTS[code][lang].split("{")[0].strip()
        assert message in page, lang
        # The message sits with its question on the check page.
        assert re.search(rf'id="r-{question}".*?class="error" id="r-{question}-err"', page, re.S)
    assert _responses(db) == 0


def test_bad_input_on_a_question_page_comes_back_with_the_message(db, proef, respondent):
    person = respondent(proef, "en")
    person.start()
    person.step()
    response = person.step([])  # the required 'kitchen' left empty
    assert response.status_code == 422
    assert ui_text.text("err_required", "en") in person.html
    assert 'aria-describedby="q-kitchen-err"' in person.html
    person.step([("a.kitchen", "own")])
    response = person.step([("a.days", "٣٠")])  # Arabic-Indic 30: read as a number, too big
    assert response.status_code == 422
    assert "Choose a number from 0 to 7." in person.html
    assert 'value="٣٠"' in person.html  # what was typed stays, to be corrected
    response = person.step([("a.days", "12")])
    assert response.status_code == 422 and 'value="12"' in person.html
    response = person.step([("a.days", "٣")])
    assert response.status_code == 200 and person.page() == "happy"


MALFORMED = {
    "forged token": (lambda s: {**s, "token": "0" * 40}, [], ("q", "submit")),
    "no key": (lambda s: {k: v for k, v in s.items() if k != "key"}, [], ("q", "submit")),
    "short key": (lambda s: {**s, "key": "short"}, [], ("q", "submit")),
    "unknown question": (dict, [("a.nationality", "x")], ("q", "submit")),
    "unknown button": (dict, [("nav", "jump")], ("q",)),
    "unknown page": (dict, [("page", "nowhere")], ("q",)),
}


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_malformed_requests_get_a_friendly_400_and_store_nothing(
    db, proef, client, respondent, case
):
    from werkzeug.datastructures import MultiDict

    mutate, extra, paths = MALFORMED[case]
    person = respondent(proef, "nl")
    person.start()
    state = mutate(dict(person.state))
    for path in paths:
        data = [*state.items(), ("a.kitchen", "own"), *extra]
        if not any(k == "page" for k, _ in extra):
            data.append(("page", ""))
        response = client.post(f"/s/{proef.code}/nl/{path}", data=MultiDict(data))
        assert response.status_code == 400, path
        assert ui_text.text("bad_request_title", "nl") in response.get_data(as_text=True)
    assert _responses(db) == 0


def test_unknown_not_yet_open_and_closed_codes_get_friendly_pages(db, deploy, client):
    unknown = client.get("/s/ZZZZ2345/fa")
    assert unknown.status_code == 404
    assert ui_text.text("not_found_title", "fa") in unknown.get_data(as_text=True)
    assert 'dir="rtl"' in unknown.get_data(as_text=True)
    assert client.get("/s/ZZZZ2345").status_code == 404

    later = deploy("koken", opens_in=timedelta(days=2))
    page = client.get(f"/s/{later.code}/tr")
    assert page.status_code == 403
    assert ui_text.text("not_open_title", "tr") in page.get_data(as_text=True)

    closed = deploy("koken", opens_in=timedelta(days=-10), length=timedelta(days=5))
    page = client.get(f"/s/{closed.code}/uk")
    assert page.status_code == 410
    assert ui_text.text("closed_title", "uk") in page.get_data(as_text=True)


def test_a_survey_that_closes_while_the_form_is_open_refuses_the_answers(db, proef, respondent):
    person = respondent(proef, "en")
    _walk_to_check(person, {"kitchen": "none"})
    clock.freeze(proef.closes_at + timedelta(seconds=1))
    response = person.submit()
    assert response.status_code == 410
    assert _responses(db) == 0


def test_a_language_the_survey_does_not_offer_goes_to_the_picker(proef, client):
    response = client.get(f"/s/{proef.code}/uk")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/s/{proef.code}")
    picker = client.get(f"/s/{proef.code}").get_data(as_text=True)
    assert 'lang="ar" dir="rtl"' in picker and "العربية" in picker and "Nederlands" in picker


def test_the_question_counter_never_jumps_when_a_branch_opens(db, proef, respondent):
    """With branches a total would grow as they open (1 of 7, 2 of 8); the counter counts up."""
    from klankbord.surveys.services import definition_of

    defn = definition_of(proef.version)
    person = respondent(proef, "nl")
    person.start()
    person.step()
    seen = []
    for _ in range(20):
        page = person.page()
        if page == "check":
            break
        seen.append(re.search(r'<p class="progress">([^<]*)</p>', person.html).group(1))
        question = defn.question(page)
        value = "shared" if page == "kitchen" else None  # "shared" opens the 'days' branch
        fields = [(f"a.{page}", value)] if value else _answer_for(question, 0)
        person.step(fields)
    assert len(seen) >= 3
    assert seen == [f"Vraag {n}" for n in range(1, len(seen) + 1)]
