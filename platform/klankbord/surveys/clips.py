"""Staff recordings of questions (QuestionClip): store, replace, remove and find them.

Services flush; views commit. A clip belongs to an organisation and is keyed by survey id,
question id and language, so it serves every deployment (and every later version) of that survey
in that organisation, and no other organisation's.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import select

from klankbord.extensions import db
from klankbord.surveys.audio import EXTENSION, Clip
from klankbord.surveys.models import QuestionClip

#: A clip's file name in its public URL: the start of its sha256 (enough to be unguessable and
#: to change whenever the clip changes).
DIGEST_LENGTH = 16
_FILENAME = re.compile(
    r"^clip/(?P<question>[a-z][a-z0-9_]{0,63})/(?P<lang>[a-z]{2,3})/"
    rf"(?P<digest>[0-9a-f]{{{DIGEST_LENGTH}}})\.{EXTENSION}$"
)


class ClipError(Exception):
    """The survey, question or language does not exist for a clip."""


@dataclass(frozen=True)
class ClipInfo:
    """What a page needs about a clip, without its bytes."""

    id: int
    question_id: str
    language: str
    duration_ms: int
    size: int
    sha256: str
    text_sha256: str

    @property
    def filename(self) -> str:
        """The path under the respondent audio route: ``clip/<question>/<lang>/<digest>.webm``."""
        digest = self.sha256[:DIGEST_LENGTH]
        return f"clip/{self.question_id}/{self.language}/{digest}.{EXTENSION}"

    @property
    def seconds(self) -> int:
        return max(1, round(self.duration_ms / 1000))


_COLUMNS = (
    QuestionClip.id,
    QuestionClip.question_id,
    QuestionClip.language,
    QuestionClip.duration_ms,
    QuestionClip.size,
    QuestionClip.sha256,
    QuestionClip.text_sha256,
)


def text_digest(defn, question_id: str, language: str) -> str:
    """sha256 of a question's text in a language: what a recording of it must say."""
    text = defn.question(question_id).text.get(language, "")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def matches(info: ClipInfo | None, defn) -> bool:
    """Whether a clip says the question's text as ``defn`` words it."""
    return info is not None and info.text_sha256 == text_digest(
        defn, info.question_id, info.language
    )


def _check(defn, question_id: str, language: str) -> None:
    if question_id not in {q.id for q in defn.questions}:
        raise ClipError("question")
    if language not in defn.language_codes:
        raise ClipError("language")


def save_clip(org, defn, question_id: str, language: str, clip: Clip, *, user=None) -> QuestionClip:
    """Store ``clip`` for a question of ``defn`` in ``language``, replacing an earlier one."""
    _check(defn, question_id, language)
    row = db.session.execute(
        select(QuestionClip).where(
            QuestionClip.organisation_id == org.id,
            QuestionClip.survey_id == defn.id,
            QuestionClip.question_id == question_id,
            QuestionClip.language == language,
        )
    ).scalar_one_or_none()
    if row is None:
        row = QuestionClip(
            organisation_id=org.id,
            survey_id=defn.id,
            question_id=question_id,
            language=language,
        )
        db.session.add(row)
    row.data = clip.data
    row.mime = clip.mime
    row.duration_ms = clip.duration_ms
    row.size = len(clip.data)
    row.sha256 = clip.sha256
    row.text_sha256 = text_digest(defn, question_id, language)
    row.created_by_id = getattr(user, "id", None)
    db.session.flush()
    return row


def delete_clip(org, survey_id: str, question_id: str, language: str) -> bool:
    """Remove the clip of a question in a language; return whether there was one."""
    row = db.session.execute(
        select(QuestionClip).where(
            QuestionClip.organisation_id == org.id,
            QuestionClip.survey_id == survey_id,
            QuestionClip.question_id == question_id,
            QuestionClip.language == language,
        )
    ).scalar_one_or_none()
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    return True


def clips_of_survey(organisation_id: int, survey_id: str) -> dict[tuple[str, str], ClipInfo]:
    """Every clip of a survey in an organisation: {(question id, language): ClipInfo}."""
    rows = db.session.execute(
        select(*_COLUMNS).where(
            QuestionClip.organisation_id == organisation_id,
            QuestionClip.survey_id == survey_id,
        )
    ).all()
    return {(r.question_id, r.language): ClipInfo(*r) for r in rows}


def clip_for(organisation_id: int, survey_id: str, question_id: str, language: str):
    """The ClipInfo of one question in one language, or None (a narrow read, no bytes).

    Check it with :func:`matches` before playing it: it may say an older wording.
    """
    row = db.session.execute(
        select(*_COLUMNS).where(
            QuestionClip.organisation_id == organisation_id,
            QuestionClip.survey_id == survey_id,
            QuestionClip.question_id == question_id,
            QuestionClip.language == language,
        )
    ).first()
    return ClipInfo(*row) if row else None


def clip_by_filename(organisation_id: int, defn, filename: str) -> QuestionClip | None:
    """The clip a public file name names, if it is the current clip of a question of ``defn``.

    An old digest (the clip was replaced) finds nothing: its URL may be kept by browsers for good,
    so it must never answer with other bytes.
    """
    match = _FILENAME.match(filename)
    if match is None:
        return None
    question_id, language, digest = match.group("question", "lang", "digest")
    try:
        _check(defn, question_id, language)
    except ClipError:
        return None
    row = db.session.execute(
        select(QuestionClip).where(
            QuestionClip.organisation_id == organisation_id,
            QuestionClip.survey_id == defn.id,
            QuestionClip.question_id == question_id,
            QuestionClip.language == language,
        )
    ).scalar_one_or_none()
    if row is None or not row.sha256.startswith(digest):
        return None
    if row.text_sha256 != text_digest(defn, question_id, language):
        return None  # recorded for another wording of the question
    return row
