"""What every part of the meeting services shares: errors, codes, texts per language, counters."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from klankbord.extensions import db
from klankbord.meetings.models import Meeting
from klankbord.meetings.ui_text import LANGUAGES

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


def _languages(codes: Iterable[str]) -> list[str]:
    """Known language codes, without duplicates, in the usual order."""
    codes = set(codes)
    if codes - set(LANGUAGES):
        raise MeetingError(_l("Unknown language."))
    return [code for code in LANGUAGES if code in codes]


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
