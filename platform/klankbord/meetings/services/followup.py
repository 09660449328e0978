"""After the meeting: actions, "you said, we did" updates, minutes and ideas for the analysis."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from klankbord.core.time import today, utcnow
from klankbord.extensions import db
from klankbord.meetings.models import (
    ACTION_PENDING,
    ActionStatus,
    IdeaStatus,
    Meeting,
    MeetingAction,
    MeetingAgendaItem,
    MeetingGroup,
    MeetingIdea,
    MeetingPoll,
    MeetingTheme,
    MeetingUpdate,
)
from klankbord.meetings.services.agenda import attendee_ids
from klankbord.meetings.services.base import MeetingError, clean_translations
from klankbord.meetings.services.live import idea_aids, ideas_for, poll_results

# Minutes and actions -------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionData:
    description: str
    owner: str
    due_date: date | None
    status: str
    agenda_item_id: int | None = None


def _apply_action(action: MeetingAction, meeting: Meeting, data: ActionData) -> None:
    if not data.description.strip() or not data.owner.strip():
        raise MeetingError(_l("An action needs a description and an owner."))
    if data.agenda_item_id is not None and data.agenda_item_id not in {i.id for i in meeting.items}:
        raise MeetingError(_l("Unknown agenda item."))
    action.description = data.description.strip()
    action.owner = data.owner.strip()
    action.due_date = data.due_date
    action.status = ActionStatus(data.status).value
    action.agenda_item_id = data.agenda_item_id
    action.updated_at = utcnow()


def add_action(meeting: Meeting, data: ActionData) -> MeetingAction:
    action = MeetingAction(organisation_id=meeting.organisation_id, meeting_id=meeting.id)
    _apply_action(action, meeting, data)
    db.session.add(action)
    db.session.flush()
    return action


def update_action(action: MeetingAction, data: ActionData) -> MeetingAction:
    _apply_action(action, action.meeting, data)
    db.session.flush()
    return action


def overdue_actions(
    org_id: int, *, group_id: int | None = None, on: date | None = None
) -> list[MeetingAction]:
    """Open or in-progress actions whose due date has passed, oldest first."""
    query = (
        select(MeetingAction)
        .join(Meeting, Meeting.id == MeetingAction.meeting_id)
        .where(
            MeetingAction.organisation_id == org_id,
            MeetingAction.status.in_(ACTION_PENDING),
            MeetingAction.due_date < (on or today()),
        )
    )
    if group_id is not None:
        query = query.where(Meeting.group_id == group_id)
    return list(
        db.session.execute(query.order_by(MeetingAction.due_date, MeetingAction.id)).scalars()
    )


# "You said, we did" --------------------------------------------------------------------------


@dataclass(frozen=True)
class UpdateData:
    title: dict[str, str]
    result: dict[str, str]
    not_done: dict[str, str]
    theme_name: str = ""
    agenda_item_id: int | None = None
    action_id: int | None = None
    publish: bool = False


def _apply_update(update_row: MeetingUpdate, group: MeetingGroup, data: UpdateData) -> None:
    title = clean_translations(data.title, group.languages)
    result = clean_translations(data.result, group.languages)
    if not title.get("nl") or not result.get("nl"):
        raise MeetingError(_l("An update needs at least a Dutch title and a Dutch text."))
    meeting_ids = {m.id for m in group.meetings}
    if data.agenda_item_id is not None:
        item = db.session.get(MeetingAgendaItem, data.agenda_item_id)
        if item is None or item.meeting_id not in meeting_ids:
            raise MeetingError(_l("Unknown agenda item."))
    if data.action_id is not None:
        action = db.session.get(MeetingAction, data.action_id)
        if action is None or action.meeting_id not in meeting_ids:
            raise MeetingError(_l("Unknown action."))
    update_row.title = title
    update_row.result = result
    update_row.not_done = clean_translations(data.not_done, group.languages)
    update_row.theme_name = (data.theme_name or "").strip()
    update_row.agenda_item_id = data.agenda_item_id
    update_row.action_id = data.action_id
    if data.publish and update_row.published_at is None:
        update_row.published_at = utcnow()
    elif not data.publish:
        update_row.published_at = None


def create_update(group: MeetingGroup, data: UpdateData) -> MeetingUpdate:
    row = MeetingUpdate(organisation_id=group.organisation_id, group_id=group.id)
    _apply_update(row, group, data)
    db.session.add(row)
    db.session.flush()
    return row


def edit_update(row: MeetingUpdate, data: UpdateData) -> MeetingUpdate:
    _apply_update(row, row.group, data)
    db.session.flush()
    return row


def published_updates(group: MeetingGroup) -> list[MeetingUpdate]:
    """Published updates, newest first."""
    return list(
        db.session.execute(
            select(MeetingUpdate)
            .where(MeetingUpdate.group_id == group.id, MeetingUpdate.published_at.is_not(None))
            .order_by(MeetingUpdate.published_at.desc(), MeetingUpdate.id.desc())
        ).scalars()
    )


# Summary -------------------------------------------------------------------------------------


#: Characters that change the meaning of Markdown text (CommonMark's escapable punctuation).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def markdown_plain(text: str) -> str:
    """Participant text as inert Markdown: no HTML, no links, no headings, on one line.

    People paste the summary into wikis and intranets, which render Markdown and often raw HTML:
    a ``<script>`` or a link typed on a phone must arrive there as visible text.
    """
    one_line = " ".join(str(text).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(one_line, quote=False))


def _md_html(text: str | None) -> str:
    """Staff text keeps its Markdown, but never raw HTML."""
    return html.escape(text or "", quote=False)


@dataclass(frozen=True)
class MinutesItem:
    """One agenda item as the minutes show it: only approved ideas, most supported first."""

    item: MeetingAgendaItem
    ideas: list[MeetingIdea]
    polls: list[tuple[MeetingPoll, list[int]]]


def minutes_items(meeting: Meeting) -> list[MinutesItem]:
    """What the minutes (Markdown and PDF alike) show per agenda item; hidden ideas never."""
    entries = []
    for item in meeting.items:
        ideas = ideas_for(meeting, item_id=item.id, statuses=[IdeaStatus.APPROVED.value])
        entries.append(
            MinutesItem(
                item=item,
                ideas=sorted(ideas, key=lambda i: -i.support_count),
                polls=[(p, poll_results(p)) for p in meeting.polls if p.agenda_item_id == item.id],
            )
        )
    return entries


def summary_context(meeting: Meeting) -> dict:
    """What the staff summary page shows: per agenda item its approved (most supported first),
    pending and hidden ideas and its polls with results; polls without an item; Dutch aids for
    the approved and hidden ideas; how many members were ticked present.

    Unlike :func:`minutes_items` (what leaves the building), staff see hidden ideas here too.
    """
    items = []
    for item in meeting.items:
        ideas = ideas_for(meeting, item_id=item.id)
        items.append(
            {
                "item": item,
                "approved": sorted(
                    [i for i in ideas if i.status == IdeaStatus.APPROVED.value],
                    key=lambda i: -i.support_count,
                ),
                "pending": [i for i in ideas if i.status == IdeaStatus.PENDING.value],
                "hidden": [i for i in ideas if i.status == IdeaStatus.HIDDEN.value],
                "polls": [
                    (p, poll_results(p)) for p in meeting.polls if p.agenda_item_id == item.id
                ],
            }
        )
    other_polls = [(p, poll_results(p)) for p in meeting.polls if p.agenda_item_id is None]
    return {
        "meeting": meeting,
        "items": items,
        "aids": idea_aids([i for e in items for key in ("approved", "hidden") for i in e[key]]),
        "other_polls": other_polls,
        "attendee_count": len(attendee_ids(meeting)),
    }


def summary_markdown(meeting: Meeting) -> str:
    """The meeting's minutes as Markdown, in the staff member's interface language.

    Participants' ideas are escaped completely (:func:`markdown_plain`); what staff wrote keeps
    its Markdown formatting but has HTML escaped, so no raw HTML reaches the file.
    """
    from klankbord.core.i18n import format_day, format_when

    lines = [
        f"# {_md_html(meeting.title)}",
        "",
        f"- {_('Group')}: {_md_html(meeting.group.name)}",
        f"- {_('Date')}: {format_when(meeting.starts_at)}",
    ]
    if meeting.place:
        lines.append(f"- {_('Place')}: {_md_html(meeting.place)}")
    if meeting.online_link:
        lines.append(f"- {_('Online')}: {_md_html(meeting.online_link)}")
    if meeting.interpreters:
        lines.append(f"- {_('Interpreters present')}: {_md_html(', '.join(meeting.interpreters))}")
    if meeting.attendance_count is not None:
        lines.append(f"- {_('Attendance')}: {meeting.attendance_count}")
    for entry in minutes_items(meeting):
        item = entry.item
        theme = item.theme.name_nl if item.theme else ""
        lines += [
            "",
            f"## {item.position}. {_md_html(item.title)}"
            + (f" ({_md_html(theme)})" if theme else ""),
            "",
            f"**{_('Question')}:** {_md_html(item.question.get('nl', ''))}",
            "",
        ]
        if item.notes:
            lines += [f"### {_('Notes')}", "", _md_html(item.notes), ""]
        if item.decisions:
            lines += [f"### {_('Decisions')}", "", _md_html(item.decisions), ""]
        if entry.ideas:
            lines += [f"### {_('Ideas from the group')}", ""]
            lines += [
                f"- {markdown_plain(idea.text)} (+{idea.support_count}, {idea.lang})"
                for idea in entry.ideas
            ]
        for poll, counts in entry.polls:
            lines += ["", f"### {_('Poll')}: {_md_html(poll.question.get('nl', ''))}", ""]
            lines += [
                f"- {_md_html(option.get('nl', ''))}: {count}"
                for option, count in zip(poll.options, counts, strict=True)
            ]
    if meeting.actions:
        lines += ["", f"## {_('Actions')}", ""]
        lines += [
            f"- {_md_html(a.description)} — {_md_html(a.owner)}, "
            f"{format_day(a.due_date) if a.due_date else '–'}, "
            f"{action_status_label(a.status)}"
            for a in meeting.actions
        ]
    return "\n".join(lines).rstrip() + "\n"


def action_status_label(status: str) -> str:
    return {
        ActionStatus.OPEN.value: _("open"),
        ActionStatus.IN_PROGRESS.value: _("in progress"),
        ActionStatus.DONE.value: _("done"),
        ActionStatus.DROPPED.value: _("dropped"),
    }.get(status, status)


# Into analysis -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Contribution:
    """One text contribution from a meeting, tagged like a free-text survey answer."""

    id: str
    text: str
    lang: str
    source: str
    group_id: int
    meeting_id: int
    meeting_title: str
    meeting_date: date
    agenda_item_id: int | None
    agenda_item_title: str | None
    theme: str | None
    theme_name: str | None
    status: str
    support_count: int
    #: The day it was sent (no time is kept).
    created_on: date


def contributions_for_analysis(
    org_id: int,
    *,
    group_id: int | None = None,
    meeting_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    include_hidden: bool = False,
) -> list[Contribution]:
    """Ideas sent from phones, as text records for the analysis engine and reports.

    Hidden ideas (off-topic or hurtful) are left out unless ``include_hidden``; pending ideas count,
    because moderation decides what goes on the projector, not what the group said.
    """
    query = (
        select(MeetingIdea, Meeting, MeetingAgendaItem, MeetingTheme)
        .join(Meeting, Meeting.id == MeetingIdea.meeting_id)
        .outerjoin(MeetingAgendaItem, MeetingAgendaItem.id == MeetingIdea.agenda_item_id)
        .outerjoin(MeetingTheme, MeetingTheme.id == MeetingAgendaItem.theme_id)
        .where(MeetingIdea.organisation_id == org_id)
    )
    if group_id is not None:
        query = query.where(Meeting.group_id == group_id)
    if meeting_id is not None:
        query = query.where(Meeting.id == meeting_id)
    if since is not None:
        query = query.where(MeetingIdea.created_on >= since.date())
    if until is not None:
        query = query.where(MeetingIdea.created_on < until.date())
    if not include_hidden:
        query = query.where(MeetingIdea.status != IdeaStatus.HIDDEN.value)
    rows = db.session.execute(query.order_by(MeetingIdea.created_on, MeetingIdea.id)).all()
    return [
        Contribution(
            id=f"meeting-idea-{idea.id}",
            text=idea.text,
            lang=idea.lang,
            source="meeting_idea",
            group_id=meeting.group_id,
            meeting_id=meeting.id,
            meeting_title=meeting.title,
            meeting_date=meeting.starts_at.date(),
            agenda_item_id=item.id if item else None,
            agenda_item_title=item.title if item else None,
            theme=theme.key if theme else None,
            theme_name=theme.name_nl if theme else None,
            status=idea.status,
            support_count=idea.support_count,
            created_on=idea.created_on,
        )
        for idea, meeting, item, theme in rows
    ]
