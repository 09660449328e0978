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
