"""FeedbackClusterer: estimator contract, themes, "other", labels, predict."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import adjusted_mutual_info_score
from sklearn.utils.validation import check_is_fitted

from klankbord.analysis import FeedbackClusterer, Theme, choose_k, k_bounds

FAST = {"n_resamples": 2}


def texts_of(rows):
    return [r["text"] for r in rows]


def test_constructor_only_stores_parameters():
    c = FeedbackClusterer(n_clusters=3, min_cluster_size=2, random_state=7)
    params = c.get_params()
    assert params["n_clusters"] == 3 and params["random_state"] == 7
    assert (
        params["vectorizer"] is None and params["reducer"] is None and params["clusterer"] is None
    )
    assert not hasattr(c, "labels_")
    c2 = clone(c)
    assert c2.get_params() == params and c2 is not c


def test_predict_before_fit_raises():
    with pytest.raises(NotFittedError):
        FeedbackClusterer().predict(["tekst"])


def test_fit_returns_self_and_sets_fitted_attributes(dutch):
    c = FeedbackClusterer(n_clusters=3, min_cluster_size=3, **FAST)
    assert c.fit(texts_of(dutch)) is c
    check_is_fitted(c)
    assert c.labels_.shape == (len(dutch),) and c.labels_.dtype.kind == "i"
    assert c.n_clusters_ == 3
    assert all(isinstance(t, Theme) for t in c.themes_)
    assert [t.id for t in c.themes_] == list(range(len(c.themes_)))
    assert sum(t.size for t in c.themes_) == int((c.labels_ >= 0).sum())


def test_separated_themes_are_found(dutch):
    c = FeedbackClusterer(n_clusters=3, min_cluster_size=3, **FAST).fit(texts_of(dutch))
    truth = [r["theme"] for r in dutch]
    assert adjusted_mutual_info_score(truth, c.labels_) > 0.7


def test_same_seed_same_result_and_seed_is_used(feedback):
    texts = texts_of(feedback)
    a = FeedbackClusterer(n_clusters=4, random_state=3, **FAST).fit(texts)
    b = FeedbackClusterer(n_clusters=4, random_state=3, **FAST).fit(texts)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    assert a.themes_ == b.themes_


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_same_texts_in_any_order_give_the_same_themes(feedback, seed):
    """Input order follows database ids (random per install); themes must not."""
    texts = texts_of(feedback)
    langs = [r["lang"] for r in feedback]
    base = FeedbackClusterer(min_cluster_size=3, **FAST).fit(texts, languages=langs)
    order = np.random.default_rng(seed).permutation(len(texts))
    moved = FeedbackClusterer(min_cluster_size=3, **FAST).fit(
        [texts[i] for i in order], languages=[langs[i] for i in order]
    )
    # The same text gets the same theme number, and every theme is described alike.
    np.testing.assert_array_equal(moved.labels_, base.labels_[order])
    assert moved.n_clusters_ == base.n_clusters_
    assert [t.label for t in moved.themes_] == [t.label for t in base.themes_]
    for a, b in zip(base.themes_, moved.themes_, strict=True):
        assert a.size == b.size and a.languages == b.languages
        assert [texts[i] for i in a.representatives] == [
            texts[order[i]] for i in b.representatives
        ]
    np.testing.assert_allclose(moved.embedding_, base.embedding_[order], atol=1e-5)


def test_auto_k_stays_in_bounds_and_finds_themes(dutch):
    c = FeedbackClusterer(min_cluster_size=3, **FAST).fit(texts_of(dutch))
    assert 2 <= c.n_clusters_ <= k_bounds(len(dutch), 3)[1]
    assert c.k_scores_ and c.n_clusters_ in c.k_scores_
    truth = [r["theme"] for r in dutch]
    assert adjusted_mutual_info_score(truth, c.labels_) > 0.5


def test_k_bounds_grow_like_sqrt_n():
    assert k_bounds(1000, 5) == (2, 45)
    assert k_bounds(20, 5) == (2, 4)
    assert k_bounds(100_000, 5)[1] == 200


def test_choose_k_prefers_well_separated_blobs():
    rng = np.random.RandomState(0)
    centres = np.eye(20)[:4] * 5
    X = np.vstack([c + rng.normal(scale=0.3, size=(60, 20)) for c in centres])
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    k, scores = choose_k(X, 2, 20, np.random.RandomState(0))
    assert k == 4 and set(scores) >= {4}


def test_null_reference_has_the_spread_of_the_data_but_no_clusters():
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    from klankbord.analysis._cluster import _null_reference

    rng = np.random.RandomState(0)
    centres = np.eye(20)[:4] * 5
    X = np.vstack([c + rng.normal(scale=0.3, size=(100, 20)) for c in centres])
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    ref = _null_reference(X, np.random.RandomState(1))
    assert ref.shape == X.shape
    assert np.allclose(np.linalg.norm(ref, axis=1), 1.0, atol=1e-5)
    assert np.abs(ref.mean(axis=0) - X.mean(axis=0)).max() < 0.1

    def agreement(data):
        a = KMeans(4, n_init=1, random_state=0).fit(data[::2]).predict(data)
        b = KMeans(4, n_init=1, random_state=1).fit(data[1::2]).predict(data)
        return adjusted_rand_score(a, b)

    assert agreement(X) > 0.95  # the four blobs come back whatever the half
    assert agreement(ref) < 0.8  # the reference has nothing to find again


def test_outlier_text_becomes_other(dutch):
    texts = texts_of(dutch) + ["Pizza quattro formaggi met extra kaas en olijven graag"]
    c = FeedbackClusterer(n_clusters=3, min_cluster_size=3, **FAST).fit(texts)
    assert c.labels_[-1] == -1


def test_small_clusters_are_dissolved_into_other(dutch):
    c = FeedbackClusterer(n_clusters=8, min_cluster_size=6, **FAST).fit(texts_of(dutch))
    assert all(t.size >= 6 for t in c.themes_)
    sizes = np.bincount(c.labels_[c.labels_ >= 0])
    assert (sizes >= 6).all()


def test_labels_and_terms_are_surface_forms(dutch):
    c = FeedbackClusterer(n_clusters=3, min_cluster_size=3, **FAST).fit(texts_of(dutch))
    words = {w.lower() for r in dutch for w in r["text"].replace(",", " ").split()}
    for theme in c.themes_:
        assert theme.terms and theme.label
        assert set(theme.terms) <= words, theme.terms  # no stems like "won" for "woning"
        assert theme.label.split(", ")[0] == theme.terms[0]
    assert any("taalles" in t.terms for t in c.themes_)


def test_representatives_are_central_distinct_members(dutch):
    c = FeedbackClusterer(n_clusters=3, min_cluster_size=3, **FAST).fit(texts_of(dutch))
    texts = texts_of(dutch)
    for theme in c.themes_:
        reps = theme.representatives
        assert 3 <= len(reps) <= 5
        assert all(c.labels_[i] == theme.id for i in reps)
        assert len({texts[i] for i in reps}) == len(reps)


def test_representatives_skip_near_duplicates(dutch):
    texts = texts_of(dutch)
    dup = texts + [texts[0], texts[0] + "!", texts[0]]
    c = FeedbackClusterer(n_clusters=3, min_cluster_size=3, **FAST).fit(dup)
    for theme in c.themes_:
        quoted = [dup[i].rstrip("!") for i in theme.representatives]
        assert len(set(quoted)) == len(quoted)


def test_language_mix_is_reported(feedback):
    langs = [r["lang"] for r in feedback]
    c = FeedbackClusterer(n_clusters=6, min_cluster_size=3, **FAST).fit(
        texts_of(feedback), languages=langs
    )
    assert c.languages_ == langs
    total = {}
    for theme in c.themes_:
        assert sum(theme.languages.values()) == theme.size
        for lang, n in theme.languages.items():
            total[lang] = total.get(lang, 0) + n
    assert set(total) <= {"nl", "en", "ar"}
    assert sum(total.values()) == int((c.labels_ >= 0).sum())


def test_languages_are_guessed_when_missing(feedback):
    c = FeedbackClusterer(n_clusters=3, min_cluster_size=3, n_resamples=0).fit(texts_of(feedback))
    assert c.languages_ == [r["lang"] for r in feedback]


def test_stability_is_a_fraction(feedback):
    c = FeedbackClusterer(n_clusters=4, min_cluster_size=3, n_resamples=3).fit(texts_of(feedback))
    assert all(0.0 <= t.stability <= 1.0 for t in c.themes_)
    c0 = FeedbackClusterer(n_clusters=4, min_cluster_size=3, n_resamples=0).fit(texts_of(feedback))
    assert all(np.isnan(t.stability) for t in c0.themes_)


def test_predict_assigns_new_texts_and_rejects_far_ones(dutch):
    c = FeedbackClusterer(n_clusters=3, min_cluster_size=3, **FAST).fit(texts_of(dutch))
    by_theme = {}
    for r, lab in zip(dutch, c.labels_, strict=True):
        if lab >= 0:
            by_theme.setdefault(r["theme"], set()).add(int(lab))
    new = [
        "De woning heeft schimmel en de verwarming in het huis werkt niet",
        "Ik wil meer taalles Nederlands want de taal is moeilijk",
        "Xylofoon zebra quasar",
    ]
    pred = c.predict(new, languages=["nl", "nl", None])
    assert pred[0] in by_theme["housing"]
    assert pred[1] in by_theme["language"]
    assert pred[2] == -1
    assert c.transform(new).shape == (3, len(c.themes_))


def test_predict_with_fixed_distance_threshold(dutch):
    strict = FeedbackClusterer(
        n_clusters=3, min_cluster_size=3, distance_threshold=1e-6, **FAST
    ).fit(texts_of(dutch))
    assert (strict.predict(["De woning heeft schimmel"]) == -1).all()


class MeanCharVectorizer(TransformerMixin, BaseEstimator):
    """A dense stand-in for a sentence-embedding model: letter frequencies."""

    def fit(self, X, y=None):
        self.alphabet_ = sorted({ch for t in X for ch in t.lower() if ch.isalpha()})
        return self

    def transform(self, X):
        idx = {ch: i for i, ch in enumerate(self.alphabet_)}
        out = np.zeros((len(X), len(idx)))
        for r, t in enumerate(X):
            for ch in t.lower():
                if ch in idx:
                    out[r, idx[ch]] += 1
        return out


def test_vectorizer_stage_is_swappable(dutch):
    c = FeedbackClusterer(
        n_clusters=3, min_cluster_size=2, vectorizer=MeanCharVectorizer(), **FAST
    ).fit(texts_of(dutch))
    assert c.reducer_ is None  # dense features are not reduced by default
    assert c.embedding_.shape[1] == len(c.vectorizer_.alphabet_)
    assert c.predict(texts_of(dutch)[:2]).shape == (2,)


def test_clusterer_stage_is_swappable(dutch):
    from sklearn.cluster import AgglomerativeClustering

    c = FeedbackClusterer(
        n_clusters=3, min_cluster_size=3, clusterer=AgglomerativeClustering(), **FAST
    ).fit(texts_of(dutch))
    assert c.n_clusters_ == 3 and c.themes_


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError):
        FeedbackClusterer(n_clusters="many").fit(["a b", "c d"])
    with pytest.raises(TypeError):
        FeedbackClusterer().fit("not a list")
    with pytest.raises(ValueError):
        FeedbackClusterer().fit(["a"])
    with pytest.raises(ValueError):
        FeedbackClusterer().fit(["a b", "c d"], languages=["nl"])


def test_lsa_rank_grows_with_the_corpus():
    import scipy.sparse as sp

    from klankbord.analysis import LSA

    X = sp.random(1000, 400, density=0.05, random_state=0, format="csr")
    lsa = LSA(random_state=0).fit(X)
    assert lsa.svd_.n_components == 100
    assert LSA(random_state=0).fit(X[:30]).svd_.n_components == 29
    Z = lsa.transform(X[:5])
    np.testing.assert_allclose(np.linalg.norm(Z, axis=1), 1.0, rtol=1e-5)
