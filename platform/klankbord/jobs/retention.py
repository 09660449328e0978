"""Retention: delete free text and meeting contributions an organisation no longer keeps.

Per organisation, ``retention_months`` after a survey deployment closed (or a meeting finished),
the job deletes:

* free-text survey answers (``Answer`` rows of ``free_text`` questions); closed answers stay, so
  every count and chart of the deployment stays the same;
* meeting ideas (the texts sent from phones, with their aliases and +1s);
* what reports keep about those texts: theme memberships (quotes) and quote curation
  (hidden flags and Dutch translations). Theme sizes, labels and run totals stay.

Meeting minutes, actions and "you said, we did" updates are written by staff and stay. Members
are erased on request at once by ``meetings.services.erase_member``; there is no "removed" mark
to act on later. Counts of what was deleted, never contents, go to the audit log per organisation.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, tuple_

from klankbord.accounts.models import Organisation
from klankbord.accounts.services import record_event
from klankbord.core.refs import text_ref
from klankbord.extensions import db


def months_before(moment: datetime, months: int) -> datetime:
    """``moment`` minus whole calendar months (the 31st becomes the last day of a shorter month)."""
    import calendar

    total = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(total, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def purge_expired(now: datetime, organisation_id: int | None = None) -> dict[str, int]:
    """Purge every organisation (or only ``organisation_id``); returns totals."""
    totals: dict[str, int] = {"organisations_purged": 0}
    query = select(Organisation).order_by(Organisation.id)
    if organisation_id is not None:
        query = query.where(Organisation.id == organisation_id)
    orgs = db.session.execute(query).scalars().all()
    for org in orgs:
        counts = purge_organisation(org, now)
        if any(counts.values()):
            totals["organisations_purged"] += 1
            record_event(
                "retention_purge",
                organisation_id=org.id,
                details={**counts, "retention_months": org.retention_months},
            )
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
    return totals


def purge_organisation(org: Organisation, now: datetime) -> dict[str, int]:
    """Delete what ``org`` keeps no longer; flushes, returns counts per kind."""
    cutoff = months_before(now, max(int(org.retention_months or 0), 1))
    counts = _purge_survey_text(org.id, cutoff)
    counts.update(_purge_meeting_ideas(org.id, cutoff))
    return counts


def _free_text_questions(deployment) -> list[str]:
    from klankbord.surveys.services import definition_of

    return [q.id for q in definition_of(deployment.version).questions if q.type == "free_text"]


def _purge_survey_text(org_id: int, cutoff: datetime) -> dict[str, int]:
    from klankbord.surveys.models import Answer, Deployment, Response

    counts = {
        "survey_answers_deleted": 0,
        "survey_quotes_deleted": 0,
        "survey_curations_deleted": 0,
    }
    deployments = (
        db.session.execute(
            select(Deployment).where(
                Deployment.organisation_id == org_id, Deployment.closes_at < cutoff
            )
        )
        .scalars()
        .all()
    )
    for deployment in deployments:
        questions = _free_text_questions(deployment)
        if not questions:
            continue
        keys = db.session.execute(
            select(Answer.response_id, Answer.question_id)
            .join(Response, Response.id == Answer.response_id)
            .where(Response.deployment_id == deployment.id, Answer.question_id.in_(questions))
            .distinct()
        ).all()
        if not keys:
            continue
        quotes, curations = _purge_report_refs(
            org_id, survey_keys=[(r, q) for r, q in keys], idea_ids=[]
        )
        counts["survey_quotes_deleted"] += quotes
        counts["survey_curations_deleted"] += curations
        response_ids = select(Response.id).where(Response.deployment_id == deployment.id)
        counts["survey_answers_deleted"] += (
            db.session.execute(
                delete(Answer)
                .where(Answer.response_id.in_(response_ids), Answer.question_id.in_(questions))
                .execution_options(synchronize_session=False)
            ).rowcount
            or 0
        )
    return counts


def _purge_meeting_ideas(org_id: int, cutoff: datetime) -> dict[str, int]:
    from klankbord.meetings.models import Meeting, MeetingIdea

    ended = func.coalesce(Meeting.finished_at, Meeting.starts_at)
    idea_ids = list(
        db.session.execute(
            select(MeetingIdea.id)
            .join(Meeting, Meeting.id == MeetingIdea.meeting_id)
            .where(
                Meeting.organisation_id == org_id,
                MeetingIdea.organisation_id == org_id,
                ended < cutoff,
            )
        ).scalars()
    )
    counts = {
        "meeting_ideas_deleted": 0,
        "meeting_quotes_deleted": 0,
        "meeting_curations_deleted": 0,
    }
    if not idea_ids:
        return counts
    quotes, curations = _purge_report_refs(org_id, survey_keys=[], idea_ids=idea_ids)
    counts["meeting_quotes_deleted"], counts["meeting_curations_deleted"] = quotes, curations
    for chunk in _chunks(idea_ids):
        counts["meeting_ideas_deleted"] += (
            db.session.execute(
                delete(MeetingIdea)
                .where(MeetingIdea.id.in_(chunk))
                .execution_options(synchronize_session=False)
            ).rowcount
            or 0
        )
    return counts


def _purge_report_refs(
    org_id: int, *, survey_keys: list[tuple[str, str]], idea_ids: list[int]
) -> tuple[int, int]:
    """Delete theme memberships and quote curation of these texts (when reports exist)."""
    try:
        from klankbord.reports.models import QuoteCuration, ThemeMember
    except ImportError:  # reports not installed: nothing refers to the texts
        return 0, 0
    quotes = curations = 0
    refs = [text_ref(r, q) for r, q in survey_keys] + [text_ref(None, None, i) for i in idea_ids]
    for chunk in _chunks(survey_keys):
        quotes += (
            db.session.execute(
                delete(ThemeMember)
                .where(tuple_(ThemeMember.response_id, ThemeMember.question_id).in_(chunk))
                .execution_options(synchronize_session=False)
            ).rowcount
            or 0
        )
    for chunk in _chunks(idea_ids):
        quotes += (
            db.session.execute(
                delete(ThemeMember)
                .where(ThemeMember.idea_id.in_(chunk))
                .execution_options(synchronize_session=False)
            ).rowcount
            or 0
        )
    for chunk in _chunks(refs):
        curations += (
            db.session.execute(
                delete(QuoteCuration)
                .where(QuoteCuration.organisation_id == org_id, QuoteCuration.ref.in_(chunk))
                .execution_options(synchronize_session=False)
            ).rowcount
            or 0
        )
    return quotes, curations


def _chunks(values: list, size: int = 500):
    for start in range(0, len(values), size):
        yield values[start : start + size]
