"""Sign-off of curated releases: a named person answers for the curated themes before sharing.

Curation (renamed, merged, hidden or split themes, moved texts, hidden or translated quotes,
links to actions) is the staff's reading of what residents said. A release whose theme run is
curated may be shared (share links) only after someone signs it off:

* an organisation administrator or a policymaker (``SIGN_OFF_ROLES``), the roles that answer
  for what goes to the council; facilitators, who prepare the report, do not sign it off;
* who did not curate this run themselves (four-eyes principle; the curators are read from the
  audit log and the quote curation rows, following curation carried over from earlier runs).

Any later curation change of the run clears every sign-off of the releases that show it
(:func:`curation_changed`, called by the curation services); a new sign-off is needed. A release
without curated themes needs none. See docs/privacy.md, section 8 ("Sign-off").
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from klankbord.accounts.models import AuditEvent
from klankbord.core.refs import text_ref
from klankbord.core.time import utcnow
from klankbord.extensions import db
from klankbord.reports.models import (
    QuoteCuration,
    Release,
    ReportScope,
    ReportTheme,
    SignOff,
    ThemeLink,
    ThemeMember,
    ThemeRun,
)
from klankbord.reports.services.common import ReportError, member_condition

#: Roles that may sign off a curated release.
SIGN_OFF_ROLES = ("admin", "policymaker")
#: How far back curation carried over from earlier runs is followed to find its curators.
CARRY_DEPTH = 50


def _quote_curations(run: ThemeRun) -> list[QuoteCuration]:
    """Hidden or translated quotes among the run's texts.

    An organisation has few such rows and a run may hold 100,000 texts: the rows are read first
    and only their texts are looked up in the run.
    """
    rows = list(
        db.session.execute(
            select(QuoteCuration).where(
                QuoteCuration.organisation_id == run.organisation_id,
                or_(QuoteCuration.hidden.is_(True), QuoteCuration.translation_nl.is_not(None)),
            )
        ).scalars()
    )
    ideas, responses = set(), set()
    for row in rows:
        parts = row.ref.split(":")
        if parts[0] == "m" and len(parts) == 2 and parts[1].isdigit():
            ideas.add(int(parts[1]))
        elif parts[0] == "s" and len(parts) == 3:
            responses.add(parts[1])
    if not ideas and not responses:
        return []
    found = {
        text_ref(r, q, i)
        for r, q, i in db.session.execute(
            select(ThemeMember.response_id, ThemeMember.question_id, ThemeMember.idea_id)
            .join(ReportTheme, ReportTheme.id == ThemeMember.theme_id)
            .where(
                ReportTheme.run_id == run.id,
                or_(
                    ThemeMember.idea_id.in_(sorted(ideas) or [-1]),
                    ThemeMember.response_id.in_(sorted(responses) or ["-"]),
                ),
            )
        )
    }
    return [row for row in rows if row.ref in found]


def is_curated(run: ThemeRun | None) -> bool:
    """Whether staff changed what the engine found: names, merges, hidden themes, moved texts,
    links, or hidden or translated quotes."""
    if run is None:
        return False
    themes = select(ReportTheme.id).where(ReportTheme.run_id == run.id)
    curated_theme = db.session.execute(
        select(ReportTheme.id)
        .where(
            ReportTheme.run_id == run.id,
            or_(
                ReportTheme.curated_name.is_not(None),
                ReportTheme.hidden.is_(True),
                ReportTheme.merged_into_id.is_not(None),
            ),
        )
        .limit(1)
    ).first()
    if curated_theme is not None:
        return True
    for query in (
        select(ThemeMember.id).where(
            ThemeMember.theme_id.in_(themes), ThemeMember.pinned.is_(True)
        ),
        select(ThemeLink.id).where(ThemeLink.theme_id.in_(themes)),
    ):
        if db.session.execute(query.limit(1)).first() is not None:
            return True
    return bool(_quote_curations(run))


def curators_of(run: ThemeRun) -> set[int]:
    """Ids of the staff who curated this run, or the earlier runs its curation came from."""
    ids: set[int] = set()
    frontier = {t.id for t in run.themes}
    for _ in range(CARRY_DEPTH):
        new = frontier - ids
        if not new:
            break
        ids |= new
        frontier = set(
            db.session.execute(
                select(ReportTheme.carried_from_id).where(
                    ReportTheme.id.in_(new), ReportTheme.carried_from_id.is_not(None)
                )
            ).scalars()
        )
    people = set(
        db.session.execute(
            select(AuditEvent.actor_id).where(
                AuditEvent.organisation_id == run.organisation_id,
                AuditEvent.action == "theme_curated",
                AuditEvent.target_type == "report_theme",
                AuditEvent.target_id.in_([str(i) for i in sorted(ids)] or ["-"]),
                AuditEvent.actor_id.is_not(None),
            )
        ).scalars()
    )
    people |= {row.updated_by_id for row in _quote_curations(run) if row.updated_by_id}
    return people


def active_signoff(release: Release | None) -> SignOff | None:
    """The sign-off that holds for this release, or None."""
    if release is None:
        return None
    return db.session.execute(
        select(SignOff)
        .where(SignOff.release_id == release.id, SignOff.cleared_at.is_(None))
        .order_by(SignOff.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def needs_signoff(release: Release | None) -> bool:
    """A release with curated themes and no sign-off that still holds."""
    if release is None or release.run_id is None:
        return False
    run = db.session.get(ThemeRun, release.run_id)
    return is_curated(run) and active_signoff(release) is None


def shareable_release(scope: ReportScope) -> Release | None:
    """The newest release of the scope that may be shared: signed off, or not curated."""
    for release in db.session.execute(
        select(Release).where(Release.scope_id == scope.id).order_by(Release.version.desc())
    ).scalars():
        if not needs_signoff(release):
            return release
    return None


def sign_off(scope: ReportScope, release: Release, *, actor: Any, role: str) -> SignOff:
    """Sign off the curated themes of ``release`` as ``actor`` in ``role``; flushes.

    :param role: the actor's role in the scope's organisation (a value of ``SIGN_OFF_ROLES``).
    """
    if release.scope_id != scope.id:
        raise ReportError("signoff_release", "This release is not of this report.")
    if role not in SIGN_OFF_ROLES:
        raise ReportError("signoff_role", "Your role may not sign off reports.")
    run = db.session.get(ThemeRun, release.run_id) if release.run_id else None
    if not is_curated(run):
        raise ReportError("signoff_not_curated", "The themes of this release are not curated.")
    existing = active_signoff(release)
    if existing is not None:
        return existing
    if getattr(actor, "id", None) in curators_of(run):
        raise ReportError("signoff_own_curation", "Someone who did not curate must sign off.")
    row = SignOff(
        organisation_id=scope.organisation_id,
        scope_id=scope.id,
        release_id=release.id,
        signed_by_id=getattr(actor, "id", None),
        signer_name=(getattr(actor, "name", "") or "")[:200],
        signer_role=role,
        signed_at=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    return row


def curation_changed(run_ids: list[int] | set[int], *, organisation_id: int) -> int:
    """Clear the sign-offs of every release that shows one of these runs; returns how many.

    Called by each curation service after a change. Each cleared sign-off is recorded in the
    audit log (``signoff_cleared``); the row itself stays as the record.
    """
    from klankbord.accounts.services import record_event

    if not run_ids:
        return 0
    rows = db.session.execute(
        select(SignOff)
        .join(Release, Release.id == SignOff.release_id)
        .where(
            SignOff.organisation_id == organisation_id,
            Release.run_id.in_(sorted(run_ids)),
            SignOff.cleared_at.is_(None),
        )
    ).scalars()
    cleared = 0
    now = utcnow()
    for row in rows:
        row.cleared_at, row.cleared_reason = now, "curation"
        record_event(
            "signoff_cleared",
            organisation_id=organisation_id,
            target_type="report_scope",
            target_id=row.scope_id,
            details={"release": row.release_id, "signoff": row.id, "reason": "curation"},
        )
        cleared += 1
    db.session.flush()
    return cleared


def runs_with_ref(org_id: int, ref: str) -> set[int]:
    """Runs of the organisation that hold the text ``ref`` in one of their themes."""
    condition = member_condition(ref)
    if condition is None:
        return set()
    query = (
        select(ReportTheme.run_id)
        .join(ThemeMember, ThemeMember.theme_id == ReportTheme.id)
        .where(ReportTheme.organisation_id == org_id, condition)
    )
    return set(db.session.execute(query.distinct()).scalars())


def last_cleared_signoff(release: Release | None) -> SignOff | None:
    """The newest sign-off of this release that a curation change cleared, or None."""
    if release is None:
        return None
    return db.session.execute(
        select(SignOff)
        .where(SignOff.release_id == release.id, SignOff.cleared_at.is_not(None))
        .order_by(SignOff.id.desc())
        .limit(1)
    ).scalar_one_or_none()
