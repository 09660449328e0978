"""What is stored about a resident: nothing that identifies them or their device."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import Date, inspect, select

from klankbord.surveys.models import Answer, Response


def test_response_and_answer_tables_have_no_identifying_columns():
    response_columns = {c.name for c in inspect(Response).columns}
    assert response_columns == {
        "id",
        "deployment_id",
        "version_id",
        "language",
        "submitted_on",
        "submission_key_hash",
        "answers_hash",
        # Random in [0, 256), drawn at insert: the cell key of released counts (docs/privacy.md).
        "record_key",
    }
    answer_columns = {c.name for c in inspect(Answer).columns}
    assert answer_columns == {
        "response_id",
        "question_id",
        "position",
        "value_text",
        "value_number",
    }
    forbidden = re.compile(r"ip|agent|user|device|cookie|session|created|time|_at$")
    assert not [c for c in response_columns | answer_columns if forbidden.search(c)]
    assert isinstance(inspect(Response).columns["submitted_on"].type, Date)


def _submit(person):
    person.start()
    person.step()
    person.step([("a.kitchen", "none")])
    for _ in range(6):
        if person.page() == "check":
            break
        person.step()
    return person.submit()


def test_stored_response_has_a_random_id_and_only_the_day(db, proef, respondent):
    for lang in ("nl", "en", "ar"):
        assert _submit(respondent(proef, lang)).status_code == 303
    rows = db.session.execute(select(Response)).scalars().all()
    ids = [r.id for r in rows]
    assert all(re.fullmatch(r"[0-9a-f]{12}4[0-9a-f]{19}", i) for i in ids)  # uuid4, hex
    assert len(set(ids)) == 3
    for row in rows:
        assert type(row.submitted_on) is dt.date
        assert len(row.submission_key_hash) == 64  # the key itself is not stored


def test_the_flow_sets_no_cookie_at_all(db, proef, respondent, client):
    person = respondent(proef, "ar")
    pages = [client.get(f"/s/{proef.code}"), person.start()]
    person.step()
    person.step([("a.kitchen", "own")])
    pages.append(person.step([("a.days", "2")]))
    for _ in range(6):
        if person.page() == "check":
            break
        pages.append(person.step())
    assert person.page() == "check"
    done = person.submit()
    pages += [done, client.get(done.headers["Location"])]
    assert all("Set-Cookie" not in page.headers for page in pages)
    assert client.get_cookie("klankbord_session") is None
