"""Retention deletes exactly the free text past each organisation's time, and nothing else."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from tests.jobs import builders

from klankbord.accounts.models import AuditEvent
from klankbord.jobs.retention import months_before
from klankbord.jobs.runner import run_job
from klankbord.meetings.models import MeetingIdea
from klankbord.reports.models import QuoteCuration, ReportTheme, ThemeMember, ThemeRun
from klankbord.surveys.models import Answer, Response

NOW = datetime(2026, 3, 4, 3, 20)


def _answers(dep, question):
    return db_count(
        select(func.count())
        .select_from(Answer)
        .join(Response)
        .where(Response.deployment_id == dep.id, Answer.question_id == question)
    )


def db_count(query) -> int:
    from klankbord.extensions import db

    return db.session.execute(query).scalar_one()


def test_months_before_handles_month_ends():
    assert months_before(datetime(2026, 3, 31, 12), 1) == datetime(2026, 2, 28, 12)
    assert months_before(datetime(2026, 3, 4), 12) == datetime(2025, 3, 4)
    assert months_before(datetime(2026, 1, 15), 13) == datetime(2024, 12, 15)


def test_retention_deletes_only_what_is_past_its_time(app, db, make, frozen):
    frozen(NOW)
    org = make.org("Gemeente Kort", retention_months=6)
    other = make.org("Gemeente Lang")  # default: 12 months
    # Closed 7 months ago: past 6 months for `org`, not past 12 months for `other`.
    old = builders.deployment(app, org, datetime(2025, 6, 1), datetime(2025, 8, 1))
    recent = builders.deployment(app, org, datetime(2025, 9, 1), datetime(2025, 10, 1))
    others = builders.deployment(app, other, datetime(2025, 6, 1), datetime(2025, 8, 1))
    old_ids = builders.responses(old, ["Een eigen fornuis", "Meer pannen"])
    builders.responses(recent, ["Een koelkast"])
    builders.responses(others, ["Kookles"])
    old_meeting = builders.meeting(org, datetime(2025, 7, 1, 18), finished=datetime(2025, 7, 1, 20))
    new_meeting = builders.meeting(
        org, datetime(2025, 12, 1, 18), finished=datetime(2025, 12, 1, 20)
    )
    other_meeting = builders.meeting(
        other, datetime(2025, 7, 1, 18), finished=datetime(2025, 7, 1, 20)
    )
    old_ideas = builders.ideas(
        old_meeting, ["Samen koken op zondag"], created=datetime(2025, 7, 1, 19)
    )
    builders.ideas(new_meeting, ["Taalles overdag"], created=datetime(2025, 12, 1, 19))
    builders.ideas(other_meeting, ["Fietsles"], created=datetime(2025, 7, 1, 19))
    # A theme with quotes of the old texts, and curation (a translation) of one of them.
    sc = builders.scope(org, deployments=[old], meetings=[old_meeting])
    run = ThemeRun(organisation_id=org.id, scope_id=sc.id, method="test", n_texts=3)
    db.session.add(run)
    db.session.flush()
    theme = ReportTheme(organisation_id=org.id, run_id=run.id, label="koken", size=3)
    db.session.add(theme)
    db.session.flush()
    db.session.add_all(
        [
            ThemeMember(
                theme_id=theme.id,
                response_id=old_ids[0],
                question_id="what_would_help",
                language="nl",
                rank=1,
            ),
            ThemeMember(theme_id=theme.id, idea_id=old_ideas[0], language="nl", rank=2),
            QuoteCuration(
                organisation_id=org.id,
                ref=f"s:{old_ids[0]}:what_would_help",
                translation_nl="vertaling",
            ),
            QuoteCuration(organisation_id=org.id, ref=f"m:{old_ideas[0]}", hidden=True),
        ]
    )
    db.session.commit()

    result = run_job("retention", NOW)

    assert result.outcome == "ok"
    assert result.counts == {
        "organisations_purged": 1,
        "survey_answers_deleted": 2,
        "survey_quotes_deleted": 1,
        "survey_curations_deleted": 1,
        "meeting_ideas_deleted": 1,
        "meeting_quotes_deleted": 1,
        "meeting_curations_deleted": 1,
    }
    # Free text of the old deployment is gone, its closed answers and responses stay.
    assert _answers(old, "what_would_help") == 0
    assert _answers(old, "kitchen_access") == 2
    assert db_count(select(func.count(Response.id)).where(Response.deployment_id == old.id)) == 2
    # The recent deployment and the other organisation are untouched.
    assert _answers(recent, "what_would_help") == 1
    assert _answers(others, "what_would_help") == 1
    remaining = set(db.session.execute(select(MeetingIdea.text)).scalars())
    assert remaining == {"Taalles overdag", "Fietsles"}
    # Quotes and translations of the deleted texts are gone; the theme and its size stay.
    assert db_count(select(func.count(ThemeMember.id))) == 0
    assert db_count(select(func.count(QuoteCuration.id))) == 0
    assert db.session.get(ReportTheme, theme.id).size == 3
    # Audited with counts only, for the organisation concerned.
    events = (
        db.session.execute(select(AuditEvent).where(AuditEvent.action == "retention_purge"))
        .scalars()
        .all()
    )
    assert [
        (e.organisation_id, e.details["survey_answers_deleted"], e.details["retention_months"])
        for e in events
    ] == [(org.id, 2, 6)]
    assert "Een eigen fornuis" not in str(events[0].details)

    # Idempotent: the next night finds nothing more and audits nothing.
    again = run_job("retention", datetime(2026, 3, 5, 3, 20))
    assert again.outcome == "ok" and again.counts["organisations_purged"] == 0
    assert (
        db_count(select(func.count(AuditEvent.id)).where(AuditEvent.action == "retention_purge"))
        == 1
    )


def test_retention_waits_until_the_deployment_closed(app, db, make, frozen):
    frozen(NOW)
    org = make.org(retention_months=1)
    # Opened long ago but still open: nothing may be deleted, however old the answers are.
    running = builders.deployment(app, org, datetime(2024, 1, 1), datetime(2026, 6, 1))
    builders.responses(running, ["Oude maar nog lopende enquête"], day=date(2024, 2, 1))
    # A meeting that finished 20 days ago.
    m = builders.meeting(org, datetime(2026, 2, 12, 18), finished=datetime(2026, 2, 12, 20))
    builders.ideas(m, ["Recent idee"], created=datetime(2026, 2, 12, 19))
    result = run_job("retention", NOW)
    assert (
        result.counts["survey_answers_deleted"] == 0 and result.counts["meeting_ideas_deleted"] == 0
    )
    assert _answers(running, "what_would_help") == 1
