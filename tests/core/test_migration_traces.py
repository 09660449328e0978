"""Migration 5c1d7e2a9f40 (no trace finer than a day) on a database with data in it.

Rows written by the schema before it (ba0e6f004bbd) are upgraded: responses and answers survive
the SQLite table rebuild (with foreign keys on, a rebuilt parent would have taken its children
along), slip hashes are re-keyed so printed slips keep working, used slips stay used, and
meeting input keeps only its day and loses the per-meeting key that linked a phone's votes.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

import flask_migrate
import pytest
from sqlalchemy import text
from tests.core.test_migrations import ENGINES, _fresh_postgres, _fresh_sqlite, keep_logging  # noqa: F401

from klankbord import create_app
from klankbord.extensions import db

BEFORE = "ba0e6f004bbd"
SLIP_UNUSED, SLIP_USED = "ABCD2345", "WXYZ6789"
RESPONSE = "a" * 32
#: The old per-meeting key of one phone: it joined that phone's answers in both polls.
PHONE = "b" * 64


def _seed_old_schema() -> None:
    """Rows as the schema of ba0e6f004bbd stored them (plain sha256 slips, used_on, times)."""
    moment = datetime(2026, 11, 30, 14, 3, 27, 123456)
    statements = [
        ("INSERT INTO organisation (id, name, slug, min_group_size, retention_months, created_at)"
         " VALUES (1, 'Gemeente', 'gemeente', 10, 12, :t)", {}),
        ("INSERT INTO survey_version (id, survey_id, number, declared_version, content_hash,"
         " definition, created_at) VALUES (1, 'proef', 1, 1, 'h', '{}', :t)", {}),
        ("INSERT INTO survey_deployment (id, version_id, code, opens_at, closes_at, slip_required,"
         " created_at, organisation_id) VALUES (1, 1, 'DEPLOY23', :t, '2027-01-01', TRUE, :t, 1)",
         {}),
        ("INSERT INTO survey_response (id, deployment_id, version_id, language, submitted_on,"
         " submission_key_hash, answers_hash) VALUES (:r, 1, 1, 'ti', '2026-11-30', 'k', 'a')",
         {"r": RESPONSE}),
        ("INSERT INTO survey_answer (response_id, question_id, position, value_text)"
         " VALUES (:r, 'kitchen', 0, 'own'), (:r, 'story', 0, 'een verhaal')", {"r": RESPONSE}),
    ]
    for code, used in ((SLIP_UNUSED, None), (SLIP_USED, "2026-11-30")):
        plain = hashlib.sha256(f"slip:1:{code}".encode()).hexdigest()
        statements.append(("INSERT INTO survey_slip (deployment_id, code_hash, created_at, used_on)"
                           " VALUES (1, :h, :t, :u)", {"h": plain, "u": used}))
    statements += [
        ("INSERT INTO meeting_group (id, name, purpose, languages, public_code, created_at,"
         " organisation_id) VALUES (1, 'Groep', '', '[]', 'GROUPCODE', :t, 1)", {}),
        ("INSERT INTO meeting (id, group_id, title, starts_at, place, online_link, interpreters,"
         " status, join_code, created_at, organisation_id)"
         " VALUES (1, 1, 'Avond', :t, '', '', '[]', 'live', 'JOIN2345', :t, 1)", {}),
        ("INSERT INTO meeting_idea (id, meeting_id, text, lang, status, support_count, created_at,"
         " moderated_at, organisation_id) VALUES (1, 1, 'Idee', 'ti', 'approved', 1, :t, :t, 1)",
         {}),
        ("INSERT INTO meeting_idea_support (idea_id, participant_key, created_at)"
         " VALUES (1, :k, :t)", {"k": PHONE}),
    ]
    for poll in (1, 2):
        statements += [
            ("INSERT INTO meeting_poll (id, meeting_id, question, options, status, created_at,"
             " organisation_id) VALUES (:p, 1, '{}', '[]', 'closed', :t, 1)", {"p": poll}),
            ("INSERT INTO meeting_poll_answer (poll_id, participant_key, option_index, lang,"
             " created_at) VALUES (:p, :k, 0, 'ti', :t)", {"p": poll, "k": PHONE}),
        ]
    for sql, params in statements:
        db.session.execute(text(sql), {"t": moment, **params})
    db.session.commit()


@pytest.fixture(params=ENGINES)
def upgraded_app(request, tmp_path, keep_logging):  # noqa: F811
    urls = _fresh_sqlite(tmp_path) if request.param == "sqlite" else _fresh_postgres()
    url = next(urls)
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "migration-test-secret-key-long-enough-0123456789",
        "DATABASE_URL": url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
    })
    try:
        with app.app_context():
            flask_migrate.upgrade(revision=BEFORE)
            _seed_old_schema()
            flask_migrate.upgrade()
            yield app
            db.session.rollback()
            db.session.remove()
            db.engine.dispose()
    finally:
        urls.close()


def test_responses_and_answers_survive_the_rebuild(upgraded_app):
    rows = db.session.execute(text("SELECT id, language FROM survey_response")).all()
    assert [tuple(r) for r in rows] == [(RESPONSE, "ti")]
    assert db.session.execute(text("SELECT count(*) FROM survey_answer")).scalar_one() == 2
    if db.engine.dialect.name == "sqlite":
        for table in ("survey_response", "survey_answer"):
            sql = db.session.execute(
                text("SELECT sql FROM sqlite_master WHERE name = :n"), {"n": table}).scalar_one()
            assert "WITHOUT ROWID" in sql
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar_one() == 1


def test_slips_are_rekeyed_and_keep_working(upgraded_app):
    from klankbord.surveys.models import Deployment
    from klankbord.surveys.services import find_slip

    deployment = db.session.get(Deployment, 1)
    unused, used = find_slip(deployment, SLIP_UNUSED), find_slip(deployment, SLIP_USED)
    assert unused is not None and used is not None
    assert (unused.used, used.used) == (False, True)
    stored = set(db.session.execute(text("SELECT code_hash FROM survey_slip")).scalars())
    for code in (SLIP_UNUSED, SLIP_USED):
        assert hashlib.sha256(f"slip:1:{code}".encode()).hexdigest() not in stored
    columns = {c for c in db.session.execute(text("SELECT * FROM survey_slip")).keys()}
    assert "used_on" not in columns
    assert find_slip(deployment, "QQQQ2345") is None


def test_meeting_input_keeps_its_day_and_no_key_joins_a_phones_votes(upgraded_app):
    ideas = db.session.execute(text("SELECT * FROM meeting_idea")).mappings().all()
    assert len(ideas) == 1 and str(ideas[0]["created_on"]) == "2026-11-30"
    assert not {"created_at", "moderated_at"} & set(ideas[0])
    answers = db.session.execute(text("SELECT * FROM meeting_poll_answer")).mappings().all()
    assert sorted(a["poll_id"] for a in answers) == [1, 2]
    assert len({a["participant_key"] for a in answers}) == 2
    assert PHONE not in {a["participant_key"] for a in answers}
    assert set(answers[0]) == {"poll_id", "participant_key", "option_index", "lang"}
    supports = db.session.execute(text("SELECT * FROM meeting_idea_support")).mappings().all()
    assert len(supports) == 1 and supports[0]["participant_key"] != PHONE
    assert set(supports[0]) == {"idea_id", "participant_key"}


def test_downgrade_goes_back_without_losing_rows(upgraded_app):
    flask_migrate.downgrade(revision=BEFORE)
    assert db.session.execute(text("SELECT count(*) FROM survey_answer")).scalar_one() == 2
    assert db.session.execute(text("SELECT count(*) FROM meeting_poll_answer")).scalar_one() == 2
    used = db.session.execute(text("SELECT count(used_on) FROM survey_slip")).scalar_one()
    assert used == 1
    db.session.rollback()  # end the read, or PostgreSQL's ALTER TABLE waits for it
    flask_migrate.upgrade()
