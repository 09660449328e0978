"""The live meeting: version counters, participants' ideas, +1s and polls, moderation."""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from klankbord.analysis.scrub import PLACEHOLDERS, scrub
from klankbord.core.languages import known
from klankbord.core.time import utcnow
from klankbord.extensions import db
from klankbord.meetings.models import (
    ALIAS_MAX_LENGTH,
    IDEA_MAX_LENGTH,
    IdeaStatus,
    Meeting,
    MeetingIdea,
    MeetingIdeaSupport,
    MeetingPoll,
    MeetingPollAnswer,
    PollStatus,
)
from klankbord.meetings.services.base import (
    JOIN_CODE_LENGTH,
    InputRejected,
    MeetingError,
    clean_translations,
    mark_changed,
    normalise_code,
    pick,
)

# Live input ----------------------------------------------------------------------------------


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
    lang = known(lang)
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
        lang=known(lang),
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


def idea_aids(ideas: Iterable[MeetingIdea]) -> dict[int, str]:
    """A Dutch aid (not a translation) per non-Dutch idea, from its agenda item's Dutch ideas."""
    from klankbord.analysis import dutch_aids

    ideas = sorted(ideas, key=lambda i: -i.support_count)
    found = dutch_aids(
        [i.text for i in ideas], [i.lang for i in ideas], [i.agenda_item_id for i in ideas]
    )
    return {idea.id: aid for idea, aid in zip(ideas, found, strict=True) if aid is not None}
