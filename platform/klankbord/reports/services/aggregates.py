"""Theme aggregates in SQL (sizes, languages, months with their record-key sums) and their cache.

The cache is the only one of the reports services: results are keyed by the run, the members'
fingerprint, the release day and a time bucket of ``CACHE_SECONDS``.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from klankbord.core.time import utcnow
from klankbord.extensions import db
from klankbord.meetings.models import MeetingIdea
from klankbord.reports.models import ThemeMember, ThemeRun
from klankbord.surveys.models import Response


def _month(column):
    """'YYYY-MM' of a date column, in either database."""
    if db.engine.dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


#: Theme aggregates per run, members fingerprint and release day (see _theme_aggregates).
_AGGREGATES: dict = {}
_AGGREGATES_SIZE = 64


#: Seconds a cached theme aggregate may be reused when the fingerprint has not changed.
CACHE_SECONDS = 300


def _theme_aggregates(run: ThemeRun, ids: list[int], until: date | None = None):
    """Sizes, languages and months per theme with their record-key sums, in SQL.

    ``until`` limits the members to a release's texts (those of days up to it). Results are
    reused while the members are unchanged: the fingerprint (number of members, sum of their
    theme ids) changes when a text is deleted, moved or merged; it reads only the theme_id index.
    """
    fingerprint = tuple(
        db.session.execute(
            select(func.count(ThemeMember.id), func.sum(ThemeMember.theme_id)).where(
                ThemeMember.theme_id.in_(ids)
            )
        ).one()
    )
    key = (
        "themes",
        str(db.engine.url),
        run.id,
        tuple(ids),
        fingerprint,
        until,
        int(utcnow().timestamp() // CACHE_SECONDS),
    )
    if key in _AGGREGATES:
        return _AGGREGATES[key]
    rows = []
    for record, join_on, month, in_release in (
        (
            Response,
            Response.id == ThemeMember.response_id,
            _month(Response.submitted_on),
            [Response.submitted_on <= until] if until else [],
        ),
        (
            MeetingIdea,
            MeetingIdea.id == ThemeMember.idea_id,
            _month(MeetingIdea.created_on),
            [MeetingIdea.created_on <= until] if until else [],
        ),
    ):
        rows += db.session.execute(
            select(
                ThemeMember.theme_id,
                ThemeMember.language,
                month,
                func.count(),
                func.coalesce(func.sum(record.record_key), 0),
            )
            .join(record, join_on)
            .where(ThemeMember.theme_id.in_(ids), *in_release)
            .group_by(ThemeMember.theme_id, ThemeMember.language, month)
        ).all()
    sizes: dict[int, tuple[int, int]] = {}
    langs: dict[tuple[int, str], tuple[int, int]] = {}
    months: dict[tuple[int, str], tuple[int, int]] = {}
    for theme_id, language, month_, n, key_sum in rows:
        cells = ((sizes, theme_id), (langs, (theme_id, language)), (months, (theme_id, month_)))
        for table, cell in cells:
            n0, k0 = table.get(cell, (0, 0))
            table[cell] = (n0 + int(n), k0 + int(key_sum))
    result = (
        sizes,
        [(t, lang, n, k) for (t, lang), (n, k) in langs.items()],
        [(t, m, n, k) for (t, m), (n, k) in months.items()],
    )
    if len(_AGGREGATES) >= _AGGREGATES_SIZE:
        _AGGREGATES.pop(next(iter(_AGGREGATES)))
    _AGGREGATES[key] = result
    return result
