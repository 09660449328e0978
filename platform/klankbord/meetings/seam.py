"""The public seam of meetings: what other domains (reports, embeddings, jobs) may ask of it.

Ideas sent from phones (residents' text), their counts and their deletion, and the staff's
actions and updates that reports link themes to. Other domains call these functions and never
query ``meetings.models`` themselves (checked by ``tests/test_architecture.py``). Like every
service, these flush and never commit; the calling view or job commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Select, delete, func, select

from klankbord.core.queries import delete_in_chunks, period_filters
from klankbord.extensions import db
from klankbord.meetings.models import Meeting, MeetingAction, MeetingIdea, MeetingUpdate


def ideas_select() -> Select:
    """Every non-empty idea as a query, for callers that join their own tables.

    Columns: ``idea_id``, ``text``, ``organisation_id``.
    """
    return select(
        MeetingIdea.id.label("idea_id"),
        MeetingIdea.text.label("text"),
        MeetingIdea.organisation_id.label("organisation_id"),
    ).where(MeetingIdea.text != "")


def scope_ideas(
    organisation_id: int,
    meeting_ids: Sequence[int],
    *,
    period_from: date | None = None,
    period_to: date | None = None,
    languages: Sequence[str] = (),
) -> list[tuple[int, str, str, date]]:
    """The ideas a report scope covers (not hidden), oldest first: (id, text, language, day)."""
    filters = [
        MeetingIdea.organisation_id == organisation_id,
        MeetingIdea.meeting_id.in_(list(meeting_ids) or [-1]),
        MeetingIdea.status != "hidden",
        *period_filters(
            MeetingIdea.created_on,
            MeetingIdea.lang,
            period_from=period_from,
            period_to=period_to,
            languages=languages,
        ),
    ]
    rows = db.session.execute(
        select(MeetingIdea.id, MeetingIdea.text, MeetingIdea.lang, MeetingIdea.created_on)
        .where(*filters)
        .order_by(MeetingIdea.created_on, MeetingIdea.id)
    ).all()
    return [tuple(row) for row in rows]


def ideas_since(organisation_id: int, meeting_ids: Sequence[int], since: date) -> int:
    """Ideas (not hidden) sent to these meetings on or after the day ``since``."""
    if not meeting_ids:
        return 0
    return db.session.execute(
        select(func.count(MeetingIdea.id)).where(
            MeetingIdea.organisation_id == organisation_id,
            MeetingIdea.meeting_id.in_(list(meeting_ids)),
            MeetingIdea.created_on >= since,
            MeetingIdea.status != "hidden",
        )
    ).scalar_one()


def expired_idea_ids(organisation_id: int, cutoff: datetime) -> list[int]:
    """Ideas of the organisation's meetings that ended (unfinished: started) before ``cutoff``."""
    ended = func.coalesce(Meeting.finished_at, Meeting.starts_at)
    return list(
        db.session.execute(
            select(MeetingIdea.id)
            .join(Meeting, Meeting.id == MeetingIdea.meeting_id)
            .where(
                Meeting.organisation_id == organisation_id,
                MeetingIdea.organisation_id == organisation_id,
                ended < cutoff,
            )
        ).scalars()
    )


def purge_ideas(idea_ids: Sequence[int]) -> int:
    """Delete these ideas (their +1s go with them); flushes; returns how many were deleted."""
    return delete_in_chunks(
        lambda chunk: delete(MeetingIdea).where(MeetingIdea.id.in_(chunk)), idea_ids
    )


def recent_actions(organisation_id: int, limit: int = 200) -> list[MeetingAction]:
    """The organisation's newest meeting actions first (reports link themes to them)."""
    return list(
        db.session.execute(
            select(MeetingAction)
            .where(MeetingAction.organisation_id == organisation_id)
            .order_by(MeetingAction.id.desc())
            .limit(limit)
        ).scalars()
    )


def recent_updates(organisation_id: int, limit: int = 200) -> list[MeetingUpdate]:
    """The organisation's newest "you said, we did" updates first."""
    return list(
        db.session.execute(
            select(MeetingUpdate)
            .where(MeetingUpdate.organisation_id == organisation_id)
            .order_by(MeetingUpdate.id.desc())
            .limit(limit)
        ).scalars()
    )


def meetings_started_before(organisation_id: int, moment: datetime) -> list[tuple[int, datetime]]:
    """(id, start) of the organisation's meetings that started before ``moment``, oldest first."""
    return [
        (i, starts)
        for i, starts in db.session.execute(
            select(Meeting.id, Meeting.starts_at)
            .where(Meeting.organisation_id == organisation_id, Meeting.starts_at < moment)
            .order_by(Meeting.starts_at)
        )
    ]


def insert_made_up_ideas(rows: Sequence[dict]) -> None:
    """Write made-up ideas (dicts of ``MeetingIdea``'s columns) as given, for the reports demo."""
    from sqlalchemy import insert

    if rows:
        db.session.execute(insert(MeetingIdea), list(rows))
