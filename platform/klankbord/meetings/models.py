"""Sounding-board groups, their members, meetings, live input, minutes, actions and updates.

Anonymity by schema: ideas carry no participant column at all; supports and poll answers carry
only a keyed hash of a random id that lives in the participant's signed session cookie, so "once
per participant" can be enforced without knowing who anyone is. That hash is taken per poll (and
per idea), so one phone's votes in two polls carry unrelated keys and cannot be joined. What
participants send keeps the day only, never the time (issue 13); supports and poll answers are
keyed by (poll or idea, hash), with no counting id and, on SQLite, no rowid, so neither their ids
nor their storage order tell who answered after whom. Members are stored minimally and are never
linked to what was said.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from klankbord.accounts.models import OrgScoped, User
from klankbord.core.record_keys import random_record_key
from klankbord.core.time import utcnow
from klankbord.extensions import db

#: Maximum length of one idea from a phone, in characters.
IDEA_MAX_LENGTH = 500
#: Maximum length of an alias a participant may add to an idea.
ALIAS_MAX_LENGTH = 40


class MeetingStatus(enum.StrEnum):
    PLANNED = "planned"
    LIVE = "live"
    FINISHED = "finished"


class IdeaStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    HIDDEN = "hidden"


class PollStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class ActionStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


#: Statuses of an action item that still need work (and can be overdue).
ACTION_PENDING = (ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value)

group_facilitators = Table(
    "meeting_group_facilitator",
    db.metadata,
    Column("group_id", ForeignKey("meeting_group.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class MeetingTheme(OrgScoped, db.Model):
    """A policy theme an organisation keeps for agenda items (seeded with seven defaults)."""

    __tablename__ = "meeting_theme"
    __table_args__ = (UniqueConstraint("organisation_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable machine key, e.g. "huisvesting"; unique within the organisation.
    key: Mapped[str] = mapped_column(String(60))
    #: Dutch name, e.g. "huisvesting".
    name_nl: Mapped[str] = mapped_column(String(120))
    #: English name for English-speaking staff.
    name_en: Mapped[str] = mapped_column(String(120))
    #: Sort order in lists.
    position: Mapped[int] = mapped_column(default=0)
    #: Retired themes stay on old agenda items but are not offered for new ones.
    active: Mapped[bool] = mapped_column(default=True)

    def name(self, lang: str = "nl") -> str:
        return self.name_en if lang == "en" else self.name_nl

    def __repr__(self) -> str:
        return f"<MeetingTheme {self.key}>"


class MeetingGroup(OrgScoped, db.Model):
    """A structural sounding-board group (klankbordgroep) of refugees and status holders."""

    __tablename__ = "meeting_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: What the group is for, in the facilitators' words.
    purpose: Mapped[str] = mapped_column(Text, default="")
    #: Language codes the group works in; questions and updates are translated into these.
    languages: Mapped[list] = mapped_column(JSON, default=list)
    #: Random code of the public "you said, we did" page (/g/<code>).
    public_code: Mapped[str] = mapped_column(String(24), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    facilitators: Mapped[list[User]] = relationship(
        secondary=group_facilitators, order_by=User.name
    )
    members: Mapped[list[MeetingMember]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="MeetingMember.id"
    )
    meetings: Mapped[list[Meeting]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="Meeting.starts_at.desc()"
    )
    updates: Mapped[list[MeetingUpdate]] = relationship(
        back_populates="group",
        cascade="all, delete-orphan",
        order_by="MeetingUpdate.created_at.desc()",
    )

    def __repr__(self) -> str:
        return f"<MeetingGroup {self.id}>"


class MeetingMember(OrgScoped, db.Model):
    """A member of a group, stored minimally; erasable on request."""

    __tablename__ = "meeting_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_group.id", ondelete="CASCADE"), index=True
    )
    #: A chosen name or alias; replaced by a neutral text when the member is erased.
    alias: Mapped[str] = mapped_column(String(80))
    #: Language codes the member speaks.
    languages: Mapped[list] = mapped_column(JSON, default=list)
    #: Whether the member needs an interpreter in meetings.
    interpreter_needed: Mapped[bool] = mapped_column(default=False)
    #: Date the consent was given.
    consent_date: Mapped[date | None] = mapped_column(Date)
    #: What the member consented to (taking part, being contacted, photos ...).
    consent_scope: Mapped[str] = mapped_column(String(300), default="")
    #: Who gave consent: the member, a guardian, ... (a role, not a name).
    consent_given_by: Mapped[str] = mapped_column(String(120), default="")
    #: Explicit consent to store contact details; without it ``contact`` stays empty.
    contact_consent: Mapped[bool] = mapped_column(default=False)
    #: Phone or e-mail, only with ``contact_consent``.
    contact: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set when the member's personal data was erased on request.
    erased_at: Mapped[datetime | None] = mapped_column()

    group: Mapped[MeetingGroup] = relationship(back_populates="members")

    __table_args__ = (
        CheckConstraint("contact IS NULL OR contact_consent", name="contact_needs_consent"),
    )

    def __repr__(self) -> str:
        return f"<MeetingMember {self.id}>"


class Meeting(OrgScoped, db.Model):
    """One meeting of a group: planned, live (taking input from phones) or finished."""

    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_group.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    #: Start (naive UTC).
    starts_at: Mapped[datetime] = mapped_column()
    #: Address or room; empty for online meetings.
    place: Mapped[str] = mapped_column(String(300), default="")
    #: Video-call link for online meetings.
    online_link: Mapped[str] = mapped_column(String(500), default="")
    #: Language codes for which an interpreter is present.
    interpreters: Mapped[list] = mapped_column(JSON, default=list)
    #: planned, live or finished (MeetingStatus).
    status: Mapped[str] = mapped_column(String(20), default=MeetingStatus.PLANNED.value)
    #: Short random code participants type or scan (/m/<code>).
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    #: The agenda item the room is talking about now; phones follow it. A plain id, not a foreign
    #: key, so meeting and agenda item do not depend on each other in a cycle (services check it).
    current_item_id: Mapped[int | None] = mapped_column()
    #: How many people were there (members may be ticked separately, optionally).
    attendance_count: Mapped[int | None] = mapped_column()
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    group: Mapped[MeetingGroup] = relationship(back_populates="meetings")
    items: Mapped[list[MeetingAgendaItem]] = relationship(
        back_populates="meeting",
        cascade="all, delete-orphan",
        order_by="MeetingAgendaItem.position",
    )
    actions: Mapped[list[MeetingAction]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingAction.id"
    )
    polls: Mapped[list[MeetingPoll]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingPoll.id"
    )

    @property
    def current_item(self) -> MeetingAgendaItem | None:
        return next((item for item in self.items if item.id == self.current_item_id), None)

    @property
    def is_live(self) -> bool:
        return self.status == MeetingStatus.LIVE.value

    @property
    def is_finished(self) -> bool:
        return self.status == MeetingStatus.FINISHED.value

    def __repr__(self) -> str:
        return f"<Meeting {self.id} {self.status}>"


class MeetingAttendance(db.Model):
    """That a member was at a meeting (optional; removed when the member is erased)."""

    __tablename__ = "meeting_attendance"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_member.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class MeetingAgendaItem(OrgScoped, db.Model):
    """An agenda item: a theme, a question to the group in its languages, and the minutes."""

    __tablename__ = "meeting_agenda_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    #: Order within the meeting, from 1.
    position: Mapped[int] = mapped_column(default=1)
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_theme.id", ondelete="SET NULL")
    )
    #: Short title for staff, in Dutch.
    title: Mapped[str] = mapped_column(String(200))
    #: The question to the group: {language code: text}; "nl" is always there.
    question: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Minutes: what was discussed.
    notes: Mapped[str] = mapped_column(Text, default="")
    #: Minutes: what was decided or agreed.
    decisions: Mapped[str] = mapped_column(Text, default="")

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    theme: Mapped[MeetingTheme | None] = relationship()

    def __repr__(self) -> str:
        return f"<MeetingAgendaItem {self.id}>"


def _today() -> date:
    return utcnow().date()


class MeetingIdea(OrgScoped, db.Model):
    """A short idea sent from a phone. No participant column: it cannot be traced to a person."""

    __tablename__ = "meeting_idea"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'hidden')", name="idea_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_agenda_item.id", ondelete="SET NULL"), index=True
    )
    #: The idea, scrubbed of personal data before it was stored.
    text: Mapped[str] = mapped_column(Text)
    #: Language the participant chose.
    lang: Mapped[str] = mapped_column(String(5))
    #: Alias the participant chose to show; empty means anonymous.
    alias: Mapped[str | None] = mapped_column(String(ALIAS_MAX_LENGTH))
    #: pending (not on the projector), approved (on the projector) or hidden (kept, marked).
    status: Mapped[str] = mapped_column(String(20), default=IdeaStatus.PENDING.value)
    #: Number of +1s (kept in step with MeetingIdeaSupport rows).
    support_count: Mapped[int] = mapped_column(default=0)
    #: Random key for cell-key perturbation of released counts (docs/privacy.md); never shown.
    record_key: Mapped[int] = mapped_column(default=random_record_key)
    #: The day it was sent; never the time (the meeting's own times say when the room met).
    created_on: Mapped[date] = mapped_column(Date, default=_today)

    agenda_item: Mapped[MeetingAgendaItem | None] = relationship()

    def __repr__(self) -> str:
        return f"<MeetingIdea {self.id} {self.status}>"


class MeetingIdeaSupport(db.Model):
    """A +1 on an idea; the key is a hash of a random cookie id, so once per participant."""

    __tablename__ = "meeting_idea_support"
    __table_args__ = {"sqlite_with_rowid": False}

    idea_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_idea.id", ondelete="CASCADE"), primary_key=True
    )
    #: Keyed hash of (this idea, random id in the participant's session cookie).
    participant_key: Mapped[str] = mapped_column(String(64), primary_key=True)


class MeetingPoll(OrgScoped, db.Model):
    """A quick single-choice poll the facilitator opens during a meeting."""

    __tablename__ = "meeting_poll"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_agenda_item.id", ondelete="SET NULL")
    )
    #: {language code: question}.
    question: Mapped[dict] = mapped_column(JSON, default=dict)
    #: List of options, each {language code: text}.
    options: Mapped[list] = mapped_column(JSON, default=list)
    #: draft, open or closed (PollStatus).
    status: Mapped[str] = mapped_column(String(20), default=PollStatus.DRAFT.value)
    opened_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="polls")
    agenda_item: Mapped[MeetingAgendaItem | None] = relationship()

    def __repr__(self) -> str:
        return f"<MeetingPoll {self.id} {self.status}>"


class MeetingPollAnswer(db.Model):
    """One answer to a poll; the participant key makes it one per participant."""

    __tablename__ = "meeting_poll_answer"
    __table_args__ = {"sqlite_with_rowid": False}

    poll_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_poll.id", ondelete="CASCADE"), primary_key=True
    )
    #: Keyed hash of (this poll, random id in the participant's session cookie).
    participant_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: Index into MeetingPoll.options.
    option_index: Mapped[int] = mapped_column()
    #: Language the participant answered in.
    lang: Mapped[str] = mapped_column(String(5))


class MeetingAction(OrgScoped, db.Model):
    """An action item from a meeting, owned by a department or role."""

    __tablename__ = "meeting_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_agenda_item.id", ondelete="SET NULL")
    )
    description: Mapped[str] = mapped_column(Text)
    #: A department or role ("Team Wonen", "wethouder participatie"), not necessarily a user.
    owner: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date | None] = mapped_column(Date)
    #: open, in_progress, done or dropped (ActionStatus).
    status: Mapped[str] = mapped_column(String(20), default=ActionStatus.OPEN.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="actions")
    agenda_item: Mapped[MeetingAgendaItem | None] = relationship()

    def is_overdue(self, today: date) -> bool:
        return self.due_date is not None and self.due_date < today and self.status in ACTION_PENDING

    def __repr__(self) -> str:
        return f"<MeetingAction {self.id} {self.status}>"


class MeetingUpdate(OrgScoped, db.Model):
    """A "you said, we did" update for the group's public page: Dutch plus translations."""

    __tablename__ = "meeting_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_group.id", ondelete="CASCADE"), index=True
    )
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_agenda_item.id", ondelete="SET NULL")
    )
    action_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_action.id", ondelete="SET NULL")
    )
    #: Theme name as text, shown with the update (kept if the theme is renamed later).
    theme_name: Mapped[str] = mapped_column(String(120), default="")
    #: {language code: heading}.
    title: Mapped[dict] = mapped_column(JSON, default=dict)
    #: {language code: what the input led to}.
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    #: {language code: what could not be done, and why}; may be empty.
    not_done: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Set when published on the public page; None is a draft.
    published_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    group: Mapped[MeetingGroup] = relationship(back_populates="updates")
    agenda_item: Mapped[MeetingAgendaItem | None] = relationship()
    action: Mapped[MeetingAction | None] = relationship()

    def __repr__(self) -> str:
        return f"<MeetingUpdate {self.id}>"
