"""What every part of the meeting services shares: errors, codes, texts per language, counters."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from klankbord.core.codes import CODE_ALPHABET, new_code, normalise_code
from klankbord.core.errors import DomainError
from klankbord.core.languages import LANGUAGES, ordered, pick
from klankbord.extensions import db
from klankbord.meetings.models import Meeting

__all__ = [
    "CODE_ALPHABET",
    "ERASED_ALIAS",
    "JOIN_CODE_LENGTH",
    "PUBLIC_CODE_LENGTH",
    "InputRejected",
    "MeetingError",
    "checked_languages",
    "clean_translations",
    "mark_changed",
    "new_code",
    "normalise_code",
    "pick",
]

#: Join and public codes (alphabet and typing rules: ``core.codes``).
JOIN_CODE_LENGTH = 8  # 31**8 ≈ 8.5e11 codes: not guessable within a meeting's lifetime
PUBLIC_CODE_LENGTH = 10
ERASED_ALIAS = "[verwijderd]"


class MeetingError(DomainError):
    """A staff-facing problem; the message is a lazy translation, shown with ``str(error)``."""


class InputRejected(DomainError):
    """A participant's input was refused; ``key`` (also ``code``) names a text in ``ui_text``."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key, code=key)
        self.key = key
        self.values = values


def clean_translations(values: dict[str, str], languages: Iterable[str]) -> dict[str, str]:
    """Keep non-empty texts of known languages, stripped."""
    allowed = set(languages) | {"nl"}
    return {
        code: text.strip()
        for code, text in values.items()
        if code in allowed and text and text.strip()
    }


def checked_languages(codes: Iterable[str]) -> list[str]:
    """Known language codes, without duplicates, in the usual order (refused when unknown)."""
    codes = set(codes)
    if codes - set(LANGUAGES):
        raise MeetingError(_l("Unknown language."), code="unknown_language")
    return ordered(codes)


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
