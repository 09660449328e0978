"""The weekly digest: for each organisation's policymakers, what is new in their saved scopes.

Numbers and theme names only, never answers or quotes. One digest per organisation per ISO week
(kept in Notification), so a retry or a run by hand in the same week does not send it twice.
Organisations with nothing new get no mail.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from klankbord.accounts.models import Organisation, Role
from klankbord.core.disclosure import coarse_count
from klankbord.extensions import db
from klankbord.jobs.mail_text import staff_text
from klankbord.jobs.models import Notification
from klankbord.jobs.windows import already_sent, staff_recipients

#: Themes named per scope in the digest.
DIGEST_THEMES = 5


def send_digests(ctx, now: datetime) -> dict[str, int]:
    since = ctx.last_success or now - timedelta(days=7)
    since = max(since, now - timedelta(days=31))  # after a long pause, a month is enough
    year, week, _ = now.isocalendar()
    counts = {"digests_queued": 0, "organisations_nothing_new": 0, "organisations_no_reader": 0}
    query = select(Organisation).order_by(Organisation.id)
    if ctx.organisation_id is not None:  # an admin's run: only their organisation
        query = query.where(Organisation.id == ctx.organisation_id)
    for org in db.session.execute(query).scalars():
        key = f"org:{org.id}:{year}-W{week:02d}"
        if already_sent("digest", key):
            continue
        readers = staff_recipients(org.id, (Role.POLICYMAKER.value,))
        if not readers:
            counts["organisations_no_reader"] += 1
            continue
        sections, total_new = _sections(org, since)
        if not total_new:
            counts["organisations_nothing_new"] += 1
            continue
        for user in readers:
            lang = user.language if user.language in ("nl", "en") else "nl"
            ctx.send_mail(
                user.email,
                staff_text("digest_subject", lang, org=org.name, week=week),
                _body(org, since, sections, lang),
            )
        db.session.add(
            Notification(
                organisation_id=org.id,
                kind="digest",
                subject_key=key,
                recipients=len(readers),
                sent_at=now,
            )
        )
        counts["digests_queued"] += len(readers)
    db.session.flush()
    return counts


def _sections(org: Organisation, since: datetime) -> tuple[list[dict], int]:
    """New responses per deployment, and per saved scope new responses, ideas and themes.

    Responses carry only their day, so "since" counts whole days (a response on the digest's own
    day may be counted in two digests).
    """
    from klankbord.surveys.models import Deployment, Response

    scopes = _scopes(org.id)
    sections, total = [], 0
    for scope in scopes:
        responses = _count_responses(scope.deployment_ids, since)
        ideas = _count_ideas(org.id, scope.meeting_ids, since)
        total += ideas
        # Progress only, like the facilitators' working view: rounded down to fives, so two
        # digests (or a digest and a report) cannot be subtracted to find one person.
        sections.append(
            {
                "name": scope.name,
                "responses": coarse_count(responses),
                "ideas": coarse_count(ideas),
                "themes": _themes(scope),
            }
        )
    per_deployment = db.session.execute(
        select(Deployment.id, func.count(Response.id))
        .join(Response, Response.deployment_id == Deployment.id)
        .where(Deployment.organisation_id == org.id, Response.submitted_on >= since.date())
        .group_by(Deployment.id)
        .order_by(Deployment.id)
    ).all()
    deployments = [(db.session.get(Deployment, i), coarse_count(n)) for i, n in per_deployment]
    total += sum(n for _, n in deployments)
    return [{"deployments": deployments}, *sections], total


def _scopes(org_id: int) -> list:
    try:
        from klankbord.reports.models import ReportScope
    except ImportError:
        return []
    return list(
        db.session.execute(
            select(ReportScope)
            .where(ReportScope.organisation_id == org_id)
            .order_by(ReportScope.name)
        ).scalars()
    )


def _count_responses(deployment_ids: list, since: datetime) -> int:
    from klankbord.surveys.models import Response

    if not deployment_ids:
        return 0
    return db.session.execute(
        select(func.count(Response.id)).where(
            Response.deployment_id.in_(deployment_ids), Response.submitted_on >= since.date()
        )
    ).scalar_one()


def _count_ideas(org_id: int, meeting_ids: list, since: datetime) -> int:
    from klankbord.meetings.models import MeetingIdea

    if not meeting_ids:
        return 0
    return db.session.execute(
        select(func.count(MeetingIdea.id)).where(
            MeetingIdea.organisation_id == org_id,
            MeetingIdea.meeting_id.in_(meeting_ids),
            MeetingIdea.created_on >= since.date(),
            MeetingIdea.status != "hidden",
        )
    ).scalar_one()


def _themes(scope) -> tuple[datetime, list[str]] | None:
    run = scope.latest_run
    if run is None or not run.themes:
        return None
    visible = [t for t in run.themes if not t.hidden and t.merged_into_id is None]
    visible.sort(key=lambda t: (-t.size, t.number))
    # Names only: sizes are figures, and figures are read in the report's releases.
    return run.created_at, [t.title for t in visible[:DIGEST_THEMES]]


def _body(org: Organisation, since: datetime, sections: list[dict], lang: str) -> str:
    from klankbord.surveys.services import definition_of

    parts = [staff_text("digest_intro", lang, since=f"{since:%Y-%m-%d %H:%M}", org=org.name)]
    deployments = sections[0]["deployments"]
    if deployments:
        parts.append(staff_text("digest_deployments", lang))
        for deployment, count in deployments:
            title = definition_of(deployment.version).text("title", lang)
            parts.append(f"  {title} ({deployment.opens_at:%Y-%m-%d}): {count}\n")
    for section in sections[1:]:
        parts.append(
            staff_text(
                "digest_scope",
                lang,
                scope=section["name"],
                responses=section["responses"],
                ideas=section["ideas"],
            )
        )
        if section["themes"]:
            when, names = section["themes"]
            parts.append(
                staff_text("digest_themes", lang, when=f"{when:%Y-%m-%d}", themes="; ".join(names))
            )
        else:
            parts.append(staff_text("digest_no_themes", lang))
    parts.append(staff_text("digest_footer", lang))
    return "".join(parts)
