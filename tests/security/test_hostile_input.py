"""Hostile input: every answer is a clear refusal or stored safely, never a 500, never half-stored.

Property-based (hypothesis, bounded examples so the file stays fast) over the four ways text gets
in: the survey form, live meeting input, the survey YAML loader and the analysis CLI's JSONL.
The strings mix right-to-left overrides, zero-width characters, emoji, combining marks, NUL and
other control characters, HTML/script, template syntax, SQL metacharacters and spreadsheet
formulas; bodies carry invalid UTF-8, duplicated and missing fields, wrong types and too much data;
codes carry path tricks. After every request the Response/Answer counts are compared: a request
either stores one whole response or nothing.
"""

from __future__ import annotations

import csv
import io
import json
import string
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from tests.conftest import login
from tests.security.helpers import (
    PROEF,
    answers_per_response,
    counts,
    live_meeting,
    open_survey,
    signed_state,
    submit,
    valid_answers,
)
from werkzeug.datastructures import MultiDict

from klankbord.accounts.models import Organisation
from klankbord.core import respondent_errors

FAST = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)

#: Pieces attackers and broken phones send.
NASTY = [
    "\u202e",  # right-to-left override
    "\u202d\u2066\u2067\u2069",  # other bidi controls
    "\u200b\u200c\u200d\ufeff",  # zero-width characters and BOM
    "🙂👩🏽‍🍳🇳🇱",  # emoji, skin tone, ZWJ sequence, flag
    "e\u0301" + "\u0301" * 40,  # a pile of combining marks
    "\x00",
    "\x07\x1b[31m\x7f",
    "\r\n",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}{% raw %}",
    "'; DROP TABLE survey_response; --",
    "' OR '1'='1",
    "\\x27 %27 %00 %2e%2e/",
    '=HYPERLINK("http://evil.example")',
    "ـــ",  # Arabic tatweel
    "ትግርኛ فارسی Українська",
]
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'

hostile_text = st.lists(
    st.one_of(st.sampled_from(NASTY), st.text(max_size=12)), min_size=1, max_size=6
).map("".join)


@pytest.fixture
def survey(app, db, make):
    return open_survey(app, db, make)


@pytest.fixture
def meeting(db, make):
    return live_meeting(db, make)


def _stored_story(db):
    from klankbord.surveys.models import Answer

    return db.session.execute(
        select(Answer.value_text).where(Answer.question_id == "story")
    ).scalars().all()


def _no_raw_markup(html: str) -> None:
    assert SCRIPT not in html and "<img src=x" not in html


# Survey submission -------------------------------------------------------------------------


@FAST
@given(story=hostile_text, lang=st.sampled_from(["nl", "en", "ar"]))
def test_any_free_text_is_stored_cleaned_or_refused(app, client, db, survey, story, lang):
    before = counts(db)
    response = submit(client, app, survey, valid_answers(story), lang=lang)
    after = counts(db)
    if "\x00" in story:  # refused for every route (core.security.refuse_nul_characters)
        assert response.status_code == 400 and after == before
        assert respondent_errors.text("title_400", lang) in response.get_data(as_text=True)
        return
    assert response.status_code in (303, 422), response.status_code
    if response.status_code == 303:
        assert after[0] == before[0] + 1
        assert after[1] - before[1] in (5, 6)  # the story is dropped when nothing is left of it
        stored = _stored_story(db)
        for text in stored:
            assert "\x00" not in text and "\x07" not in text and "\x7f" not in text
            assert len(text) <= 60
    else:
        assert after == before
        _no_raw_markup(response.get_data(as_text=True))


FIELD_NAMES = [
    "key", "token", "page", "nav", "slip", "a.kitchen", "a.days", "a.happy", "a.safe",
    "a.barriers", "a.story", "a.nationality", "a.", "a.kitchen\x00", "A.KITCHEN", "csrf_token",
]
FIELD_VALUES = st.one_of(
    st.sampled_from([
        "own", "shared", "none", "money", "time", "yes", "no", "1", "5", "0", "7", "-0", "+3",
        "٣", "۷", "99999999999999999999", "1e3", "3.5", "", " ", "next", "back", "check",
        "goto:story", "goto:../../etc", "kitchen", "x" * 61,
    ]),
    hostile_text,
)


@FAST
@given(
    fields=st.lists(st.tuples(st.sampled_from(FIELD_NAMES), FIELD_VALUES), max_size=12),
    signed=st.booleans(),
    path=st.sampled_from(["submit", "q"]),
)
def test_arbitrary_fields_give_a_clear_answer_and_never_half_a_response(
    app, client, db, survey, fields, signed, path
):
    before = counts(db)
    state = signed_state(app, survey.code) if signed else {}
    data = MultiDict([*state.items(), *fields])
    response = client.post(f"/s/{survey.code}/nl/{path}", data=data)
    assert response.status_code in (200, 303, 400, 409, 422), response.status_code
    after = counts(db)
    if path == "q" or response.status_code != 303:
        assert after == before
    else:
        assert after[0] == before[0] + 1 and after[1] > before[1]
    # Every stored response is whole: the required question is always there.
    assert all(n >= 1 for n in answers_per_response(db))
    _no_raw_markup(response.get_data(as_text=True))


@pytest.mark.parametrize(
    "raw_story",
    [b"%FF%FE%FD", b"%ED%A0%80", b"%C0%AF..%C0%AF", b"abc%00def", b"\xff\xfe\xed\xa0\x80"],
    ids=["invalid-utf8", "lone-surrogate-cesu", "overlong-slash", "nul", "raw-bytes"],
)
def test_invalid_utf8_in_the_form_body_is_replaced_not_fatal(app, client, db, survey, raw_story):
    state = signed_state(app, survey.code)
    body = (
        f"key={state['key']}&token={state['token']}&a.kitchen=own&a.happy=3&a.story=".encode()
        + raw_story
    )
    before = counts(db)
    response = client.post(
        f"/s/{survey.code}/en/submit",
        data=body,
        content_type="application/x-www-form-urlencoded",
    )
    # Undecodable bytes become U+FFFD, or (raw bytes) make the form unreadable: a clear 400.
    assert response.status_code in (303, 400, 422)
    if response.status_code == 303:
        assert counts(db)[0] == before[0] + 1
        for text in _stored_story(db):
            assert "\x00" not in text
            text.encode("utf-8")  # storable and readable: no lone surrogates


def test_duplicated_single_answer_and_wrong_types_are_refused(app, client, db, survey):
    for fields in (
        [("a.kitchen", "own"), ("a.kitchen", "none")],
        [("a.kitchen", "own"), ("a.days", "3"), ("a.days", "4")],
        [("a.kitchen", "own"), ("a.days", "drie")],
        [("a.kitchen", "own"), ("a.days", "99999999999999999999")],
        [("a.kitchen", ["own"])],
        [("a.kitchen", "own"), ("a.happy", "6")],
    ):
        response = submit(client, app, survey, fields)
        assert response.status_code in (400, 422), fields
    assert counts(db) == (0, 0)


def test_overlong_text_is_refused_in_the_language_and_nothing_stored(app, client, db, survey):
    from klankbord.surveys import ui_text

    response = submit(client, app, survey, valid_answers("ء" * 10_000), lang="ar")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    assert ui_text.TEXTS["err_too_long"]["ar"].split("{")[0].strip() in page
    assert counts(db) == (0, 0)


@pytest.mark.parametrize("lang", ["ar", "ti", "nl"])
def test_a_huge_body_gets_413_in_the_language_and_stores_nothing(
    app, client, db, survey, meeting, lang
):
    limit = app.config["MAX_CONTENT_LENGTH"]
    huge = "x" * (limit + 1024)
    targets = [f"/m/{meeting.join_code}/{lang}/idea"]
    if lang in ("nl", "en", "ar"):  # the languages of the test survey
        targets.append(f"/s/{survey.code}/{lang}/submit")
    for url in targets:
        response = client.post(url, data={"a.story": huge, "text": huge})
        assert response.status_code == 413, url
        page = response.get_data(as_text=True)
        assert f'<html lang="{lang}"' in page
        assert respondent_errors.text("title_413", lang) in page
    response = client.post(
        targets[-1],
        data={"file": (io.BytesIO(b"\0" * (limit + 1)), "big.bin")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert counts(db) == (0, 0)
    from klankbord.meetings.models import MeetingIdea

    assert db.session.execute(select(func.count(MeetingIdea.id))).scalar_one() == 0


def test_a_huge_login_body_gets_413(client):
    response = client.post("/login", data={"email": "a@b.nl", "password": "x" * 300_000})
    assert response.status_code == 413


# Codes and paths ---------------------------------------------------------------------------

SECRETS_ON_DISK = ("[build-system]", "root:x:0:0", "SECRET_KEY", "Traceback")


def _path_tricks(code: str, join: str) -> list[str]:
    return [
        "/s/../../etc/passwd",
        "/s/%2e%2e/%2e%2e/etc/passwd",
        "/s/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/s/..%2f..%2fpyproject.toml",
        "/s/%00",
        "/s/AB%00CD/nl",
        "/s/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/s/'%20OR%201=1--/nl",
        f"/s/{code}/..%2f..%2fetc%2fpasswd",
        f"/s/{code}/%00/q",
        f"/s/{code}/audio/../../pyproject.toml",
        f"/s/{code}/audio/..%2f..%2fpyproject.toml",
        f"/s/{code}/audio/%2e%2e/%2e%2e/%2e%2e/pyproject.toml",
        f"/s/{code}/audio/audio/proef/nl/../../../../../pyproject.toml",
        f"/s/{code}/audio//etc/passwd",
        f"/s/{code}/audio/proef.yaml",
        f"/s/{code}/nl/thanks?receipt=%3Cscript%3E&slip=%00",
        f"/s/{code}/nl?slip='%20OR%201=1--",
        f"/s/{code}/nl/results?slip=%3Cscript%3Ealert(1)%3C/script%3E",
        "/m/%00/nl",
        "/m/'%20OR%20'1'='1/nl",
        f"/m/{join}/..%2f..%2f",
        f"/m/{join}/nl/state.json/../../../etc/passwd",
        "/m?code=%3Cscript%3Ealert(1)%3C/script%3E",
        "/m?code='%20OR%201=1--",
        "/g/..%2f..%2fpyproject.toml",
        "/g/%00?lang=%00",
        "/static/../pyproject.toml",
        "/static/%2e%2e/%2e%2e/pyproject.toml",
        "/static/..%2f..%2f..%2fpyproject.toml",
    ]


def test_path_tricks_in_codes_never_leak_files_or_fail(app, client, db, survey, meeting):
    for url in _path_tricks(survey.code, meeting.join_code):
        for method in ("GET", "POST"):
            response = client.open(url, method=method)
            assert response.status_code < 500, (method, url, response.status_code)
            body = response.get_data(as_text=True)
            for secret in SECRETS_ON_DISK:
                assert secret not in body, (method, url)
            _no_raw_markup(body)
    assert counts(db) == (0, 0)


def test_a_code_with_sql_is_just_an_unknown_code(app, client, db, survey):
    for code in ("' OR 1=1 --", '" OR ""="', "1; SELECT pg_sleep(5)", "%' OR '%'='"):
        response = client.get("/s/" + code.replace(" ", "%20").replace("%'", "%25'") + "/nl")
        assert response.status_code in (400, 404)
    # The deployment table is intact.
    assert client.get(f"/s/{survey.code}/nl").status_code == 200


# Live meeting input --------------------------------------------------------------------------


def _ideas(db) -> list:
    from klankbord.meetings.models import MeetingIdea

    return db.session.execute(select(MeetingIdea)).scalars().all()


@FAST
@given(text=hostile_text, alias=st.one_of(st.none(), hostile_text), lang=st.sampled_from(
    ["nl", "ar", "ti", "fa"]
))
def test_any_live_input_is_stored_cleaned_or_refused(app, client, db, meeting, text, alias, lang):
    before = len(_ideas(db))
    data = {"text": text} if alias is None else {"text": text, "alias": alias}
    response = client.post(f"/m/{meeting.join_code}/{lang}/idea", data=data)
    ideas = _ideas(db)
    if "\x00" in text + (alias or ""):
        assert response.status_code == 400 and len(ideas) == before
        return
    # 302: stored; 200: refused, the room again with the text given back (escaped) to edit.
    assert response.status_code in (200, 302), response.status_code
    assert len(ideas) == before + (response.status_code == 302)
    if response.status_code == 200:
        _no_raw_markup(response.get_data(as_text=True))
    for idea in ideas:
        assert "\x00" not in idea.text and "\x00" not in (idea.alias or "")
    room = client.get(f"/m/{meeting.join_code}/{lang}")
    assert room.status_code == 200
    _no_raw_markup(room.get_data(as_text=True))


def test_live_input_with_invalid_utf8_and_missing_or_duplicated_fields(app, client, db, meeting):
    url = f"/m/{meeting.join_code}/ar/idea"
    for body in (b"text=%FF%FE%ED%A0%80", b"text=\xff\xfe", b"", b"alias=x", b"text=a&text=b",
                 b"text=%00%00", b"text[]=x&text[]=y", b"%00=x"):
        response = client.post(url, data=body, content_type="application/x-www-form-urlencoded")
        assert response.status_code in ((400,) if b"%00" in body else (200, 302)), body
    response = client.post(url, data=json.dumps({"text": 5}), content_type="application/json")
    assert response.status_code in (200, 302, 400)
    for idea in _ideas(db):
        idea.text.encode("utf-8")
    for poll_id in ("0", "-1", "99999999999999999999", "abc", "%00"):
        assert client.post(f"/m/{meeting.join_code}/ar/poll/{poll_id}").status_code in (
            302, 400, 404
        )
        assert client.post(f"/m/{meeting.join_code}/ar/support/{poll_id}").status_code in (
            302, 400, 404
        )


def test_markup_in_ideas_is_escaped_on_the_staff_and_phone_pages(app, client, db, make, meeting):
    from klankbord.meetings import services

    client.post(f"/m/{meeting.join_code}/nl/idea", data={"text": SCRIPT + IMG, "alias": SCRIPT})
    (idea,) = _ideas(db)
    services.moderate_idea(idea, "approved")
    db.session.commit()
    phone = client.get(f"/m/{meeting.join_code}/nl").get_data(as_text=True)
    _no_raw_markup(phone)
    assert "&lt;script&gt;" in phone
    state = client.get(f"/m/{meeting.join_code}/nl/state.json")
    assert state.status_code == 200 and state.mimetype == "application/json"
    staff = app.test_client()
    org = db.session.get(Organisation, meeting.organisation_id)
    login(staff, make.user(org, "admin"))
    for url in (f"/meetings/{meeting.id}/live", f"/meetings/{meeting.id}"):
        page = staff.get(url)
        assert page.status_code == 200, url
        _no_raw_markup(page.get_data(as_text=True))


# Survey YAML loader --------------------------------------------------------------------------


def _load(tmp_path: Path, content: bytes | str):
    from klankbord.surveys.definitions import SurveyDefinitionError, load_definition

    path = tmp_path / "hostile.yaml"
    path.write_bytes(content.encode("utf-8", "surrogatepass") if isinstance(content, str)
                     else content)
    try:
        return load_definition(path)
    except SurveyDefinitionError as error:
        message = str(error)
        assert "hostile.yaml" in message and "Traceback" not in message
        return error


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.one_of(st.binary(max_size=300), st.text(max_size=300)))
def test_loader_turns_any_bytes_into_a_definition_or_a_clear_error(tmp_path, content):
    _load(tmp_path, content)


yaml_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
              hostile_text, st.sampled_from(["nl", "en", "ar", "single_choice", "free_text"])),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(["nl", "en", "id", "type", "text", "options", "value",
                                         "questions", "show_if", "max_length", "x"]),
                        children, max_size=4),
    ),
    max_leaves=12,
)


def _leaf_paths(node, prefix=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaf_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaf_paths(value, (*prefix, index))
    yield prefix


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), replacement=yaml_values)
def test_loader_survives_any_field_replaced_by_anything(tmp_path, data, replacement):
    """Take the valid test survey, put any value anywhere: a definition or a clear error."""
    original = yaml.safe_load(PROEF.read_text(encoding="utf-8"))
    paths = [p for p in _leaf_paths(original) if p]
    target = data.draw(st.sampled_from(paths))
    node = original
    for step in target[:-1]:
        node = node[step]
    node[target[-1]] = replacement
    _load(tmp_path, yaml.safe_dump(original, allow_unicode=True))


def test_loader_refuses_alias_bombs_tags_huge_and_broken_files(tmp_path):
    import time

    from klankbord.surveys.definitions import SurveyDefinitionError

    levels = ["a: &a [" + ",".join(['"lol"'] * 9) + "]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    cases = {
        "alias bomb": "\n".join(levels) + "\n",
        "python tag": "id: !!python/object/apply:os.system ['echo hacked']\n",
        "huge": "id: x\n" + "# " + "x" * 2_000_000 + "\n",
        "invalid utf-8": b"id: \xff\xfe\n",
        "lone surrogate": "id: \ud800\n",
        "deep nesting": "a: " + "[" * 5000 + "]" * 5000 + "\n",
        "nul": "id: a\x00b\n",
    }
    for name, content in cases.items():
        started = time.monotonic()
        result = _load(tmp_path, content)
        assert isinstance(result, SurveyDefinitionError), name
        assert time.monotonic() - started < 5, name


# Analysis CLI (JSONL) ------------------------------------------------------------------------

GOOD_LINES = [
    {"id": i, "text": t, "lang": lang}
    for i, (t, lang) in enumerate(
        [
            ("De keuken is vaak vies en kapot", "nl"),
            ("Keuken kapot, fornuis werkt niet", "nl"),
            ("The kitchen is dirty every day", "en"),
            ("المطبخ متسخ دائما", "ar"),
            ("Taalles is te vol, geen plek", "nl"),
            ("Language class is full", "en"),
            ("Te weinig taalles per week", "nl"),
            ("Geen wifi op de kamer", "nl"),
            ("No internet in the room", "en"),
            ("Wifi werkt slecht in de avond", "nl"),
            ("آشپزخانه کثیف است", "fa"),
            ("Mutfak çok kirli", "tr"),
        ]
    )
]

jsonl_line = st.one_of(
    st.builds(
        lambda i, t, lang: json.dumps({"id": i, "text": t, "lang": lang}, ensure_ascii=False),
        st.one_of(st.integers(0, 30), st.text(string.ascii_letters, max_size=3)),
        hostile_text,
        st.one_of(st.none(), st.sampled_from(["nl", "ar", "ti", "xx", ""])),
    ),
    st.sampled_from([
        '{"id": 1}', '{"text": "x"}', "[1, 2]", "null", "{", '{"id": true, "text": "x"}',
        '{"id": 1, "text": 5}', '{"id": 1, "text": "x", "lang": 3}', '{"id": 1, "text": "\\ud800"}',
        '{"id": [1], "text": "x"}', "", "   ", '"\\u0000"',
    ]),
    st.text(max_size=40),
)


def _run_cli(tmp_path, payload: bytes):
    from klankbord.analysis.cli import EXIT_BAD_INPUT, EXIT_OK, run_cluster

    source = tmp_path / "in.jsonl"
    out = tmp_path / "out.json"
    if out.exists():
        out.unlink()
    source.write_bytes(payload)
    code = run_cluster(source, out, progress=False, threads=1)
    assert code in (EXIT_OK, EXIT_BAD_INPUT)
    if code == EXIT_OK:
        json.loads(out.read_text(encoding="utf-8"))
    else:
        assert not out.exists()
    return code


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(jsonl_line, max_size=14))
def test_cluster_cli_answers_any_jsonl_with_output_or_exit_code_2(tmp_path, lines, capsys):
    payload = "\n".join(lines).encode("utf-8", "surrogatepass")
    code = _run_cli(tmp_path, payload)
    if code == 2:
        err = capsys.readouterr().err
        assert err.strip() and "Traceback" not in err


@pytest.mark.parametrize(
    "extra",
    [
        b'{"id": "x1", "text": "\\ud800 keuken \\udfff kapot", "lang": "nl"}',
        '{"id": "x2", "text": "\u202ekapot\u202c \u200b\u200d keuken 🇳🇱", "lang": "ar"}'.encode(),
        b'{"id": "x3", "text": "<script>alert(1)</script> keuken", "lang": null}',
        b"\xff\xfe not utf-8",
        b'{"id": 0, "text": "duplicate id"}',
    ],
    ids=["escaped-surrogates", "bidi-zero-width-emoji", "markup", "invalid-utf8", "duplicate-id"],
)
def test_cluster_cli_with_good_texts_plus_one_hostile_line(tmp_path, extra):
    lines = [json.dumps(line, ensure_ascii=False).encode() for line in GOOD_LINES]
    code = _run_cli(tmp_path, b"\n".join([*lines, extra]) + b"\n")
    if extra.startswith((b"\xff", b'{"id": 0')):
        assert code == 2
    else:
        assert code == 0
        result = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
        assert result["params"]["n_texts"] == len(GOOD_LINES) + 1


# CSV export (reports) ------------------------------------------------------------------------


@settings(max_examples=100, deadline=None, derandomize=True)
@given(cells=st.lists(st.one_of(hostile_text, st.text(max_size=10)), min_size=1, max_size=5))
def test_csv_cells_never_start_a_formula(cells):
    from klankbord.reports.export import FORMULA_STARTS, to_csv

    assume(all("\x00" not in c for c in cells))
    (row,) = list(csv.reader(io.StringIO(to_csv([cells]).lstrip("\ufeff"), newline="")))
    for original, cell in zip(cells, row, strict=True):
        assert not cell.startswith(FORMULA_STARTS)
        assert cell in (original, "'" + original)


def test_no_template_injection_in_respondent_pages(app, client, db, survey):
    response = submit(client, app, survey, valid_answers("{{ 7*7 }} {{ config }}" + "x" * 60))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "SECRET_KEY" not in page and app.config["SECRET_KEY"] not in page
