"""Survey versions, deployments, anonymous responses and one-time paper slips.

Anonymity is a property of the schema, not of good intentions:

* ``Response`` has a random id (no counting ids that reveal order), the day of submission only,
  and no column for an IP address, user agent, account or device. ``Answer`` rows have no id of
  their own either (their key is response + question + position), so no counter leaks the order
  of answers. Neither is *stored* in order of arrival: on SQLite both are WITHOUT ROWID tables
  kept in key order; on PostgreSQL the nightly ``reorder`` job rewrites them in key order.
* ``ParticipationSlip`` only records *that* a slip was used, not when; nothing links it to a
  response.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from klankbord.accounts.models import Location, Organisation, OrgScoped, User
from klankbord.core.record_keys import random_record_key
from klankbord.core.time import utcnow
from klankbord.extensions import db


class SurveyVersion(db.Model):
    """One exact version of a shipped survey; answers always point at the version they answered."""

    __tablename__ = "survey_version"
    __table_args__ = (
        UniqueConstraint("survey_id", "number"),
        UniqueConstraint("survey_id", "content_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The survey's id from its YAML file, e.g. "koken".
    survey_id: Mapped[str] = mapped_column(String(64), index=True)
    #: 1, 2, 3 ... per survey, counted by `klankbord surveys sync` (a changed content makes a new
    #: one).
    number: Mapped[int] = mapped_column()
    #: The ``version`` written in the YAML file (informative; the content hash decides).
    declared_version: Mapped[int] = mapped_column()
    #: sha256 of the normalised definition (see definitions.canonical_content).
    content_hash: Mapped[str] = mapped_column(String(64))
    #: The normalised definition as JSON, so old answers can always be read with their questions.
    definition: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<SurveyVersion {self.survey_id} v{self.number}>"


deployment_location = Table(
    "survey_deployment_location",
    db.metadata,
    Column(
        "deployment_id", ForeignKey("survey_deployment.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("location_id", ForeignKey("location.id", ondelete="CASCADE"), primary_key=True),
)


class Deployment(OrgScoped, db.Model):
    """A survey version offered at one or more locations between two moments."""

    __tablename__ = "survey_deployment"
    __table_args__ = (CheckConstraint("closes_at > opens_at", name="closes_after_opening"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The exact survey version residents answer.
    version_id: Mapped[int] = mapped_column(
        ForeignKey("survey_version.id", ondelete="RESTRICT"), index=True
    )
    #: Short, unguessable public code used in the link /s/<code>.
    code: Mapped[str] = mapped_column(String(16), unique=True)
    #: Opening and closing moments (naive UTC).
    opens_at: Mapped[datetime] = mapped_column()
    closes_at: Mapped[datetime] = mapped_column()
    #: When true, answering needs an unused paper slip (one answer per slip).
    slip_required: Mapped[bool] = mapped_column(default=False)
    #: What the municipality will do: language code -> text, shown on the public results page.
    follow_up: Mapped[dict | None] = mapped_column(JSON)
    #: The staff member who deployed it.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    version: Mapped[SurveyVersion] = relationship()
    locations: Mapped[list[Location]] = relationship(
        secondary=deployment_location, order_by=Location.name
    )
    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Deployment {self.id} {self.code}>"


def _random_id() -> str:
    return uuid.uuid4().hex



class Response(db.Model):
    """One resident's submitted answers. Deliberately holds nothing about the person or device."""

    __tablename__ = "survey_response"
    __table_args__ = (
        UniqueConstraint("deployment_id", "submission_key_hash"),
        CheckConstraint("length(id) = 32", name="random_id"),
        # Reports count per deployment and day (and language) from this index alone. Named by
        # hand: the convention's column_0_N_label name would exceed PostgreSQL's 63 characters.
        Index(
            "ix_survey_response_deployment_id_submitted_on_language",
            "deployment_id",
            "submitted_on",
            "language",
        ),
        # SQLite stores the rows in the order of this random id, not of arrival (a rowid table
        # is ordered by its counting rowid). PostgreSQL appends rows; jobs/reorder.py rewrites
        # them in id order every night (docs/privacy.md, "What is stored and logged").
        {"sqlite_with_rowid": False},
    )

    #: Random uuid4 hex; ids do not count, so they do not reveal the order of submissions.
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_random_id)
    deployment_id: Mapped[int] = mapped_column(
        ForeignKey("survey_deployment.id", ondelete="CASCADE")
    )
    #: The survey version answered (the deployment's; kept here so analyses never guess).
    version_id: Mapped[int] = mapped_column(
        ForeignKey("survey_version.id", ondelete="RESTRICT"), index=True
    )
    #: The language the resident answered in.
    language: Mapped[str] = mapped_column(String(5))
    #: The day of submission only (coarsened on purpose).
    submitted_on: Mapped[date] = mapped_column(Date)
    #: sha256 of the submission key made when the form was first shown; makes retries idempotent.
    submission_key_hash: Mapped[str] = mapped_column(String(64))
    #: sha256 of the (scrubbed) answers, to tell a retry from a different submission with the same
    #: key.
    answers_hash: Mapped[str] = mapped_column(String(64))
    #: Random key for cell-key perturbation of released counts (docs/privacy.md); never shown.
    record_key: Mapped[int] = mapped_column(default=random_record_key)

    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Response {self.id[:8]}>"


class Answer(db.Model):
    """One answer value; a multiple-choice answer has one row per chosen option (GROUP BY
    friendly)."""

    __tablename__ = "survey_answer"
    #: Stored in the order of (random response id, question, position), like Response.
    __table_args__ = {"sqlite_with_rowid": False}

    response_id: Mapped[str] = mapped_column(
        ForeignKey("survey_response.id", ondelete="CASCADE"), primary_key=True
    )
    #: The question id from the survey definition.
    question_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: 0 for a single answer; 0, 1, 2 ... for the options of a multiple-choice answer.
    position: Mapped[int] = mapped_column(Integer, primary_key=True, default=0)
    #: An option value, or free text after scrubbing personal data.
    value_text: Mapped[str | None] = mapped_column(Text)
    #: The answer to a number question.
    value_number: Mapped[int | None] = mapped_column()

    response: Mapped[Response] = relationship(back_populates="answers")

    def __repr__(self) -> str:
        return f"<Answer {self.question_id}>"


class ParticipationSlip(db.Model):
    """A one-time paper slip: its code (hashed) and whether it was used. Not linked to any
    response."""

    __tablename__ = "survey_slip"

    id: Mapped[int] = mapped_column(primary_key=True)
    deployment_id: Mapped[int] = mapped_column(
        ForeignKey("survey_deployment.id", ondelete="CASCADE"), index=True
    )
    #: HMAC-SHA256, with a key derived from the app's secret key, of the sha256 of deployment id
    #: + printed code (services.slip_hash). The code itself is only on paper; without the secret
    #: key the 31^8 possible codes cannot be tried against a copy of the database.
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: When staff printed it (a staff event).
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Whether the slip was used to answer. No day: with the days of responses stored, "this
    #: slip (handed to this person) was used on Tuesday" could point at Tuesday's few responses.
    used: Mapped[bool] = mapped_column(default=False)

    deployment: Mapped[Deployment] = relationship()


class QuestionClip(OrgScoped, db.Model):
    """A spoken recording of one question in one language, made by the organisation's staff.

    Kept in the database (not on a node's disk) so every app node serves it; at most one per
    organisation, survey, question and language. Keyed by the survey id, not the version, so a
    recording outlives a new version that keeps the question. The bytes are only loaded when
    served (``deferred``): lists and question pages read the digest alone.
    """

    __tablename__ = "survey_question_clip"
    __table_args__ = (
        # Named by hand: the convention's name would exceed PostgreSQL's 63 characters.
        UniqueConstraint(
            "organisation_id",
            "survey_id",
            "question_id",
            "language",
            name="uq_survey_question_clip_per_language",
        ),
        CheckConstraint("duration_ms > 0", name="positive_duration"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The survey's id from its YAML file, e.g. "koken".
    survey_id: Mapped[str] = mapped_column(String(64))
    #: The question id from the survey definition.
    question_id: Mapped[str] = mapped_column(String(64))
    #: The language spoken in the clip (one of the survey's languages).
    language: Mapped[str] = mapped_column(String(5))
    #: The converted clip (surveys/audio.py: mono Opus in WebM).
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    #: Its media type, e.g. "audio/webm".
    mime: Mapped[str] = mapped_column(String(40))
    #: Length in milliseconds.
    duration_ms: Mapped[int] = mapped_column()
    #: Size of ``data`` in bytes (shown to staff without loading the clip).
    size: Mapped[int] = mapped_column()
    #: sha256 of ``data``: the clip's public URL and ETag, so a browser may keep it for good.
    sha256: Mapped[str] = mapped_column(String(64))
    #: sha256 of the question's text in ``language`` when it was recorded. A later version of the
    #: survey that words the question differently does not play it (a recording must say what
    #: the page says); staff see that it needs recording again.
    text_sha256: Mapped[str] = mapped_column(String(64))
    #: The staff member who uploaded or recorded it.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<QuestionClip {self.survey_id}/{self.question_id}/{self.language}>"
