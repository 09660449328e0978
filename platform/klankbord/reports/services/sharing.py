"""Share links: read-only, expiring, revocable links to a scope's report."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from klankbord.core.time import utcnow
from klankbord.extensions import db
from klankbord.reports.models import ReportScope, ShareLink
from klankbord.reports.releases import latest_release
from klankbord.reports.services.common import ReportError
from klankbord.reports.services.signoff import needs_signoff

SHARE_DAYS_MAX = 90


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_share_link(scope: ReportScope, days: int, *, actor: Any = None) -> tuple[ShareLink, str]:
    """A read-only link valid for ``days`` days; returns the row and the token (shown once).

    The newest release must not wait for a sign-off (curated themes, services.signoff)."""
    if not 1 <= int(days) <= SHARE_DAYS_MAX:
        raise ReportError("share_days", f"Choose between 1 and {SHARE_DAYS_MAX} days.")
    if needs_signoff(latest_release(scope=scope)):
        raise ReportError("signoff_needed", "The curated themes must be signed off first.")
    token = secrets.token_urlsafe(32)
    link = ShareLink(
        organisation_id=scope.organisation_id,
        scope_id=scope.id,
        token_hash=_token_hash(token),
        created_by_id=getattr(actor, "id", None),
        expires_at=utcnow() + timedelta(days=int(days)),
    )
    db.session.add(link)
    db.session.flush()
    return link, token


def find_share_link(token: str) -> ShareLink | None:
    """The active link for ``token``, or None when unknown, expired or revoked."""
    if not token or len(token) > 100:
        return None
    link = db.session.execute(
        select(ShareLink).where(ShareLink.token_hash == _token_hash(token))
    ).scalar_one_or_none()
    if link is None or not link.is_active(utcnow()):
        return None
    return link


def revoke_share_link(link: ShareLink, *, actor: Any = None) -> None:
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        link.revoked_by_id = getattr(actor, "id", None)
    db.session.flush()
