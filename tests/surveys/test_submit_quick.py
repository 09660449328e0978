"""The quick path of a submission (issue 18, item 4): a first, complete submission to a deployment
this process has seen is stored without loading the deployment; the INSERT itself checks that the
deployment is open, needs no slip and is still the one remembered. Everything else must be
answered exactly as by the full path."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from werkzeug.datastructures import MultiDict

from klankbord.core import time as clock
from klankbord.core.record_keys import KEY_RANGE
from klankbord.surveys import services, ui_text
from klankbord.surveys.models import Answer, Deployment, Response
from klankbord.surveys.respondent import form_token

ANSWERS = [
    ("a.kitchen", "own"),
    ("a.days", "3"),
    ("a.barriers", "money"),
    ("a.barriers", "travel"),
    ("a.story", "Bel mij op 06-12345678 aub"),
]


@pytest.fixture(autouse=True)
def _forget_targets():
    services.forget_targets()
    yield
    services.forget_targets()


@pytest.fixture
def count_loads(monkeypatch):
    """How often the full path loaded a deployment by its code."""
    calls = []
    original = services.deployment_by_code

    def counted(code):
        calls.append(code)
        return original(code)

    monkeypatch.setattr(services, "deployment_by_code", counted)
    return calls


def _post(client, deployment, fields=ANSWERS, lang="nl", key=None, headers=None):
    key = key or secrets.token_urlsafe(16)
    data = MultiDict([("key", key), ("token", form_token(deployment.code, key)), *fields])
    response = client.post(f"/s/{deployment.code}/{lang}/submit", data=data, headers=headers or {})
    return response, key


def _responses(db) -> int:
    return db.session.execute(select(func.count(Response.id))).scalar_one()


def _prime(client, deployment) -> None:
    """One submission through the full path, after which the process remembers the deployment."""
    response, _ = _post(client, deployment)
    assert response.status_code == 303
    assert services.remembered_target(deployment.code) is not None


def test_a_second_submission_is_stored_without_loading_the_deployment(
    db, proef, client, count_loads
):
    _prime(client, proef)
    assert len(count_loads) == 1
    response, key = _post(client, proef, lang="en")
    assert response.status_code == 303
    assert len(count_loads) == 1  # the quick path stored it
    location = response.headers["Location"]
    assert location == f"/s/{proef.code}/en/thanks?receipt={services.receipt_for(key)}"
    assert client.get(location).status_code == 200
    stored = db.session.execute(
        select(Response).where(
            Response.submission_key_hash == services._sha256(f"{proef.id}:{key}")
        )
    ).scalar_one()
    assert stored.language == "en" and stored.version_id == proef.version_id
    assert stored.submitted_on == clock.utcnow().date()
    assert 0 <= stored.record_key < KEY_RANGE
    assert len(stored.id) == 32
    rows = db.session.execute(
        select(Answer.question_id, Answer.position, Answer.value_text, Answer.value_number)
        .where(Answer.response_id == stored.id)
        .order_by(Answer.question_id, Answer.position)
    ).all()
    assert [(q, p, n) for q, p, _, n in rows] == [
        ("barriers", 0, None),
        ("barriers", 1, None),
        ("days", 0, 3),
        ("kitchen", 0, None),
        ("story", 0, None),
    ]
    story = next(text for q, _, text, _ in rows if q == "story")
    assert "12345678" not in story and "[telefoonnummer]" in story  # scrubbed, as before
    # The full path would have stored the same: same fingerprint of the same cleaned answers.
    same = services.scrub_answers(
        services.definition_of(proef.version),
        {
            "kitchen": "own",
            "days": 3,
            "barriers": ["money", "travel"],
            "story": "Bel mij op 06-12345678 aub",
        },
        "en",
    )
    assert stored.answers_hash == services.answering.fingerprint(same)


def test_record_keys_vary_between_quick_submissions(db, proef, client):
    _prime(client, proef)
    for _ in range(12):
        assert _post(client, proef)[0].status_code == 303
    keys = set(db.session.execute(select(Response.record_key)).scalars())
    assert _responses(db) == 13 and len(keys) > 1


def test_a_repeat_on_the_quick_path_stores_once_and_a_changed_repeat_is_refused(db, proef, client):
    _prime(client, proef)
    first, key = _post(client, proef)
    again, _ = _post(client, proef, key=key)
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    changed, _ = _post(client, proef, fields=[("a.kitchen", "none")], key=key)
    assert changed.status_code == 409
    assert ui_text.text("conflict", "nl") in changed.get_data(as_text=True)
    assert _responses(db) == 2


def test_a_closed_survey_refuses_on_the_quick_path(db, proef, client):
    _prime(client, proef)
    clock.freeze(proef.closes_at)
    response, _ = _post(client, proef)
    assert response.status_code == 410
    assert _responses(db) == 1


def test_closing_early_by_another_node_is_seen_at_once(db, proef, client):
    """Nothing about opening and closing is remembered: the database decides at storing."""
    _prime(client, proef)
    db.session.execute(
        update(Deployment)
        .where(Deployment.id == proef.id)
        .values(
            closes_at=clock.utcnow() - timedelta(seconds=1),
            opens_at=clock.utcnow() - timedelta(hours=2),
        )
    )
    db.session.commit()
    response, _ = _post(client, proef)
    assert response.status_code == 410
    assert _responses(db) == 1


def test_a_survey_moved_to_later_refuses_on_the_quick_path(db, proef, client):
    _prime(client, proef)
    db.session.execute(
        update(Deployment)
        .where(Deployment.id == proef.id)
        .values(
            opens_at=clock.utcnow() + timedelta(hours=1),
            closes_at=clock.utcnow() + timedelta(days=2),
        )
    )
    db.session.commit()
    response, _ = _post(client, proef)
    assert response.status_code == 403
    assert _responses(db) == 1


def test_slips_switched_on_later_are_required_on_the_quick_path(db, proef, client):
    _prime(client, proef)
    db.session.execute(
        update(Deployment).where(Deployment.id == proef.id).values(slip_required=True)
    )
    db.session.commit()
    response, _ = _post(client, proef)
    assert response.status_code == 400
    assert ui_text.text("slip_unknown", "nl") in response.get_data(as_text=True)
    assert _responses(db) == 1


def test_a_submission_with_a_slip_takes_the_full_path(db, proef, client, count_loads):
    _prime(client, proef)
    (slip,) = services.create_slips(proef, 1)
    db.session.commit()
    response, _ = _post(client, proef, fields=[*ANSWERS, ("slip", slip)])
    assert response.status_code == 303 and f"slip={slip}" in response.headers["Location"]
    assert len(count_loads) == 2
    used, _ = _post(client, proef, fields=[*ANSWERS, ("slip", slip)])
    assert used.status_code == 409
    assert _responses(db) == 2


@pytest.mark.parametrize(
    "change",
    ["token", "cross_site", "unknown_field", "missing_required", "bad_number", "language"],
)
def test_bad_requests_on_the_quick_path_are_answered_as_before(db, proef, client, change):
    _prime(client, proef)
    key = secrets.token_urlsafe(16)
    token = form_token(proef.code, key)
    fields, headers, lang = list(ANSWERS), {}, "nl"
    expected = 400
    if change == "token":
        token = "0" * 40
    elif change == "cross_site":
        headers, expected = {"Sec-Fetch-Site": "cross-site"}, 403
    elif change == "unknown_field":
        fields.append(("a.nothing", "x"))
    elif change == "missing_required":
        fields, expected = [("a.story", "x")], 422
    elif change == "bad_number":
        fields, expected = [("a.kitchen", "own"), ("a.days", "9")], 422
    elif change == "language":
        lang, expected = "uk", 302
    response = client.post(
        f"/s/{proef.code}/{lang}/submit",
        data=MultiDict([("key", key), ("token", token), *fields]),
        headers=headers,
    )
    assert response.status_code == expected
    assert _responses(db) == 1


def test_a_remembered_deployment_that_no_longer_matches_is_never_used(db, proef, client):
    """A stale memory (another survey version, code or database) cannot store anything: the
    INSERT checks id, code, version and content, and the full path answers instead."""
    _prime(client, proef)
    remembered = services.remembered_target(proef.code)
    services._TARGETS[proef.code] = services.SubmitTarget(
        remembered.deployment_id, remembered.code, remembered.version_id, "0" * 64
    )
    # The stale content hash names no cached definition: the full path takes over.
    response, _ = _post(client, proef)
    assert response.status_code == 303
    stale = services.SubmitTarget(
        remembered.deployment_id, "ZZZZ2222", remembered.version_id, remembered.content_hash
    )
    defn = services.definition_of(proef.version)
    answers = {"kitchen": "none"}
    assert services.submit_if_open(stale, defn, "nl", secrets.token_urlsafe(16), answers) is None
    other = services.SubmitTarget(
        remembered.deployment_id + 1000,
        proef.code,
        remembered.version_id,
        remembered.content_hash,
    )
    assert services.submit_if_open(other, defn, "nl", secrets.token_urlsafe(16), answers) is None
    assert _responses(db) == 2


def test_the_quick_path_needs_no_session_cookie(db, proef, client):
    _prime(client, proef)
    response, _ = _post(client, proef)
    assert response.status_code == 303
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    assert re.match(
        r"^/s/[A-Z0-9]+/nl/thanks\?receipt=[A-Z0-9]{4}-[A-Z0-9]{4}$", response.headers["Location"]
    )
