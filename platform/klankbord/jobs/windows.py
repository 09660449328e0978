"""Survey windows: tell an organisation's facilitators and admins when a deployment opens,
is about to close, or closed, with its response count. Each notice goes out once.

"Once" is kept in :class:`~klankbord.jobs.models.Notification` (unique kind + deployment), written
in the same transaction as the job run, and the mail is sent only after that commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from klankbord.accounts.models import Membership, Role, User
from klankbord.extensions import db
from klankbord.jobs.mail_text import staff_text
from klankbord.jobs.models import Notification

#: Notices about events older than this are recorded but not mailed (e.g. after a long outage).
STALE_AFTER = timedelta(days=3)


def staff_recipients(org_id: int, roles: tuple[str, ...]) -> list[User]:
    """Active users with one of ``roles`` in the organisation."""
    return list(
        db.session.execute(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == org_id, Membership.role.in_(roles), User.active)
            .order_by(User.id)
        ).scalars()
    )


def already_sent(kind: str, subject_key: str) -> bool:
    return (
        db.session.execute(
            select(Notification.id).where(
                Notification.kind == kind, Notification.subject_key == subject_key
            )
        ).first()
        is not None
    )


def notify_windows(ctx, now: datetime) -> dict[str, int]:
    """Find deployments whose window changed and queue one notice per change and deployment."""
    from klankbord.surveys.models import Deployment

    closing_hours = int(current_app.config.get("SURVEY_CLOSING_NOTICE_HOURS", 24))
    counts = {
        "survey_opened": 0,
        "survey_closing": 0,
        "survey_closed": 0,
        "mails_queued": 0,
        "stale_not_mailed": 0,
    }
    query = select(Deployment).where(
        Deployment.opens_at <= now, Deployment.closes_at > now - STALE_AFTER
    )
    if ctx.organisation_id is not None:  # an admin's run: only their organisation
        query = query.where(Deployment.organisation_id == ctx.organisation_id)
    candidates = db.session.execute(query.order_by(Deployment.id)).scalars().all()
    for deployment in candidates:
        for kind, moment in _due_notices(deployment, now, closing_hours):
            key = f"deployment:{deployment.id}"
            if already_sent(kind, key):
                continue
            queued = 0
            if now - moment <= STALE_AFTER:
                queued = _queue(ctx, kind, deployment)
            else:
                counts["stale_not_mailed"] += 1
            db.session.add(
                Notification(
                    organisation_id=deployment.organisation_id,
                    kind=kind,
                    subject_key=key,
                    recipients=queued,
                    sent_at=now,
                )
            )
            counts[kind] += 1
            counts["mails_queued"] += queued
    db.session.flush()
    return counts


def _due_notices(deployment, now: datetime, closing_hours: int) -> list[tuple[str, datetime]]:
    """Which notices this deployment is due for at ``now``, with the moment each is about."""
    if deployment.closes_at <= now:
        return [("survey_closed", deployment.closes_at)]
    due = [("survey_opened", deployment.opens_at)]
    warn_from = deployment.closes_at - timedelta(hours=closing_hours)
    if now >= warn_from:
        due.append(("survey_closing", warn_from))
    return due


def _queue(ctx, kind: str, deployment) -> int:
    from klankbord.surveys.services import definition_of, total_responses

    defn = definition_of(deployment.version)
    recipients = staff_recipients(
        deployment.organisation_id, (Role.ADMIN.value, Role.FACILITATOR.value)
    )
    responses = total_responses(deployment)
    for user in recipients:
        lang = user.language if user.language in ("nl", "en") else "nl"
        values = {
            "survey": defn.text("title", lang),
            "opens": f"{deployment.opens_at:%Y-%m-%d %H:%M}",
            "closes": f"{deployment.closes_at:%Y-%m-%d %H:%M}",
            "locations": ", ".join(location.name for location in deployment.locations) or "-",
            "responses": responses,
        }
        ctx.send_mail(
            user.email,
            staff_text(f"{kind}_subject", lang, **values),
            staff_text(f"{kind}_body", lang, **values),
        )
    return len(recipients)
