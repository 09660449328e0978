"""Query pieces the domains' seams share: a report scope's period and languages, and deleting
many rows by key in ``IN`` lists short enough for every database."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from klankbord.extensions import db

#: Keys per ``IN`` list (SQLite allows 32,766 parameters, PostgreSQL 65,535).
CHUNK = 500


def delete_in_chunks(statement: Callable[[list], object], keys: Sequence, size: int = CHUNK) -> int:
    """Run ``statement(chunk)`` (a DELETE) for each chunk of ``keys``; returns the rows deleted.

    The statements skip the session's bookkeeping (``synchronize_session=False``): callers delete
    rows they have not loaded.
    """
    deleted = 0
    for start in range(0, len(keys), size):
        chunk = list(keys[start : start + size])
        result = db.session.execute(
            statement(chunk).execution_options(synchronize_session=False)  # type: ignore[attr-defined]
        )
        deleted += result.rowcount or 0
    return deleted


def period_filters(
    day,
    language,
    *,
    period_from: date | None = None,
    period_to: date | None = None,
    languages: Sequence[str] = (),
) -> list:
    """WHERE clauses keeping rows whose ``day`` column is in the period (both ends included; an
    open end when None) and whose ``language`` column is one of ``languages`` (all when empty)."""
    filters = []
    if period_from:
        filters.append(day >= period_from)
    if period_to:
        filters.append(day <= period_to)
    if languages:
        filters.append(language.in_(list(languages)))
    return filters
