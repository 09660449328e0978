"""Topic clustering of short feedback as a scikit-learn estimator.

The pipeline has three swappable stages, each a constructor argument:

``vectorizer``
    Raw texts -> feature matrix (sparse or dense). Default: :class:`TextVectorizer`,
    word TF-IDF over stemmed, stopword-free tokens stacked with character
    (``char_wb`` 2-5) TF-IDF. Any scikit-learn transformer with
    ``fit_transform(texts)``/``transform(texts)`` works, e.g. a sentence-embedding
    model; if its methods accept a ``languages=`` keyword they receive the language
    of every text.
``reducer``
    Feature matrix -> dense vectors. Default: :class:`LSA` (TruncatedSVD to
    ``n/10`` dimensions, between 50 and 200) for sparse input, nothing for dense
    input. Rows are always L2-normalised afterwards, so cosine geometry holds for
    every stage choice.
``clusterer``
    Dense vectors -> labels. Default: k-means++ ``KMeans`` (``MiniBatchKMeans``
    above 30,000 texts). A custom estimator gets ``n_clusters`` (and
    ``random_state``) set if it has those parameters.

After clustering, texts far from their centre (cosine distance above the
median plus ``outlier_z`` robust standard deviations of their cluster's
distances) and clusters smaller than ``min_cluster_size`` become "other" (-1).

Automatic number of themes
--------------------------
``n_clusters="auto"`` searches a bounded grid ``k in [k_min, k_max]`` with
``k_max ~ 2 * sqrt(n / 2)`` (and at most ``n / min_cluster_size``) and takes the
k with the best *penalised* score; see :func:`choose_k`. The bound keeps the
answer in the range a reader can review (quality is flat near the true k, and a
user can split or merge themes), and the criterion is documented so a report
can explain the number.
"""

from __future__ import annotations

import inspect
from dataclasses import replace
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClusterMixin, clone
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.preprocessing import normalize
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from . import _text
from ._choosek import _null_reference, choose_k, k_bounds  # noqa: F401 (re-exported)
from ._crosslang import representatives_across_languages
from ._features import (  # noqa: F401 (re-exported)
    LSA,
    WORD_WEIGHTS,
    TextVectorizer,
    _check_texts,
    _languages,
    _ngrams,
    canonical_order,
)
from ._labels import ctfidf_terms, make_label
from ._stability import theme_stability
from ._titles import name_themes
from .types import Theme

_MINIBATCH_ABOVE = 30_000
#: From this many members a cluster's spread is judged with all of them (see _thresholds).
_OWN_SPREAD_FROM = 30


class FeedbackClusterer(ClusterMixin, BaseEstimator):
    """Group short texts in several languages into readable themes.

    Parameters
    ----------
    n_clusters : int or "auto", default="auto"
        Number of k-means clusters, or "auto" for a bounded automatic choice
        (see :func:`choose_k`).
    min_cluster_size : int, default=5
        Clusters with fewer texts (after removing outliers) are dissolved into
        "other" (-1).
    random_state : int, RandomState or None, default=0
        Seed for every random step; equal seeds give equal results.
    vectorizer : transformer or None
        Texts -> features. None means :class:`TextVectorizer`.
    reducer : transformer, "passthrough" or None
        Features -> dense vectors. None means :class:`LSA` for sparse features and
        nothing for dense ones.
    clusterer : estimator or None
        Vectors -> labels. None means KMeans (MiniBatchKMeans above 30,000 texts).
    outlier_z : float, default=2.5
        A text is "other" when its cosine distance to its centre exceeds the
        median plus ``outlier_z`` robust standard deviations (1.4826 * MAD) of its
        cluster's distances. ``inf`` keeps every text.
    distance_threshold : float or None, default=None
        Fixed cosine distance beyond which a text is "other", overriding the
        per-cluster rule (in ``fit`` and ``predict``).
    k_range : tuple of int or None
        Bounds for ``n_clusters="auto"``; None means :func:`k_bounds`.
    n_resamples : int, default=5
        Re-clusterings used for the stability score; 0 skips it (NaN stability).
    stability_sample_size : int, default=2000
        At most this many texts take part in each stability re-run.
    n_terms : int, default=10
        Key terms per theme.
    n_representatives : int, default=5
        Representative texts per theme.
    n_init : int or "auto", default="auto"
        k-means restarts; "auto" is 10 up to 2,000 texts (cheap there, and small
        inputs are where a poor start shows) and 3 above.
    progress : callable or None
        Called as ``progress(fraction, message)`` while fitting.
    levels : {1, 2}, default=1
        2 also groups the themes into a handful of top themes (a two-level theme tree,
        see ``_tree``): ``top_labels_``, ``top_themes_`` and ``tree_``.
    n_top : int or "auto", default="auto"
        Number of top themes with ``levels=2``; "auto" picks 6-15 by the largest jump in
        merge cost (:func:`~klankbord.analysis._tree.choose_n_top`).

    Attributes
    ----------
    labels_ : ndarray of shape (n_texts,)
        Theme id per fitted text, -1 for "other".
    themes_ : list of Theme
        Themes, largest first; ``themes_[i].id == i``.
    n_clusters_ : int
        Number of k-means clusters used (chosen when ``n_clusters="auto"``).
    k_scores_ : dict of int to float
        Criterion per candidate k (empty when k was given).
    cluster_centers_ : ndarray of shape (n_themes, n_dims)
        Unit-length centre per theme.
    thresholds_ : ndarray of shape (n_themes,)
        Cosine distance beyond which ``predict`` answers -1, per theme.
    languages_ : list of str
        Resolved language of every fitted text.
    embedding_ : ndarray of shape (n_texts, n_dims)
        L2-normalised vectors of the fitted texts.
    tree_ : ThemeTree
        With ``levels=2``: the top theme of every theme (``tree_.parent``).
    top_labels_ : ndarray of shape (n_texts,)
        With ``levels=2``: top theme per text (-1 for "other").
    top_themes_ : list of Theme
        With ``levels=2``: the top themes, described like ``themes_`` (stability NaN).
    top_centers_ : ndarray of shape (n_top, n_dims)
        With ``levels=2``: unit centre of every top theme.
    """

    def __init__(
        self,
        n_clusters="auto",
        min_cluster_size=5,
        random_state=0,
        vectorizer=None,
        reducer=None,
        clusterer=None,
        outlier_z=2.5,
        distance_threshold=None,
        k_range=None,
        n_resamples=5,
        stability_sample_size=2000,
        n_terms=10,
        n_representatives=5,
        n_init="auto",
        progress=None,
        levels=1,
        n_top="auto",
    ):
        self.n_clusters = n_clusters
        self.min_cluster_size = min_cluster_size
        self.random_state = random_state
        self.vectorizer = vectorizer
        self.reducer = reducer
        self.clusterer = clusterer
        self.outlier_z = outlier_z
        self.distance_threshold = distance_threshold
        self.k_range = k_range
        self.n_resamples = n_resamples
        self.stability_sample_size = stability_sample_size
        self.n_terms = n_terms
        self.n_representatives = n_representatives
        self.n_init = n_init
        self.progress = progress
        self.levels = levels
        self.n_top = n_top

    # -- stages ---------------------------------------------------------------

    def _report(self, fraction, message):
        """Forward progress to the callback, if any."""
        if self.progress is not None:
            self.progress(fraction, message)

    @staticmethod
    def _call(method, X, languages):
        """Call a vectoriser method, passing languages only if it takes them."""
        try:
            params = inspect.signature(method).parameters
        except (TypeError, ValueError):
            params = {}
        if "languages" in params:
            return method(X, languages=languages)
        return method(X)

    def _embed(self, texts, langs, fit):
        """Run vectoriser and reducer; return unit rows and the share of each text kept.

        LSA keeps only the directions learnt in ``fit``. A new text made of unseen
        words projects to a tiny vector that L2 normalisation would blow up to
        full length, making it look close to some theme. So for :class:`LSA` the
        cosine to a centre is scaled by ``|projection| / |features|`` (which makes
        it the exact cosine in the full TF-IDF space); other reducers keep 1.
        """
        if fit:
            self.vectorizer_ = (
                clone(self.vectorizer) if self.vectorizer is not None else TextVectorizer()
            )
            features = self._call(self.vectorizer_.fit_transform, texts, langs)
            if isinstance(self.reducer, str) and self.reducer == "passthrough":
                self.reducer_ = None
            elif self.reducer is not None:
                self.reducer_ = clone(self.reducer)
                params = self.reducer_.get_params()
                if "random_state" in params and params["random_state"] is None:
                    self.reducer_.set_params(random_state=self._seed(1))
            elif sp.issparse(features):
                self.reducer_ = LSA(random_state=self._seed(1))
            else:
                self.reducer_ = None
            if self.reducer_ is not None:
                self.reducer_.fit(features)
        else:
            features = self._call(self.vectorizer_.transform, texts, langs)
        kept = np.ones(features.shape[0], dtype=np.float32)
        if isinstance(self.reducer_, LSA):
            projected = self.reducer_.svd_.transform(features)
            full = (
                np.sqrt(np.asarray(features.multiply(features).sum(axis=1)).ravel())
                if sp.issparse(features)
                else np.linalg.norm(features, axis=1)
            )
            norm = np.linalg.norm(projected, axis=1)
            kept = np.divide(norm, full, out=np.zeros_like(norm), where=full > 0)
            features = projected
        elif self.reducer_ is not None:
            features = self.reducer_.transform(features)
        if sp.issparse(features):
            features = features.toarray()
        emb = normalize(np.asarray(features, dtype=np.float32))
        kept = np.minimum(kept, 1.0).astype(np.float32)
        kept[~np.any(emb, axis=1)] = 0.0
        return emb, kept

    def _seed(self, offset):
        """Derive a stable integer seed per stage from ``random_state``."""
        return int((self._base_seed + 7919 * offset) % (2**31 - 1))

    def _make_clusterer(self, k, n, seed, n_init=None):
        """Build the clustering stage for k clusters on n rows."""
        if self.clusterer is None:
            if n_init is None:
                n_init = self.n_init if self.n_init != "auto" else (10 if n <= 2000 else 3)
            if n > _MINIBATCH_ABOVE:
                return MiniBatchKMeans(
                    n_clusters=k, n_init=n_init, batch_size=4096, random_state=seed
                )
            return KMeans(n_clusters=k, n_init=n_init, random_state=seed)
        est = clone(self.clusterer)
        params = est.get_params()
        if "n_clusters" in params:
            est.set_params(n_clusters=k)
        if "random_state" in params:
            est.set_params(random_state=seed)
        return est

    def _cluster(self, X, k, seed, n_init=None):
        """Fit the clustering stage; return labels and (unnormalised) centres."""
        est = self._make_clusterer(k, X.shape[0], seed, n_init)
        labels = np.asarray(est.fit_predict(X))
        centres = getattr(est, "cluster_centers_", None)
        ids = np.unique(labels[labels >= 0])
        if centres is None:
            centres = np.vstack([X[labels == c].mean(axis=0) for c in ids])
            remap = {c: i for i, c in enumerate(ids)}
            labels = np.array([remap.get(c, -1) for c in labels])
        return labels, np.asarray(centres, dtype=np.float32)

    # -- public API -------------------------------------------------------------

    def fit(self, X, y=None, languages=None):
        """Cluster texts into themes.

        Parameters
        ----------
        X : sequence of str
            The texts.
        y : ignored
        languages : sequence of str or None, optional
            Language code per text (None entries are guessed from the script).

        Returns
        -------
        self : FeedbackClusterer
        """
        texts = _check_texts(X)
        n = len(texts)
        if self.n_clusters != "auto" and not (
            isinstance(self.n_clusters, Integral) and self.n_clusters >= 1
        ):
            raise ValueError(
                f"n_clusters must be 'auto' or a positive int, got {self.n_clusters!r}"
            )
        if n < 2:
            raise ValueError(f"need at least 2 texts to cluster, got {n}")
        if self.levels not in (1, 2):
            raise ValueError(f"levels must be 1 or 2, got {self.levels!r}")
        rng = check_random_state(self.random_state)
        self._base_seed = int(rng.randint(2**31 - 1))
        self._report(0.0, "preparing texts")
        langs = _languages(texts, languages)
        order = canonical_order(texts, langs)
        self._fit_in_order([texts[i] for i in order], [langs[i] for i in order])
        # Back from the canonical order to the caller's.
        inverse = np.empty_like(order)
        inverse[order] = np.arange(len(order))
        self.labels_ = self.labels_[inverse]
        self.embedding_ = self.embedding_[inverse]
        self.languages_ = langs
        self.themes_ = [
            replace(t, representatives=tuple(int(order[i]) for i in t.representatives))
            for t in self.themes_
        ]
        if self.levels == 2:
            self.top_labels_ = self.top_labels_[inverse]
            self.top_themes_ = [
                replace(t, representatives=tuple(int(order[i]) for i in t.representatives))
                for t in self.top_themes_
            ]
        return self

    def _fit_in_order(self, texts: list[str], langs: list[str]) -> None:
        """Fit on texts already in canonical order (see :func:`canonical_order`)."""
        n = len(texts)
        self.languages_ = langs
        self._report(0.05, "vectorising")
        emb, kept = self._embed(texts, langs, fit=True)
        self.embedding_ = emb

        if self.n_clusters == "auto":
            self._report(0.4, "choosing the number of themes")
            lo, hi = (
                self.k_range if self.k_range is not None else k_bounds(n, self.min_cluster_size)
            )
            k, self.k_scores_ = choose_k(emb, lo, min(hi, n), check_random_state(self._seed(2)))
        else:
            k, self.k_scores_ = min(int(self.n_clusters), n), {}
        self.n_clusters_ = k

        self._report(0.6, f"clustering into {k} groups")
        raw, centres = self._cluster(emb, k, self._seed(3))
        unit = normalize(centres)
        zero = kept == 0
        sim = np.einsum("ij,ij->i", emb, unit[np.maximum(raw, 0)]) * kept
        dist = np.where(raw >= 0, 1.0 - sim, 1.0)
        thr = self._thresholds(dist, raw, unit.shape[0])
        labels = raw.copy()
        labels[(raw >= 0) & (dist > thr[np.maximum(raw, 0)])] = -1
        labels[zero] = -1
        counts = np.bincount(labels[labels >= 0], minlength=unit.shape[0])
        keep = [c for c in np.argsort(-counts, kind="stable") if counts[c] >= self.min_cluster_size]
        remap = np.full(unit.shape[0], -1)
        remap[keep] = np.arange(len(keep))
        labels = np.where(labels >= 0, remap[np.maximum(labels, 0)], -1)
        self.labels_ = labels
        self._all_centers = unit
        self._remap = remap
        self._all_thresholds = thr
        self.cluster_centers_ = unit[keep] if keep else np.empty((0, unit.shape[1]), np.float32)
        self.thresholds_ = thr[keep]

        self._report(0.75, "measuring stability")
        stability = theme_stability(
            emb,
            labels,
            lambda Xs, seed: self._cluster(Xs, min(k, Xs.shape[0]), seed, n_init=1)[0],
            n_resamples=self.n_resamples,
            sample_size=self.stability_sample_size,
            random_state=check_random_state(self._seed(4)),
        )
        self._report(0.9, "labelling themes")
        self.themes_ = self._describe(texts, langs, emb, labels, stability)
        if self.levels == 2:
            self._fit_top_level(texts, langs, emb, labels)
        self._report(1.0, "done")

    def _fit_top_level(self, texts, langs, emb, labels) -> None:
        """Group the themes into 6-15 top themes (see ``_tree``); set ``tree_`` and ``top_*``."""
        from ._tree import build_theme_tree

        sizes = np.bincount(labels[labels >= 0], minlength=len(self.cluster_centers_))
        self.tree_ = build_theme_tree(self.cluster_centers_, sizes, n_top=self.n_top)
        top = self.tree_.top_labels(labels)
        centres = [
            emb[top == t].mean(axis=0) if np.any(top == t) else np.zeros(emb.shape[1])
            for t in range(self.tree_.n_top)
        ]
        self.top_labels_ = top
        self.top_centers_ = (
            normalize(np.vstack(centres)).astype(np.float32)
            if centres
            else np.empty((0, emb.shape[1]), np.float32)
        )
        self.top_themes_ = self._describe(
            texts, langs, emb, top, {}, centres=self.top_centers_
        )

    def _thresholds(self, dist, raw, k):
        """Per-cluster cosine-distance cut-off for "other"."""
        if self.distance_threshold is not None:
            return np.full(k, float(self.distance_threshold))
        thr = np.full(k, np.inf)
        if not np.isfinite(self.outlier_z):
            return thr
        ok = raw >= 0
        med_all = np.median(dist[ok]) if ok.any() else 0.0
        mad_all = np.median(np.abs(dist[ok] - med_all)) if ok.any() else 0.0
        global_thr = med_all + self.outlier_z * 1.4826 * mad_all
        for c in range(k):
            d = dist[raw == c]
            if len(d) < max(2 * self.min_cluster_size, 8):
                # too few distances for a robust spread: use the global spread
                thr[c] = max(global_thr, np.median(d) if len(d) else 0.0)
                continue
            if len(d) < _OWN_SPREAD_FROM:
                # In a small cluster one far text moves the median and MAD it is judged by;
                # judge the spread without the farthest member.
                d = np.sort(d)[:-1]
            med = np.median(d)
            thr[c] = med + self.outlier_z * 1.4826 * np.median(np.abs(d - med))
        return thr

    def _describe(self, texts, langs, emb, labels, stability, centres=None):
        """Build a Theme per kept cluster: terms, label, languages, quotes."""
        centres = self.cluster_centers_ if centres is None else centres
        analyses = [_text.analyse(t, lang) for t, lang in zip(texts, langs, strict=True)]
        ids = list(range(len(centres)))
        terms = ctfidf_terms(analyses, labels, ids, n_terms=self.n_terms)
        norm_texts = [_text.normalise(t) for t in texts]
        names = name_themes(
            texts,
            langs,
            emb,
            labels,
            centres,
            analyses,
            {t: make_label(terms[t], t) for t in ids},
            vectorizer=self.vectorizer_,
        )
        themes = []
        for t in ids:
            members = np.flatnonzero(labels == t)
            lang_counts: dict[str, int] = {}
            for i in members:
                lang_counts[langs[i]] = lang_counts.get(langs[i], 0) + 1
            lang_counts = dict(sorted(lang_counts.items(), key=lambda kv: (-kv[1], kv[0])))
            # The most central text of each language first, so a theme raised in Arabic and
            # Dutch is quoted in both (for a one-language theme: the plain central choice).
            reps = representatives_across_languages(
                emb, members, centres[t], langs, norm_texts, n=self.n_representatives
            )
            themes.append(
                Theme(
                    id=t,
                    label=make_label(terms[t], t),
                    terms=tuple(terms[t]),
                    size=int(len(members)),
                    languages=lang_counts,
                    stability=round(stability.get(t, float("nan")), 4),
                    representatives=reps,
                    title=names[t].title,
                    gist=names[t].gist,
                    title_source=names[t].source,
                    topic=names[t].topic,
                    topic_title=names[t].topic_title,
                    topic_score=names[t].topic_score,
                    keywords=names[t].keywords,
                )
            )
        return themes

    def transform(self, X, languages=None):
        """Return the cosine distance of each text to each theme centre."""
        check_is_fitted(self, "labels_")
        texts = _check_texts(X)
        emb, kept = self._embed(texts, _languages(texts, languages), fit=False)
        return 1.0 - (emb @ self.cluster_centers_.T) * kept[:, None]

    def predict(self, X, languages=None):
        """Assign new texts to the fitted themes without re-fitting.

        Parameters
        ----------
        X : sequence of str
        languages : sequence of str or None, optional

        Returns
        -------
        labels : ndarray of int
            Theme id per text; -1 when the nearest cluster was dissolved or the
            text lies beyond that theme's distance threshold.
        """
        check_is_fitted(self, "labels_")
        texts = _check_texts(X)
        if not len(texts):
            return np.empty(0, dtype=int)
        emb, kept = self._embed(texts, _languages(texts, languages), fit=False)
        sims = (emb @ self._all_centers.T) * kept[:, None]
        nearest = np.argmax(sims, axis=1)
        dist = 1.0 - sims[np.arange(len(texts)), nearest]
        out = self._remap[nearest].copy()
        out[dist > self._all_thresholds[nearest]] = -1
        out[kept == 0] = -1
        return out

    def predict_top(self, X, languages=None):
        """Top theme of new texts (``levels=2``): the parent of the theme :meth:`predict` gives."""
        check_is_fitted(self, "tree_")
        return self.tree_.top_labels(self.predict(X, languages=languages))

    def fit_predict(self, X, y=None, languages=None):
        """Fit and return ``labels_``."""
        return self.fit(X, languages=languages).labels_
