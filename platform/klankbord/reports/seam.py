"""The public seam of reports for jobs: what reports keep about residents' texts, and its scopes.

Retention asks reports to forget texts it is about to delete (theme memberships, i.e. quotes, and
quote curation); the digest and re-clustering jobs list saved scopes. Jobs call these functions
and never query ``reports.models`` themselves (``tests/test_architecture.py``). Services flush;
the calling job commits.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select, tuple_

from klankbord.core.queries import delete_in_chunks
from klankbord.core.refs import text_ref
from klankbord.extensions import db
from klankbord.reports.models import QuoteCuration, ReportScope, ThemeMember


def forget_texts(
    organisation_id: int,
    *,
    survey_keys: Sequence[tuple[str, str]] = (),
    idea_ids: Sequence[int] = (),
) -> tuple[int, int]:
    """Delete theme memberships and quote curation of these texts; flushes.

    Theme sizes, labels and run totals stay. Returns (memberships deleted, curations deleted).
    """
    refs = [text_ref(r, q) for r, q in survey_keys] + [text_ref(None, None, i) for i in idea_ids]
    pairs = tuple_(ThemeMember.response_id, ThemeMember.question_id)
    quotes = delete_in_chunks(
        lambda chunk: delete(ThemeMember).where(pairs.in_(chunk)), survey_keys
    )
    quotes += delete_in_chunks(
        lambda chunk: delete(ThemeMember).where(ThemeMember.idea_id.in_(chunk)), idea_ids
    )
    curations = delete_in_chunks(
        lambda chunk: delete(QuoteCuration).where(
            QuoteCuration.organisation_id == organisation_id, QuoteCuration.ref.in_(chunk)
        ),
        refs,
    )
    return quotes, curations


def scopes_of(organisation_id: int) -> list[ReportScope]:
    """The organisation's saved report scopes, by name."""
    return list(
        db.session.execute(
            select(ReportScope)
            .where(ReportScope.organisation_id == organisation_id)
            .order_by(ReportScope.name)
        ).scalars()
    )


def scope_ids(organisation_id: int | None = None) -> list[int]:
    """Ids of every saved scope (or one organisation's), by id."""
    query = select(ReportScope.id).order_by(ReportScope.id)
    if organisation_id is not None:
        query = query.where(ReportScope.organisation_id == organisation_id)
    return list(db.session.execute(query).scalars())


def scope(scope_id: int) -> ReportScope | None:
    return db.session.get(ReportScope, scope_id)


def add_theme_members(rows: Sequence[dict]) -> None:
    """Insert theme members (dicts of ThemeMember's columns) in one statement; flushes."""
    from sqlalchemy import insert

    if rows:
        db.session.execute(insert(ThemeMember), list(rows))
