"""`klankbord demo` is historical: nothing after today, and every report section shows something."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from klankbord.core import time as clock

NOW = datetime(2026, 11, 30, 10, 30)


@pytest.fixture
def frozen():
    clock.freeze(NOW)
    yield NOW
    clock.freeze(None)


def test_demo_dates_are_never_in_the_future_and_every_section_shows_something(app, db, frozen):
    from klankbord.cli import seed_demo
    from klankbord.meetings.models import Meeting, MeetingIdea
    from klankbord.reports import releases, services
    from klankbord.reports.models import ReportScope
    from klankbord.surveys.models import Deployment, Response

    seed_demo()
    db.session.commit()
    today = NOW.date()

    deployments = {d.id: d for d in db.session.execute(select(Deployment)).scalars()}
    responses = db.session.execute(select(Response)).scalars().all()
    assert len(responses) > 500
    for response in responses:
        deployment = deployments[response.deployment_id]
        assert deployment.opens_at.date() <= response.submitted_on <= today
        assert response.submitted_on <= deployment.closes_at.date()
    # The surveys demo's rounds stay open now (residents' links work); earlier rounds closed.
    open_now = [d for d in deployments.values() if d.opens_at <= NOW < d.closes_at]
    closed = [d for d in deployments.values() if d.closes_at <= NOW]
    assert len(open_now) == 4 and len(closed) >= 8
    assert all(d.opens_at <= NOW for d in deployments.values())

    meetings = {m.id: m for m in db.session.execute(select(Meeting)).scalars()}
    ideas = db.session.execute(select(MeetingIdea)).scalars().all()
    assert ideas
    for idea in ideas:
        meeting = meetings[idea.meeting_id]
        assert meeting.starts_at < NOW
        assert idea.created_on == meeting.starts_at.date() <= NOW.date()
    for meeting in meetings.values():
        for moment in (meeting.started_at, meeting.finished_at):
            assert moment is None or moment <= NOW

    scope = db.session.execute(select(ReportScope)).scalar_one()
    release = releases.latest_release(scope=scope)
    # Earlier releases while the rounds ran, then yesterday's: a trend per location.
    assert release.version == 4 and release.data_until < today  # whole days only
    report = services.build_report(scope, release=release)
    assert report.first_day < report.last_day <= today
    assert (today - report.first_day).days > 90  # rounds months ago, not only this month
    assert all(m.endswith(")") and m[-11:-1] <= today.isoformat() for m in report.meetings)
    assert report.n_ideas > 0 and report.participation is not None
    assert all(col <= today.strftime("%Y-%m") for col in report.participation.cols)

    # Closed questions: most show numbers, split by location and by month.
    shown = [q for q in report.questions if q.n.value is not None]
    assert len(shown) >= len(report.questions) // 2 > 0
    assert any(q.by_location is not None for q in shown)
    with_months = [q for q in shown if q.by_period is not None]
    assert with_months
    for q in with_months:
        assert all(row <= today.strftime("%Y-%m") for row in q.by_period.rows)
    assert any(
        cell.value is not None for q in with_months for row in q.by_period.cells for cell in row
    )

    # Themes with quotes in several languages.
    assert report.themes
    assert all(col <= today.strftime("%Y-%m") for t in report.themes for col in t.trend.cols)
    languages = {quote.language for t in report.themes for quote in t.quotes}
    assert len(languages) >= 3
    assert report.run["created_at"] <= NOW

    # The trends page has a real trend: both locations, each with numbers at two or more dates.
    from klankbord.reports import trends

    result = trends.build_trends(scope)
    assert len(result.dates) == 4
    assert [day for _, day in result.dates] == sorted(day for _, day in result.dates)
    moving = [
        q
        for q in result.questions
        if len(q.locations) >= 2
        and all(
            sum(p.status == trends.SHOWN and p.n.value is not None for p in loc.points) >= 2
            for loc in q.locations
        )
    ]
    assert moving
