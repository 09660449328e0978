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
