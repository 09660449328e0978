"""Planning and running a meeting: the meeting itself, its agenda, attendance, start and finish."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from klankbord.core.time import utcnow
from klankbord.extensions import db
from klankbord.meetings.models import (
    Meeting,
    MeetingAgendaItem,
    MeetingAttendance,
    MeetingGroup,
    MeetingStatus,
    MeetingTheme,
    PollStatus,
)
from klankbord.meetings.services.base import (
    JOIN_CODE_LENGTH,
    MeetingError,
    checked_languages,
    clean_translations,
    mark_changed,
    new_code,
    normalise_code,
)

# Meetings and agendas ------------------------------------------------------------------------


def _unique_join_code() -> str:
    while True:
        code = new_code(JOIN_CODE_LENGTH)
        if db.session.execute(select(Meeting.id).where(Meeting.join_code == code)).first() is None:
            return code


def create_meeting(
    group: MeetingGroup,
    title: str,
    starts_at: datetime,
    place: str = "",
    online_link: str = "",
    interpreters: Iterable[str] = (),
) -> Meeting:
    """Plan a meeting; the join code exists from the start so it can be printed on handouts."""
    meeting = Meeting(
        organisation_id=group.organisation_id,
        group_id=group.id,
        title=title.strip(),
        starts_at=starts_at,
        place=(place or "").strip(),
        online_link=(online_link or "").strip(),
        interpreters=checked_languages(interpreters),
        join_code=_unique_join_code(),
    )
    db.session.add(meeting)
    db.session.flush()
    return meeting


def update_meeting(
    meeting: Meeting,
    title: str,
    starts_at: datetime,
    place: str,
    online_link: str,
    interpreters: Iterable[str],
) -> Meeting:
    meeting.title = title.strip()
    meeting.starts_at = starts_at
    meeting.place = (place or "").strip()
    meeting.online_link = (online_link or "").strip()
    meeting.interpreters = checked_languages(interpreters)
    db.session.flush()
    mark_changed(meeting)
    return meeting


def add_agenda_item(
    meeting: Meeting,
    title: str,
    theme_id: int | None,
    question: dict[str, str],
    notes: str = "",
    decisions: str = "",
) -> MeetingAgendaItem:
    question = clean_translations(question, meeting.group.languages)
    if not question.get("nl"):
        raise MeetingError(_l("The question needs at least a Dutch text."))
    _check_theme(meeting.organisation_id, theme_id)
    position = max((item.position for item in meeting.items), default=0) + 1
    item = MeetingAgendaItem(
        organisation_id=meeting.organisation_id,
        meeting_id=meeting.id,
        position=position,
        title=title.strip(),
        theme_id=theme_id,
        question=question,
        notes=(notes or "").strip(),
        decisions=(decisions or "").strip(),
    )
    db.session.add(item)
    db.session.flush()
    db.session.refresh(meeting, ["items"])
    mark_changed(meeting)
    return item


def update_agenda_item(
    item: MeetingAgendaItem,
    title: str,
    theme_id: int | None,
    question: dict[str, str],
    notes: str,
    decisions: str,
) -> MeetingAgendaItem:
    question = clean_translations(question, item.meeting.group.languages)
    if not question.get("nl"):
        raise MeetingError(_l("The question needs at least a Dutch text."))
    _check_theme(item.organisation_id, theme_id)
    item.title = title.strip()
    item.theme_id = theme_id
    item.question = question
    item.notes = (notes or "").strip()
    item.decisions = (decisions or "").strip()
    db.session.flush()
    mark_changed(item.meeting)
    return item


def _check_theme(org_id: int, theme_id: int | None) -> None:
    if theme_id is None:
        return
    theme = db.session.get(MeetingTheme, theme_id)
    if theme is None or theme.organisation_id != org_id:
        raise MeetingError(_l("Unknown theme."))


def set_attendance(meeting: Meeting, count: int | None, member_ids: Iterable[int] = ()) -> None:
    """Record how many people came and, optionally, which members."""
    ids = set(member_ids)
    valid = {m.id for m in meeting.group.members if m.erased_at is None}
    if not ids <= valid:
        raise MeetingError(_l("Unknown member."))
    if count is not None and count < len(ids):
        raise MeetingError(
            _l("The number of people present cannot be lower than the members ticked.")
        )
    if count is not None and count < 0:
        raise MeetingError(_l("The number of people present cannot be negative."))
    meeting.attendance_count = count if count is not None else (len(ids) or None)
    db.session.execute(delete(MeetingAttendance).where(MeetingAttendance.meeting_id == meeting.id))
    db.session.add_all(MeetingAttendance(meeting_id=meeting.id, member_id=i) for i in sorted(ids))
    db.session.flush()


def attendee_ids(meeting: Meeting) -> set[int]:
    return set(
        db.session.execute(
            select(MeetingAttendance.member_id).where(MeetingAttendance.meeting_id == meeting.id)
        ).scalars()
    )


def start_meeting(meeting: Meeting) -> None:
    if meeting.is_finished:
        raise MeetingError(_l("This meeting has already finished."))
    if not meeting.items:
        raise MeetingError(_l("Add at least one agenda item before starting."))
    meeting.status = MeetingStatus.LIVE.value
    meeting.started_at = meeting.started_at or utcnow()
    if meeting.current_item is None:
        meeting.current_item_id = meeting.items[0].id
    db.session.flush()
    mark_changed(meeting)


def move_to_item(meeting: Meeting, step: int = 1, item_id: int | None = None) -> MeetingAgendaItem:
    """Move the room to the next (+1) or previous (-1) agenda item, or to ``item_id``."""
    if not meeting.is_live:
        raise MeetingError(_l("The meeting is not live."))
    items = meeting.items
    if item_id is not None:
        target = next((item for item in items if item.id == item_id), None)
        if target is None:
            raise MeetingError(_l("Unknown agenda item."))
    else:
        index = next((i for i, item in enumerate(items) if item.id == meeting.current_item_id), 0)
        target = items[max(0, min(len(items) - 1, index + step))]
    meeting.current_item_id = target.id
    db.session.flush()
    mark_changed(meeting)
    return target


def finish_meeting(meeting: Meeting) -> None:
    """End the live part: phones stop taking input, open polls close."""
    meeting.status = MeetingStatus.FINISHED.value
    meeting.finished_at = utcnow()
    for poll in meeting.polls:
        if poll.status == PollStatus.OPEN.value:
            poll.status = PollStatus.CLOSED.value
            poll.closed_at = utcnow()
    db.session.flush()
    mark_changed(meeting)


def find_meeting_by_code(code: str) -> Meeting | None:
    """The meeting with this join code (any organisation: the code is the participant's key)."""
    code = normalise_code(code)
    if len(code) != JOIN_CODE_LENGTH:
        return None
    return db.session.execute(select(Meeting).where(Meeting.join_code == code)).scalar_one_or_none()
