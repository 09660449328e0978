"""The weekly digest: for each organisation's policymakers, what is new in their saved scopes.

Numbers and theme names only, never answers or quotes. One digest per organisation per ISO week
(kept in Notification), so a retry or a run by hand in the same week does not send it twice.
Organisations with nothing new get no mail.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from klankbord.accounts.models import Organisation, Role
from klankbord.accounts.services import organisations
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
    # An admin's run: only their organisation.
    for org in organisations(ctx.organisation_id):
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
    from klankbord.meetings.seam import ideas_since
    from klankbord.surveys.seam import responses_per_deployment_since, responses_since

    sections, total = [], 0
    for scope in _scopes(org.id):
        responses = responses_since(scope.deployment_ids, since.date())
        ideas = ideas_since(org.id, scope.meeting_ids, since.date())
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
    deployments = [
        (deployment, coarse_count(n))
        for deployment, n in responses_per_deployment_since(org.id, since.date())
    ]
    total += sum(n for _, n in deployments)
    return [{"deployments": deployments}, *sections], total


def _scopes(org_id: int) -> list:
    try:
        from klankbord.reports.seam import scopes_of
    except ImportError:
        return []
    return scopes_of(org_id)


def _themes(scope) -> tuple[datetime, list[str]] | None:
    run = scope.latest_run
    if run is None or not run.themes:
        return None
    visible = [t for t in run.themes if not t.hidden and t.merged_into_id is None]
    visible.sort(key=lambda t: (-t.size, t.number))
    # Names only: sizes are figures, and figures are read in the report's releases.
    return run.created_at, [t.title for t in visible[:DIGEST_THEMES]]


def _body(org: Organisation, since: datetime, sections: list[dict], lang: str) -> str:
    parts = [staff_text("digest_intro", lang, since=f"{since:%Y-%m-%d %H:%M}", org=org.name)]
    deployments = sections[0]["deployments"]
    if deployments:
        parts.append(staff_text("digest_deployments", lang))
        for deployment, count in deployments:
            title = deployment.title(lang)
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
