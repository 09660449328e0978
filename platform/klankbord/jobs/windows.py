"""Survey windows: tell an organisation's facilitators and admins when a deployment opens,
is about to close, or closed, with its response count. Each notice goes out once.

"Once" is kept in :class:`~klankbord.jobs.models.Notification` (unique kind + deployment), written
in the same transaction as the job run, and the mail is sent only after that commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from klankbord.accounts.models import Role, User
from klankbord.accounts.services import staff_with_roles
from klankbord.extensions import db
from klankbord.jobs.mail_text import staff_text
from klankbord.jobs.models import Notification

#: Notices about events older than this are recorded but not mailed (e.g. after a long outage).
STALE_AFTER = timedelta(days=3)


def staff_recipients(org_id: int, roles: tuple[str, ...]) -> list[User]:
    """Active users with one of ``roles`` in the organisation."""
    return staff_with_roles(org_id, roles)


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
    from klankbord.surveys.seam import window_events

    closing_hours = int(current_app.config.get("SURVEY_CLOSING_NOTICE_HOURS", 24))
    counts = {
        "survey_opened": 0,
        "survey_closing": 0,
        "survey_closed": 0,
        "mails_queued": 0,
        "stale_not_mailed": 0,
    }
    events = window_events(
        now,
        closing_hours=closing_hours,
        stale_after=STALE_AFTER,
        organisation_id=ctx.organisation_id,  # an admin's run: only their organisation
    )
    for event in events:
        deployment = event.deployment
        key = f"deployment:{deployment.id}"
        if already_sent(event.kind, key):
            continue
        queued = 0
        if now - event.moment <= STALE_AFTER:
            queued = _queue(ctx, event.kind, deployment)
        else:
            counts["stale_not_mailed"] += 1
        db.session.add(
            Notification(
                organisation_id=deployment.organisation_id,
                kind=event.kind,
                subject_key=key,
                recipients=queued,
                sent_at=now,
            )
        )
        counts[event.kind] += 1
        counts["mails_queued"] += queued
    db.session.flush()
    return counts


def _queue(ctx, kind: str, deployment) -> int:
    """Mail the organisation's admins and facilitators about ``deployment`` (a summary)."""
    from klankbord.surveys.seam import response_count

    recipients = staff_recipients(
        deployment.organisation_id, (Role.ADMIN.value, Role.FACILITATOR.value)
    )
    responses = response_count(deployment.id)
    for user in recipients:
        lang = user.language if user.language in ("nl", "en") else "nl"
        values = {
            "survey": deployment.title(lang),
            "opens": f"{deployment.opens_at:%Y-%m-%d %H:%M}",
            "closes": f"{deployment.closes_at:%Y-%m-%d %H:%M}",
            "locations": ", ".join(deployment.locations) or "-",
            "responses": responses,
        }
        ctx.send_mail(
            user.email,
            staff_text(f"{kind}_subject", lang, **values),
            staff_text(f"{kind}_body", lang, **values),
        )
    return len(recipients)
