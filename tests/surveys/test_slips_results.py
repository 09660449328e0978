"""Paper slips (one answer each, no link to the answer) and the public results page."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, inspect, select

from klankbord.core import time as clock
from klankbord.core.time import utcnow
from klankbord.surveys import services, ui_text
from klankbord.surveys.models import ParticipationSlip, Response


def _walk(person, answers: dict, slip=None):
    person.start(slip=slip)
    person.step()
    for _ in range(10):
        page = person.page()
        if page == "check":
            return
        value = answers.get(page)
        person.step([(f"a.{page}", value)] if value else [])
    raise AssertionError("no check page")


def _count(db, model=Response) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_slip_allows_one_answer_and_is_only_marked_used(db, proef, respondent, client):
    (code,) = services.create_slips(proef, 1)
    db.session.commit()
    person = respondent(proef, "nl")
    _walk(person, {"kitchen": "none"}, slip=code)
    assert person.state["slip"] == code
    done = person.submit()
    assert done.status_code == 303 and f"slip={code}" in done.headers["Location"]
    thanks = client.get(done.headers["Location"]).get_data(as_text=True)
    assert f"/s/{proef.code}/nl/results?slip={code}" in thanks
    slip = db.session.execute(select(ParticipationSlip)).scalar_one()
    assert slip.used is True
    # Nothing ties the slip to the response.
    slip_columns = {c.name for c in inspect(ParticipationSlip).columns}
    assert slip_columns == {"id", "deployment_id", "code_hash", "created_at", "used"}
    assert not any(
        fk.column.table.name == "survey_response" for fk in ParticipationSlip.__table__.foreign_keys
    )
    # The same slip again: a friendly refusal that points at the results.
    again = client.get(f"/s/{proef.code}/en?slip={code}")
    assert again.status_code == 409
    assert ui_text.text("slip_used", "en") in again.get_data(as_text=True)


def test_two_forms_with_one_slip_store_one_answer(db, proef, respondent):
    (code,) = services.create_slips(proef, 1)
    db.session.commit()
    first, second = respondent(proef, "nl"), respondent(proef, "ar")
    _walk(first, {"kitchen": "own"}, slip=code)
    _walk(second, {"kitchen": "none"}, slip=code)
    assert first.submit().status_code == 303
    refused = second.submit()
    assert refused.status_code == 409
    assert ui_text.text("slip_used", "ar") in refused.get_data(as_text=True)
    assert _count(db) == 1
    # The first person retrying (lost connection) still gets their receipt.
    assert first.submit().status_code == 303
    assert _count(db) == 1


def test_unknown_slip_and_required_slip(db, proef, client, respondent):
    page = client.get(f"/s/{proef.code}/nl?slip=NOPE-NOPE")
    assert page.status_code == 404
    assert ui_text.text("slip_unknown", "nl") in page.get_data(as_text=True)
    proef.slip_required = True
    db.session.commit()
    page = client.get(f"/s/{proef.code}/en")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="slip"' in text and 'name="key"' not in text
    assert '<label for="slip">' in text
    # A crafted submission without a slip stores nothing.
    person = respondent(proef, "en")
    key = "k" * 22
    from klankbord.surveys.respondent import form_token

    with client.application.test_request_context():
        token = form_token(proef.code, key)
    person.state = {"key": key, "token": token}
    assert person.post("submit", [("a.kitchen", "own")]).status_code == 400
    assert _count(db) == 0


def test_results_page_respects_the_minimum_group_size(db, proef, client):
    from klankbord.surveys.services import definition_of, submit_response

    proef.organisation.min_group_size = 5
    proef.follow_up = {"nl": "Wij openen een tweede keuken.", "en": "We open a second kitchen."}
    defn = definition_of(proef.version)
    for index in range(5):
        submit_response(proef, defn, "nl", f"key-none-{index}-abcdefghijklmn", {"kitchen": "none"})
    submit_response(proef, defn, "nl", "key-own-0-abcdefghijklmnopq", {"kitchen": "own"})
    (code,) = services.create_slips(proef, 1)
    db.session.commit()
    # Before the first release: no numbers at all, today's answers are not counted live.
    page = client.get(f"/s/{proef.code}/en/results?slip={code}").get_data(as_text=True)
    assert "people</strong>" not in page and ui_text.text("no_results_yet", "en") in page

    # The next night, the scheduler releases the closed day.
    clock.freeze(utcnow() + timedelta(days=1))
    from klankbord.reports.releases import release_due

    assert release_due(proef.organisation_id)["made"] >= 1
    db.session.commit()
    page = client.get(f"/s/{proef.code}/en/results?slip={code}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # 5 answers, perturbed by their cell key but never shown below k = 5.
    shown = re.search(r"No kitchen</span> <strong class=\"n\">(\d+) people</strong>", html)
    assert shown and 5 <= int(shown.group(1)) <= 8
    assert re.search(r"Own kitchen</span> <strong class=\"n\">fewer than 5 people</strong>", html)
    assert "1 people" not in html
    assert "We open a second kitchen." in html and "face_very_happy" in html
    # Arabic has no follow-up text yet: the Dutch one is shown, marked as Dutch.
    ar = client.get(f"/s/{proef.code}/ar/results?slip={code}").get_data(as_text=True)
    assert 'lang="nl" dir="ltr" class="pre">Wij openen' in ar
    assert ui_text.text("fewer_than", "ar", n=5) in ar
    # Without a valid slip: a form to type it, no numbers.
    empty = client.get(f"/s/{proef.code}/en/results")
    assert empty.status_code == 200 and "people" not in empty.get_data(as_text=True)
    wrong = client.get(f"/s/{proef.code}/en/results?slip=AAAA2222")
    assert wrong.status_code == 404
    assert ui_text.text("slip_unknown", "en") in wrong.get_data(as_text=True)


def test_results_still_open_after_the_survey_closed(db, proef, client):
    (code,) = services.create_slips(proef, 1)
    db.session.commit()
    clock.freeze(proef.closes_at.replace(year=proef.closes_at.year + 1))
    assert client.get(f"/s/{proef.code}/nl/results?slip={code}").status_code == 200
    assert client.get(f"/s/{proef.code}/nl").status_code == 410
