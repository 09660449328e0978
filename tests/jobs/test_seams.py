"""The public seams of surveys, meetings and reports give other domains what they used to query."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from tests.jobs import builders

from klankbord.meetings import seam as meetings
from klankbord.reports import services as reports
from klankbord.surveys import seam as surveys
from klankbord.surveys.models import Answer


def _scope_texts(scope) -> list[tuple]:
    """What the seams give for a scope, in the shape of ``reports.services.collect_texts``."""
    filters = {
        "period_from": scope.period_from,
        "period_to": scope.period_to,
        "languages": scope.languages,
    }
    rows = [
        (r, q, None, text, lang, day)
        for r, q, text, lang, day in surveys.scope_free_text(
            scope.organisation_id,
            scope.deployment_ids,
            location_ids=scope.location_ids,
            **filters,
        )
    ]
    rows += [
        (None, None, i, text, lang, day)
        for i, text, lang, day in meetings.scope_ideas(
            scope.organisation_id, scope.meeting_ids, **filters
        )
    ]
    return rows


def _collected(scope) -> list[tuple]:
    return [
        (t.response_id, t.question_id, t.idea_id, t.text, t.language, t.day)
        for t in reports.collect_texts(scope)
    ]


def test_scope_texts_of_the_seams_are_what_reports_collect(app, db, make):
    org = make.org("Gemeente Seam")
    other = make.org("Gemeente Anders")
    dep = builders.deployment(app, org, datetime(2025, 9, 1), datetime(2026, 3, 1))
    builders.responses(dep, ["Een fornuis", "Meer pannen"], day=date(2025, 10, 6))
    builders.responses(dep, ["Kookles"], day=date(2025, 11, 2), language="ar")
    builders.responses(dep, [""], day=date(2025, 10, 7))  # empty: never a text
    foreign = builders.deployment(app, other, datetime(2025, 9, 1), datetime(2026, 3, 1))
    builders.responses(foreign, ["Niet van ons"])
    m = builders.meeting(org, datetime(2025, 10, 1, 18))
    builders.ideas(m, ["Samen koken"], created=datetime(2025, 10, 1, 19))
    builders.ideas(m, ["Een markt"], created=datetime(2025, 11, 5, 19), lang="ar")
    scope = builders.scope(org, deployments=[dep, foreign], meetings=[m])

    texts = _scope_texts(scope)
    assert sorted(t[3] for t in texts) == [
        "Een fornuis",
        "Een markt",
        "Kookles",
        "Meer pannen",
        "Samen koken",
    ]
    assert texts == _collected(scope)
    assert "Niet van ons" not in {t[3] for t in texts}

    scope.period_from, scope.languages = date(2025, 11, 1), ["ar"]
    db.session.commit()
    assert [t[3] for t in _scope_texts(scope)] == ["Kookles", "Een markt"]
    assert _scope_texts(scope) == _collected(scope)


def test_purge_by_reference_keeps_closed_answers(app, db, make):
    org = make.org("Gemeente Purge")
    dep = builders.deployment(app, org, datetime(2025, 1, 1), datetime(2025, 2, 1))
    kept = builders.deployment(app, org, datetime(2025, 9, 1), datetime(2026, 3, 1))
    ids = builders.responses(dep, ["Weg ermee", "Ook weg"])
    builders.responses(kept, ["Blijft"])

    keys = surveys.expired_free_text(org.id, datetime(2025, 6, 1))
    assert sorted(keys) == sorted((r, "what_would_help") for r in ids)
    assert surveys.purge_answers(keys) == 2
    db.session.commit()
    left = db.session.execute(select(Answer.question_id, Answer.value_text)).all()
    assert ("what_would_help", "Blijft") in left
    assert sorted(q for q, _ in left if q == "kitchen_access") == ["kitchen_access"] * 3
    assert surveys.expired_free_text(org.id, datetime(2025, 6, 1)) == []


def test_window_events_name_each_change_once(app, db, make):
    org = make.org("Gemeente Venster")
    now = datetime(2026, 3, 4, 9, 0)
    closing = builders.deployment(app, org, now - timedelta(days=2), now + timedelta(hours=5))
    closed = builders.deployment(app, org, now - timedelta(days=9), now - timedelta(days=1))
    builders.deployment(app, org, now - timedelta(days=30), now - timedelta(days=5))  # stale
    builders.deployment(app, org, now + timedelta(days=1), now + timedelta(days=9))  # not yet

    events = surveys.window_events(now, closing_hours=24, stale_after=timedelta(days=3))
    assert [(e.kind, e.deployment.id) for e in events] == [
        ("survey_opened", closing.id),
        ("survey_closing", closing.id),
        ("survey_closed", closed.id),
    ]
    assert events[1].moment == closing.closes_at - timedelta(hours=24)
    assert events[0].deployment.title("nl") and events[0].deployment.locations
    assert (
        surveys.window_events(
            now, closing_hours=24, stale_after=timedelta(days=3), organisation_id=org.id + 999
        )
        == []
    )
