"""Groups, their members (with consent, erasure and export) and the organisation's themes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from klankbord.accounts.models import Membership, Role, User
from klankbord.accounts.services import record_event
from klankbord.core.slugs import slugify
from klankbord.core.time import utcnow
from klankbord.extensions import db
from klankbord.meetings.models import (
    Meeting,
    MeetingAttendance,
    MeetingGroup,
    MeetingIdea,
    MeetingMember,
    MeetingTheme,
)
from klankbord.meetings.services.base import (
    ERASED_ALIAS,
    PUBLIC_CODE_LENGTH,
    MeetingError,
    checked_languages,
    new_code,
    normalise_code,
)

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
    themes = ensure_default_themes(org_id)
    key = slugify(name_nl)
    if any(theme.key == key for theme in themes):
        raise MeetingError(_l("This theme already exists."), code="theme_exists")
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


def create_group(
    org_id: int,
    name: str,
    purpose: str,
    languages: Iterable[str],
    facilitator_ids: Iterable[int],
    *,
    creator: User | None = None,
    creator_role: Role | None = None,
) -> MeetingGroup:
    """Create a group; Dutch is always one of its languages.

    A facilitator who creates a group facilitates it, even when not ticked: otherwise they could
    not change the group they just made (admins may anyway, so they are added only when ticked).
    """
    langs = checked_languages(["nl", *languages])
    group = MeetingGroup(
        organisation_id=org_id,
        name=name.strip(),
        purpose=(purpose or "").strip(),
        languages=langs,
        public_code=new_code(PUBLIC_CODE_LENGTH),
    )
    facilitators = _facilitators(org_id, facilitator_ids)
    if (
        creator is not None
        and creator_role == Role.FACILITATOR
        and all(f.id != creator.id for f in facilitators)
    ):
        facilitators.append(creator)
    group.facilitators = facilitators
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
    group.languages = checked_languages(["nl", *languages])
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


def group_of(obj: Any) -> MeetingGroup:
    """The group a meeting object belongs to (a group, member, meeting, agenda item, idea, poll,
    action or update): the group whose managers may change it."""
    if isinstance(obj, MeetingGroup):
        return obj
    if getattr(obj, "group", None) is not None:  # members, meetings, updates
        return obj.group
    meeting = getattr(obj, "meeting", None)  # agenda items, polls, actions
    if meeting is None:  # ideas keep only the meeting's id
        meeting = db.session.get(Meeting, obj.meeting_id)
    return meeting.group


def may_manage(obj: Any, user: Any, role: Role | None) -> bool:
    """Whether ``user`` with ``role`` may change ``obj``: :func:`can_manage` of its group.

    The rule meetings give ``accounts.tenancy.get_managed_or_404``.
    """
    return can_manage(group_of(obj), user, role)


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
        raise MeetingError(
            _l("Contact details may only be stored with explicit consent."),
            code="contact_without_consent",
            field="contact",
        )
    member.alias = data.alias.strip()
    member.languages = checked_languages(data.languages)
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


def find_group_by_public_code(code: str) -> MeetingGroup | None:
    code = normalise_code(code)
    if len(code) != PUBLIC_CODE_LENGTH:
        return None
    return db.session.execute(
        select(MeetingGroup).where(MeetingGroup.public_code == code)
    ).scalar_one_or_none()
