"""Curation of a theme run: rename, hide, merge, split, move, quotes, links; carried over runs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, delete, func, select, update

from klankbord.core.refs import text_ref
from klankbord.core.time import utcnow
from klankbord.extensions import db
from klankbord.meetings.models import MeetingAction, MeetingUpdate
from klankbord.reports.models import QuoteCuration, ReportTheme, ThemeLink, ThemeMember, ThemeRun
from klankbord.reports.services.common import ReportError, member_condition
from klankbord.reports.services.signoff import curation_changed, runs_with_ref

#: Jaccard overlap from which a new theme counts as the same as a curated one of the last run.
MATCH_THRESHOLD = 0.3
#: A theme "grew" or "shrank" when its size changed by at least this fraction.
SIZE_CHANGE = 0.2


# Curation -------------------------------------------------------------------------------------


def member_refs(run: ThemeRun) -> dict[int, set[str]]:
    """The references of a run's theme members, per theme."""
    rows = db.session.execute(
        select(
            ThemeMember.theme_id,
            ThemeMember.response_id,
            ThemeMember.question_id,
            ThemeMember.idea_id,
        )
        .join(ReportTheme, ReportTheme.id == ThemeMember.theme_id)
        .where(ReportTheme.run_id == run.id)
    ).all()
    refs: dict[int, set[str]] = defaultdict(set)
    for theme_id, response_id, question_id, idea_id in rows:
        refs[theme_id].add(text_ref(response_id, question_id, idea_id))
    return refs


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def carry_curation(previous: ThemeRun, run: ThemeRun) -> dict:
    """Match the new run's themes to the previous run's by member overlap; carry curation over.

    Greedy one-to-one matching by Jaccard (highest first, at least MATCH_THRESHOLD). A matched
    theme keeps the curated name, hidden flag and links; texts a facilitator moved by hand follow
    their theme; two new themes whose texts mostly sit in one theme a facilitator had merged are
    merged again. Returns what changed: new, gone, grown, shrunk, kept (by title).
    """
    old_refs, new_refs = member_refs(previous), member_refs(run)
    old_themes = {t.id: t for t in previous.themes if t.merged_into_id is None}
    new_themes = {t.id: t for t in run.themes}
    pairs = sorted(
        ((_jaccard(new_refs[n], old_refs[o]), n, o) for n in new_themes for o in old_themes),
        reverse=True,
    )
    matched_new: dict[int, int] = {}
    matched_old: set[int] = set()
    for score, n, o in pairs:
        if score < MATCH_THRESHOLD or n in matched_new or o in matched_old:
            continue
        matched_new[n] = o
        matched_old.add(o)
    # Re-apply merges: an unmatched new theme mostly inside a matched, merged-into old theme.
    merge_targets = {t.merged_into_id for t in previous.themes if t.merged_into_id}
    old_to_new = {o: n for n, o in matched_new.items()}
    for n, theme in new_themes.items():
        if n in matched_new or not new_refs[n]:
            continue
        for o in merge_targets:
            if o in old_to_new and len(new_refs[n] & old_refs[o]) / len(new_refs[n]) >= 0.5:
                merge_themes(new_themes[old_to_new[o]], theme)
                break
    for n, o in matched_new.items():
        old, new = old_themes[o], new_themes[n]
        new.carried_from_id = old.id
        new.curated_name = old.curated_name
        new.hidden = old.hidden
        for link in old.links:
            db.session.add(
                ThemeLink(
                    organisation_id=new.organisation_id,
                    theme_id=new.id,
                    action_id=link.action_id,
                    update_id=link.update_id,
                )
            )
    # Texts moved by hand go with the theme they were moved to.
    pinned = (
        db.session.execute(
            select(ThemeMember)
            .join(ReportTheme, ReportTheme.id == ThemeMember.theme_id)
            .where(ReportTheme.run_id == previous.id, ThemeMember.pinned.is_(True))
        )
        .scalars()
        .all()
    )
    for member in pinned:
        target = old_to_new.get(member.theme_id)
        if target is None:
            continue
        _move_ref(
            run, member.response_id, member.question_id, member.idea_id, member.language, target
        )
    db.session.flush()
    changes: dict[str, list] = {"new": [], "gone": [], "grown": [], "shrunk": [], "kept": []}
    for n, theme in new_themes.items():
        if theme.merged_into_id:
            continue
        if n not in matched_new:
            changes["new"].append(theme.title)
            continue
        old = old_themes[matched_new[n]]
        before, after = len(old_refs[old.id]), len(new_refs[n])
        if before and (after - before) / before >= SIZE_CHANGE:
            changes["grown"].append([theme.title, before, after])
        elif before and (before - after) / before >= SIZE_CHANGE:
            changes["shrunk"].append([theme.title, before, after])
        else:
            changes["kept"].append(theme.title)
    changes["gone"] = [t.title for o, t in old_themes.items() if o not in matched_old]
    return changes


def _move_ref(run: ThemeRun, response_id, question_id, idea_id, language, target_id: int) -> None:
    theme_ids = select(ReportTheme.id).where(ReportTheme.run_id == run.id)
    ref_filter = (
        ThemeMember.idea_id == idea_id
        if idea_id is not None
        else and_(ThemeMember.response_id == response_id, ThemeMember.question_id == question_id)
    )
    db.session.execute(delete(ThemeMember).where(ThemeMember.theme_id.in_(theme_ids), ref_filter))
    db.session.add(
        ThemeMember(
            theme_id=target_id,
            response_id=response_id,
            question_id=question_id,
            idea_id=idea_id,
            language=language,
            pinned=True,
        )
    )


def _changed(theme: ReportTheme) -> None:
    """A curation change of this theme's run: its releases need a new sign-off."""
    curation_changed({theme.run_id}, organisation_id=theme.organisation_id)


def rename_theme(theme: ReportTheme, name: str) -> None:
    name = " ".join((name or "").split())
    if theme.curated_name != (name[:200] or None):
        theme.curated_name = name[:200] or None
        _changed(theme)
    db.session.flush()


def set_theme_hidden(theme: ReportTheme, hidden: bool) -> None:
    if theme.hidden != bool(hidden):
        theme.hidden = bool(hidden)
        _changed(theme)
    db.session.flush()


def merge_themes(target: ReportTheme, other: ReportTheme) -> None:
    """Move every text of ``other`` into ``target``; ``other`` stays as a record of the merge."""
    if target.id == other.id or target.run_id != other.run_id:
        raise ReportError("merge_same_run", "Choose two different themes of the same run.")
    db.session.execute(
        update(ThemeMember).where(ThemeMember.theme_id == other.id).values(theme_id=target.id)
    )
    other.merged_into_id = target.id
    target.size += other.size
    other.size = 0
    for link in list(other.links):
        link.theme_id = target.id
    _changed(target)
    db.session.flush()
    db.session.expire(target)
    db.session.expire(other)


def split_theme(theme: ReportTheme, member_ids: Sequence[int], name: str) -> ReportTheme:
    """Move the chosen texts of ``theme`` into a new theme of the same run, named ``name``."""
    ids = {int(i) for i in member_ids}
    members = [m for m in theme.members if m.id in ids]
    if not members or len(members) == len(theme.members):
        raise ReportError("split_choice", "Choose some, but not all, texts to move.")
    number = (
        db.session.execute(
            select(func.max(ReportTheme.number)).where(ReportTheme.run_id == theme.run_id)
        ).scalar_one()
        + 1
    )
    new = ReportTheme(
        organisation_id=theme.organisation_id,
        run_id=theme.run_id,
        number=number,
        label=name[:300] or theme.label,
        terms=[],
        size=len(members),
        share=0.0,
        languages={},
        curated_name=(" ".join(name.split()) or None),
    )
    db.session.add(new)
    db.session.flush()
    for member in members:
        member.theme_id = new.id
        member.pinned = True
    theme.size = max(0, theme.size - len(members))
    _changed(theme)
    db.session.flush()
    db.session.expire(theme)
    return new


def move_texts(source: ReportTheme, member_ids: Sequence[int], target: ReportTheme) -> int:
    """Move texts between two themes of the same run (they stay with the target on re-runs)."""
    if source.run_id != target.run_id or source.id == target.id:
        raise ReportError("merge_same_run", "Choose two different themes of the same run.")
    ids = {int(i) for i in member_ids}
    moved = 0
    for member in source.members:
        if member.id in ids:
            member.theme_id, member.pinned = target.id, True
            moved += 1
    if moved:
        _changed(source)
    db.session.flush()
    db.session.expire(source)
    db.session.expire(target)
    return moved


def curate_quote(
    org_id: int,
    ref: str,
    *,
    hidden: bool | None = None,
    translation_nl: str | None = None,
    actor: Any = None,
) -> QuoteCuration:
    """Hide a quote or set its Dutch translation; keyed by the text, so it survives re-runs."""
    if not _ref_in_org(org_id, ref):
        raise ReportError("unknown_quote", "This text is not part of your organisation's reports.")
    row = db.session.execute(
        select(QuoteCuration).where(
            QuoteCuration.organisation_id == org_id, QuoteCuration.ref == ref
        )
    ).scalar_one_or_none()
    if row is None:
        row = QuoteCuration(organisation_id=org_id, ref=ref)
        db.session.add(row)
    if hidden is not None:
        row.hidden = hidden
    if translation_nl is not None:
        row.translation_nl = translation_nl.strip()[:2000] or None
    row.updated_by_id = getattr(actor, "id", None)
    row.updated_at = utcnow()
    curation_changed(runs_with_ref(org_id, ref), organisation_id=org_id)
    db.session.flush()
    return row


def _ref_in_org(org_id: int, ref: str) -> bool:
    """A text reference belongs to a theme of this organisation."""
    condition = member_condition(ref)
    if condition is None:
        return False
    query = (
        select(ThemeMember.id)
        .join(ReportTheme, ReportTheme.id == ThemeMember.theme_id)
        .where(ReportTheme.organisation_id == org_id, condition)
    )
    return db.session.execute(query.limit(1)).first() is not None


def link_theme(
    theme: ReportTheme, *, action_id: int | None = None, update_id: int | None = None
) -> ThemeLink:
    """Link a theme to an action item or a "you said, we did" update of the same organisation."""
    if (action_id is None) == (update_id is None):
        raise ReportError("link_choice", "Choose an action item or an update.")
    model, target = (
        (MeetingAction, action_id) if action_id is not None else (MeetingUpdate, update_id)
    )
    found = db.session.execute(
        select(model.id).where(model.organisation_id == theme.organisation_id, model.id == target)
    ).scalar_one_or_none()
    if found is None:
        raise ReportError("foreign_id", "An item does not belong to this organisation.")
    existing = next(
        (
            link
            for link in theme.links
            if link.action_id == action_id and link.update_id == update_id
        ),
        None,
    )
    if existing:
        return existing
    link = ThemeLink(
        organisation_id=theme.organisation_id,
        theme_id=theme.id,
        action_id=action_id,
        update_id=update_id,
    )
    db.session.add(link)
    _changed(theme)
    db.session.flush()
    return link


def unlink_theme(theme: ReportTheme, link_id: int) -> None:
    removed = db.session.execute(
        delete(ThemeLink).where(ThemeLink.theme_id == theme.id, ThemeLink.id == link_id)
    ).rowcount
    if removed:
        _changed(theme)
    db.session.flush()
    db.session.expire(theme)
