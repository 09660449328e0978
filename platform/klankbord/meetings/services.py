"""Meeting operations: groups, members, agendas, live input, minutes, actions, updates.

Callers commit.

Participant-facing refusals raise :class:`InputRejected` with a key into ``ui_text`` so the view can
answer in the participant's language; staff-facing refusals raise :class:`MeetingError` with a
translated message.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import re
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from klankbord.accounts.models import Membership, Role, User
from klankbord.accounts.services import record_event
from klankbord.analysis.scrub import PLACEHOLDERS, scrub
from klankbord.core.time import today, utcnow
from klankbord.extensions import db
from klankbord.meetings.models import (
    ACTION_PENDING,
    ALIAS_MAX_LENGTH,
    IDEA_MAX_LENGTH,
    ActionStatus,
    IdeaStatus,
    Meeting,
    MeetingAction,
    MeetingAgendaItem,
    MeetingAttendance,
    MeetingGroup,
    MeetingIdea,
    MeetingIdeaSupport,
    MeetingMember,
    MeetingPoll,
    MeetingPollAnswer,
    MeetingStatus,
    MeetingTheme,
    MeetingUpdate,
    PollStatus,
)
from klankbord.meetings.ui_text import LANGUAGES

#: The themes every organisation starts with: (key, Dutch name, English name).
DEFAULT_THEMES = (
    ("opvang-en-spreiding", "opvang en spreiding", "reception and dispersal"),
    ("huisvesting", "huisvesting", "housing"),
    ("inburgering", "inburgering", "civic integration"),
    ("werk", "werk", "work"),
    ("alleenstaande-minderjarigen", "alleenstaande minderjarigen", "unaccompanied minors"),
    ("hervestiging", "hervestiging", "resettlement"),
    ("participatie", "participatie", "participation"),
)

#: Join and public codes: no 0/O, 1/I/L, so they can be read aloud and typed on a phone.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
JOIN_CODE_LENGTH = 8  # 31**8 ≈ 8.5e11 codes: not guessable within a meeting's lifetime
PUBLIC_CODE_LENGTH = 10
ERASED_ALIAS = "[verwijderd]"


class MeetingError(Exception):
    """A staff-facing problem; the message is a lazy translation, shown with ``str(error)``."""


class InputRejected(Exception):
    """A participant's input was refused; ``key`` names a text in ``ui_text``."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def new_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalise_code(code: str) -> str:
    """Accept codes typed in lower case or with spaces and dashes."""
    return "".join(ch for ch in (code or "").upper() if ch.isascii() and ch.isalnum())[:24]


def pick(texts: dict | None, lang: str) -> tuple[str, str]:
    """Return (text, language it is in): the wanted language, else Dutch, else anything."""
    texts = texts or {}
    for code in (lang, "nl", *texts.keys()):
        if texts.get(code):
            return texts[code], code
    return "", lang


def clean_translations(values: dict[str, str], languages: Iterable[str]) -> dict[str, str]:
    """Keep non-empty texts of known languages, stripped."""
    allowed = set(languages) | {"nl"}
    return {
        code: text.strip()
        for code, text in values.items()
        if code in allowed and text and text.strip()
    }


# Themes --------------------------------------------------------------------------------------


def ensure_default_themes(org_id: int) -> list[MeetingTheme]:
    """Give the organisation the seven default themes if it has no themes yet."""
    existing = (
        db.session.execute(
            select(MeetingTheme)
            .where(MeetingTheme.organisation_id == org_id)
            .order_by(MeetingTheme.position)
        )
        .scalars()
        .all()
    )
    if existing:
        return list(existing)
    themes = [
        MeetingTheme(organisation_id=org_id, key=key, name_nl=nl, name_en=en, position=i)
        for i, (key, nl, en) in enumerate(DEFAULT_THEMES)
    ]
    db.session.add_all(themes)
    db.session.flush()
    return themes


def active_themes(org_id: int) -> list[MeetingTheme]:
    ensure_default_themes(org_id)
    return list(
        db.session.execute(
            select(MeetingTheme)
            .where(MeetingTheme.organisation_id == org_id, MeetingTheme.active)
            .order_by(MeetingTheme.position, MeetingTheme.id)
        ).scalars()
    )


def add_theme(org_id: int, name_nl: str, name_en: str) -> MeetingTheme:
    from klankbord.cli import slugify

    themes = ensure_default_themes(org_id)
    key = slugify(name_nl)
    if any(theme.key == key for theme in themes):
        raise MeetingError(_l("This theme already exists."))
    theme = MeetingTheme(
        organisation_id=org_id,
        key=key,
        name_nl=name_nl.strip(),
        name_en=(name_en or name_nl).strip(),
        position=len(themes),
    )
    db.session.add(theme)
    db.session.flush()
    return theme


# Groups --------------------------------------------------------------------------------------


def eligible_facilitators(org_id: int) -> list[User]:
    """Users of the organisation who may facilitate a group (facilitators and admins)."""
    return list(
        db.session.execute(
            select(User)
            .join(Membership)
            .where(
                Membership.organisation_id == org_id,
                Membership.role.in_((Role.FACILITATOR.value, Role.ADMIN.value)),
                User.active,
            )
            .order_by(User.name)
        ).scalars()
    )


def _facilitators(org_id: int, user_ids: Iterable[int]) -> list[User]:
    wanted = set(user_ids)
    found = [user for user in eligible_facilitators(org_id) if user.id in wanted]
    if len(found) != len(wanted):
        raise MeetingError(
            _l("Facilitators must be facilitators or administrators of this organisation.")
        )
    return found


def _languages(codes: Iterable[str]) -> list[str]:
    """Known language codes, without duplicates, in the usual order."""
    codes = set(codes)
    if codes - set(LANGUAGES):
        raise MeetingError(_l("Unknown language."))
    return [code for code in LANGUAGES if code in codes]


def create_group(
    org_id: int, name: str, purpose: str, languages: Iterable[str], facilitator_ids: Iterable[int]
) -> MeetingGroup:
    """Create a group; Dutch is always one of its languages."""
    langs = _languages(["nl", *languages])
    group = MeetingGroup(
        organisation_id=org_id,
        name=name.strip(),
        purpose=(purpose or "").strip(),
        languages=langs,
        public_code=new_code(PUBLIC_CODE_LENGTH),
    )
    group.facilitators = _facilitators(org_id, facilitator_ids)
    db.session.add(group)
    db.session.flush()
    ensure_default_themes(org_id)
    return group


def update_group(
    group: MeetingGroup,
    name: str,
    purpose: str,
    languages: Iterable[str],
    facilitator_ids: Iterable[int],
) -> MeetingGroup:
    group.name = name.strip()
    group.purpose = (purpose or "").strip()
    group.languages = _languages(["nl", *languages])
    group.facilitators = _facilitators(group.organisation_id, facilitator_ids)
    db.session.flush()
    return group


def can_manage(group: MeetingGroup, user: Any, role: Role | None) -> bool:
    """Admins of the organisation and the group's own facilitators manage a group."""
    if role == Role.ADMIN:
        return True
    if role == Role.FACILITATOR:
        return any(f.id == getattr(user, "id", None) for f in group.facilitators)
    return False


# Members -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberData:
    alias: str
    languages: list[str]
    interpreter_needed: bool
    consent_date: date | None
    consent_scope: str
    consent_given_by: str
    contact_consent: bool
    contact: str | None


def _apply_member(member: MeetingMember, data: MemberData) -> None:
    contact = (data.contact or "").strip() or None
    if contact and not data.contact_consent:
        raise MeetingError(_l("Contact details may only be stored with explicit consent."))
    member.alias = data.alias.strip()
    member.languages = _languages(data.languages)
    member.interpreter_needed = data.interpreter_needed
    member.consent_date = data.consent_date
    member.consent_scope = (data.consent_scope or "").strip()
    member.consent_given_by = (data.consent_given_by or "").strip()
    member.contact_consent = bool(data.contact_consent)
    member.contact = contact if data.contact_consent else None


def add_member(group: MeetingGroup, data: MemberData) -> MeetingMember:
    member = MeetingMember(organisation_id=group.organisation_id, group_id=group.id)
    _apply_member(member, data)
    db.session.add(member)
    db.session.flush()
    return member


def update_member(member: MeetingMember, data: MemberData) -> MeetingMember:
    if member.erased_at is not None:
        raise MeetingError(_l("This member's data was erased."))
    _apply_member(member, data)
    db.session.flush()
    return member


def erase_member(member: MeetingMember, *, actor: Any = None) -> int:
    """Erase a member's personal data on request; anonymous contributions stay.

    Ideas never point to a member, so they are untouched, except that an alias the member once chose
    to show on an idea in this group's meetings is blanked too. Returns the attendance rows removed.
    """
    old_alias = member.alias
    removed = (
        db.session.execute(
            delete(MeetingAttendance).where(MeetingAttendance.member_id == member.id)
        ).rowcount
        or 0
    )
    if old_alias and old_alias != ERASED_ALIAS:
        meeting_ids = select(Meeting.id).where(Meeting.group_id == member.group_id)
        db.session.execute(
            update(MeetingIdea)
            .where(
                MeetingIdea.meeting_id.in_(meeting_ids),
                func.lower(MeetingIdea.alias) == old_alias.strip().lower(),
            )
            .values(alias=None)
            .execution_options(synchronize_session=False)
        )
    member.alias = ERASED_ALIAS
    member.languages = []
    member.interpreter_needed = False
    member.consent_date = None
    member.consent_scope = ""
    member.consent_given_by = ""
    member.contact = None
    member.contact_consent = False
    member.erased_at = utcnow()
    db.session.flush()
    record_event(
        "meeting_member_erased",
        organisation_id=member.organisation_id,
        actor=actor,
        target_type="meeting_member",
        target_id=member.id,
        details={"group_id": member.group_id, "attendance_removed": removed},
    )
    return removed


def export_member(member: MeetingMember, *, actor: Any = None) -> dict:
    """Everything stored about one member, for a data-subject request (JSON-ready)."""
    meetings = (
        db.session.execute(
            select(Meeting)
            .join(MeetingAttendance, MeetingAttendance.meeting_id == Meeting.id)
            .where(MeetingAttendance.member_id == member.id)
            .order_by(Meeting.starts_at)
        )
        .scalars()
        .all()
    )
    data = {
        "group": member.group.name,
        "alias": member.alias,
        "languages": list(member.languages or []),
        "interpreter_needed": member.interpreter_needed,
        "consent": {
            "date": member.consent_date.isoformat() if member.consent_date else None,
            "scope": member.consent_scope,
            "given_by": member.consent_given_by,
            "contact_consent": member.contact_consent,
        },
        "contact": member.contact,
        "created_at": member.created_at.isoformat(timespec="seconds"),
        "erased_at": member.erased_at.isoformat(timespec="seconds") if member.erased_at else None,
        "meetings_attended": [
            {"title": m.title, "date": m.starts_at.date().isoformat()} for m in meetings
        ],
        "note": "Ideas, supports and poll answers are anonymous and not linked to members.",
    }
    record_event(
        "meeting_member_exported",
        organisation_id=member.organisation_id,
        actor=actor,
        target_type="meeting_member",
        target_id=member.id,
        details={"group_id": member.group_id},
    )
    return data


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
        interpreters=_languages(interpreters),
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
    meeting.interpreters = _languages(interpreters)
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


def find_group_by_public_code(code: str) -> MeetingGroup | None:
    code = normalise_code(code)
    if len(code) != PUBLIC_CODE_LENGTH:
        return None
    return db.session.execute(
        select(MeetingGroup).where(MeetingGroup.public_code == code)
    ).scalar_one_or_none()


# Live input ----------------------------------------------------------------------------------


def mark_changed(meeting: Meeting, *, room: bool = True) -> None:
    """Count a change of what the live pages show (``room``: phones and projector too).

    One ``UPDATE ... SET n = n + 1`` in the caller's transaction, so concurrent changes from other
    workers or nodes are never lost and a reader sees the new number together with the change.
    Called last in each service, after the child rows: rows are always locked child-first.
    """
    values = {"staff_version": Meeting.staff_version + 1}
    if room:
        values["room_version"] = Meeting.room_version + 1
    db.session.execute(
        update(Meeting)
        .where(Meeting.id == meeting.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(meeting, ["room_version", "staff_version"])


@dataclass(frozen=True)
class LiveVersions:
    id: int
    organisation_id: int
    status: str
    room_version: int
    staff_version: int


def live_versions(*, code: str | None = None, meeting_id: int | None = None) -> LiveVersions | None:
    """The version counters of one meeting by join code or id: one narrow query, no other rows."""
    query = select(
        Meeting.id,
        Meeting.organisation_id,
        Meeting.status,
        Meeting.room_version,
        Meeting.staff_version,
    )
    if code is not None:
        code = normalise_code(code)
        if len(code) != JOIN_CODE_LENGTH:
            return None
        query = query.where(Meeting.join_code == code)
    else:
        query = query.where(Meeting.id == meeting_id)
    row = db.session.execute(query).first()
    return LiveVersions(*row) if row else None


def participant_key(meeting_id: int, participant_id: str) -> str:
    """Keyed hash of the random cookie id: lets us count once per participant, says nothing else."""
def _participant_key(scope: str, participant_id: str) -> str:
    """Keyed hash of the random cookie id for one poll or idea: once per participant there, and
    unrelated to the same phone's key anywhere else."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"{scope}:{participant_id}".encode(), hashlib.sha256).hexdigest()


def poll_key(poll_id: int, participant_id: str) -> str:
    """The participant's key for one poll; two polls give unrelated keys (no joined votes)."""
    return _participant_key(f"poll:{poll_id}", participant_id)


def support_key(idea_id: int, participant_id: str) -> str:
    """The participant's key for a +1 on one idea."""
    return _participant_key(f"idea:{idea_id}", participant_id)


def _require_live(meeting: Meeting) -> None:
    if not meeting.is_live:
        raise InputRejected("finished" if meeting.is_finished else "not_live")


#: Control characters other than newline and tab (NUL cannot even be stored in PostgreSQL text).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean_input(value: str | None) -> str:
    """Typed text from a phone: control characters removed, NFC, trimmed."""
    text = (value or "").replace("\r\n", "\n")
    return unicodedata.normalize("NFC", _CONTROL.sub("", text)).strip()


def submit_idea(meeting: Meeting, text: str, lang: str, alias: str | None = None) -> MeetingIdea:
    """Store a participant's idea for the current agenda item, scrubbed of personal data."""
    _require_live(meeting)
    text = _clean_input(text)
    alias = _clean_input(alias) or None
    if not text:
        raise InputRejected("idea_empty")
    if len(text) > IDEA_MAX_LENGTH:
        raise InputRejected("idea_too_long", max=IDEA_MAX_LENGTH)
    if alias and len(alias) > ALIAS_MAX_LENGTH:
        raise InputRejected("alias_too_long", max=ALIAS_MAX_LENGTH)
    lang = lang if lang in LANGUAGES else "nl"
    alias = safe_alias(alias, lang)
    idea = MeetingIdea(
        organisation_id=meeting.organisation_id,
        meeting_id=meeting.id,
        agenda_item_id=meeting.current_item_id,
        text=scrub(text, lang),
        lang=lang,
        alias=alias,
    )
    db.session.add(idea)
    db.session.flush()
    mark_changed(meeting, room=False)  # pending ideas are for the facilitator only
    return idea


def safe_alias(alias: str | None, lang: str) -> str | None:
    """The alias as shown on the projector: a first name at most, never an identifier.

    The alias goes through the same scrubber as ideas; if the scrubber finds anything (a phone
    number, an e-mail address, a name after "mijn naam is"), the idea is shown without a name
    rather than with a placeholder. What is left is cut to its first word: "Fatima Ahmadi"
    becomes "Fatima", since a first name and a surname together identify a person in a
    reception centre, and the scrubber cannot recognise every surname.
    """
    if not alias:
        return None
    scrubbed = scrub(alias, lang)
    if scrubbed != alias:
        # A first name is what an alias is for: the scrubber's name list finds "Yonas" and
        # "Fatima Ahmadi" too. Keep the first word only when it is such a name; anything else
        # it found (a number, an address, "mijn naam is ...") drops the alias.
        others = [p for kind, p in PLACEHOLDERS.items() if kind != "name"]
        if any(p in scrubbed for p in others) or not scrubbed.startswith(PLACEHOLDERS["name"]):
            return None
    first = alias.split()[0] if alias.split() else ""
    return first[:ALIAS_MAX_LENGTH] or None


def support_idea(idea: MeetingIdea, key: str) -> None:
    """Add one +1 from this participant; a second one is refused (the unique key guards races)."""
    meeting = db.session.get(Meeting, idea.meeting_id)
    _require_live(meeting)
    if idea.status != IdeaStatus.APPROVED.value:
        raise InputRejected("not_live")
    exists = db.session.execute(
        select(MeetingIdeaSupport.idea_id).where(
            MeetingIdeaSupport.idea_id == idea.id, MeetingIdeaSupport.participant_key == key
        )
    ).first()
    if exists:
        raise InputRejected("support_already")
    db.session.add(MeetingIdeaSupport(idea_id=idea.id, participant_key=key))
    db.session.flush()
    # One atomic UPDATE, so concurrent +1s are never lost.
    db.session.execute(
        update(MeetingIdea)
        .where(MeetingIdea.id == idea.id)
        .values(support_count=MeetingIdea.support_count + 1)
        .execution_options(synchronize_session=False)
    )
    mark_changed(meeting)


def supported_idea_ids(ideas: Iterable[MeetingIdea], participant_id: str) -> set[int]:
    """Which of ``ideas`` this participant gave a +1 (one key per idea, computed here)."""
    keys = {support_key(idea.id, participant_id): idea.id for idea in ideas}
    if not keys:
        return set()
    rows = db.session.execute(
        select(MeetingIdeaSupport.idea_id, MeetingIdeaSupport.participant_key).where(
            MeetingIdeaSupport.idea_id.in_(set(keys.values())),
            MeetingIdeaSupport.participant_key.in_(list(keys)),
        )
    ).all()
    return {idea_id for idea_id, key in rows if keys.get(key) == idea_id}


def moderate_idea(idea: MeetingIdea, status: IdeaStatus | str) -> None:
    """Approve (show on the projector) or hide an idea; hidden ideas stay in the record."""
    shown = IdeaStatus.APPROVED.value in (idea.status, IdeaStatus(status).value)
    idea.status = IdeaStatus(status).value
    db.session.flush()
    mark_changed(db.session.get(Meeting, idea.meeting_id), room=shown)


def create_poll(
    meeting: Meeting,
    question: dict[str, str],
    options: list[dict[str, str]],
    agenda_item_id: int | None = None,
) -> MeetingPoll:
    languages = meeting.group.languages
    question = clean_translations(question, languages)
    options = [clean_translations(option, languages) for option in options]
    options = [option for option in options if option]
    if not question.get("nl"):
        raise MeetingError(_l("The poll question needs at least a Dutch text."))
    if len(options) < 2 or any(not option.get("nl") for option in options):
        raise MeetingError(_l("A poll needs at least two options, each with a Dutch text."))
    if agenda_item_id is not None and agenda_item_id not in {item.id for item in meeting.items}:
        raise MeetingError(_l("Unknown agenda item."))
    poll = MeetingPoll(
        organisation_id=meeting.organisation_id,
        meeting_id=meeting.id,
        question=question,
        options=options,
        agenda_item_id=agenda_item_id,
    )
    db.session.add(poll)
    db.session.flush()
    mark_changed(meeting, room=False)  # a draft poll shows only on the live control page
    return poll


def open_poll(poll: MeetingPoll) -> None:
    """Open a poll on the phones; any other open poll of the meeting closes (one at a time)."""
    if not poll.meeting.is_live:
        raise MeetingError(_l("Start the meeting before opening a poll."))
    for other in poll.meeting.polls:
        if other.status == PollStatus.OPEN.value and other.id != poll.id:
            other.status = PollStatus.CLOSED.value
            other.closed_at = utcnow()
    poll.status = PollStatus.OPEN.value
    poll.opened_at = utcnow()
    poll.closed_at = None
    db.session.flush()
    mark_changed(poll.meeting)


def close_poll(poll: MeetingPoll) -> None:
    poll.status = PollStatus.CLOSED.value
    poll.closed_at = utcnow()
    db.session.flush()
    mark_changed(poll.meeting)


def open_poll_of(meeting: Meeting) -> MeetingPoll | None:
    return next((poll for poll in meeting.polls if poll.status == PollStatus.OPEN.value), None)


def answer_poll(
    poll: MeetingPoll, key: str, option_index: int | None, lang: str
) -> MeetingPollAnswer:
    """Store one answer per participant while the poll is open."""
    meeting = db.session.get(Meeting, poll.meeting_id)
    _require_live(meeting)
    if poll.status != PollStatus.OPEN.value:
        raise InputRejected("poll_closed")
    if option_index is None or not 0 <= option_index < len(poll.options):
        raise InputRejected("poll_invalid")
    exists = db.session.execute(
        select(MeetingPollAnswer.poll_id).where(
            MeetingPollAnswer.poll_id == poll.id, MeetingPollAnswer.participant_key == key
        )
    ).first()
    if exists:
        raise InputRejected("poll_already")
    answer = MeetingPollAnswer(
        poll_id=poll.id,
        participant_key=key,
        option_index=option_index,
        lang=lang if lang in LANGUAGES else "nl",
    )
    db.session.add(answer)
    db.session.flush()
    mark_changed(meeting, room=False)  # results show on the live page and projector, not phones
    return answer


def has_answered(poll: MeetingPoll, key: str) -> bool:
    return (
        db.session.execute(
            select(MeetingPollAnswer.poll_id).where(
                MeetingPollAnswer.poll_id == poll.id, MeetingPollAnswer.participant_key == key
            )
        ).first()
        is not None
    )


def poll_results(poll: MeetingPoll) -> list[int]:
    """Number of answers per option, in option order."""
    counts = dict(
        db.session.execute(
            select(MeetingPollAnswer.option_index, func.count())
            .where(MeetingPollAnswer.poll_id == poll.id)
            .group_by(MeetingPollAnswer.option_index)
        ).all()
    )
    return [counts.get(i, 0) for i in range(len(poll.options))]


def ideas_for(
    meeting: Meeting,
    *,
    item_id: int | None = None,
    statuses: Iterable[str] | None = None,
    all_items: bool = False,
) -> list[MeetingIdea]:
    query = select(MeetingIdea).where(MeetingIdea.meeting_id == meeting.id)
    if not all_items:
        query = query.where(MeetingIdea.agenda_item_id == item_id)
    if statuses is not None:
        query = query.where(MeetingIdea.status.in_(list(statuses)))
    return list(
        db.session.execute(query.order_by(MeetingIdea.id)).scalars()
    )


def approved_ideas(meeting: Meeting, item_id: int | None) -> list[MeetingIdea]:
    ideas = ideas_for(meeting, item_id=item_id, statuses=[IdeaStatus.APPROVED.value])
    return sorted(ideas, key=lambda idea: (-idea.support_count, idea.id))


def newest_approved_ideas(
    meeting: Meeting, item_id: int | None, limit: int
) -> tuple[list[MeetingIdea], int]:
    """The ``limit`` newest approved ideas of an item (last sent first), and how many in all.

    Ideas keep no time (only their day), so "newest" is the order they were stored in.
    """
    ideas = ideas_for(meeting, item_id=item_id, statuses=[IdeaStatus.APPROVED.value])
    ideas.reverse()
    return ideas[:limit], len(ideas)


def live_version(meeting: Meeting) -> int:
    """What phones follow: the meeting's room counter (see :func:`mark_changed`)."""
    return meeting.room_version


def participant_state(meeting: Meeting, lang: str) -> dict:
    """What a phone needs to know to follow the room (JSON for the polling script)."""
    item = meeting.current_item
    poll = open_poll_of(meeting)
    question, question_lang = pick(item.question, lang) if item else ("", lang)
    return {
        "status": meeting.status,
        "version": live_version(meeting),
        "item": None
        if item is None
        else {
            "id": item.id,
            "position": item.position,
            "question": question,
            "lang": question_lang,
        },
        "poll": None
        if poll is None
        else {
            "id": poll.id,
            "question": pick(poll.question, lang)[0],
            "options": [pick(o, lang)[0] for o in poll.options],
        },
    }


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
