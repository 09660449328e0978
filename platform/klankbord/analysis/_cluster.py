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

import hashlib
import inspect
from dataclasses import replace
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClusterMixin, TransformerMixin, clone
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from . import _text
from ._crosslang import representatives_across_languages
from ._labels import _identity, ctfidf_terms, make_label
from ._stability import theme_stability
from ._titles import name_themes
from .types import Theme

_MINIBATCH_ABOVE = 30_000
#: Word-block weight per language for ``TextVectorizer(word_weight="auto")``: 1 where NLTK
#: has a stemmer, 0.5 where only a stop-word list exists, 0 for Tigrinya and unknown text.
WORD_WEIGHTS = {"nl": 1.0, "en": 1.0, "ar": 1.0, "fa": 0.5, "tr": 0.5, "uk": 0.5, "ti": 0.0}
#: From this many members a cluster's spread is judged with all of them (see _thresholds).
_OWN_SPREAD_FROM = 30


def _languages(texts: list[str], languages) -> list[str]:
    """Resolve one language code per text (given, else guessed from the script)."""
    if languages is None:
        languages = [None] * len(texts)
    if len(languages) != len(texts):
        raise ValueError(f"got {len(texts)} texts but {len(languages)} languages")
    return [_text.resolve_language(t, lang) for t, lang in zip(texts, languages, strict=True)]


def canonical_order(texts: list[str], languages: list[str]) -> np.ndarray:
    """Positions of the texts sorted by a hash of their content (language and text).

    Fitting in this order makes themes independent of the order the caller happened to
    read the texts in (database ids, file order): the same texts give the same themes.
    Equal texts in the same language are interchangeable, so ties keep input order.
    """
    keys = [
        hashlib.blake2b(f"{lang}\x00{text}".encode("utf-8", "surrogatepass"), digest_size=12)
        .digest()
        for text, lang in zip(texts, languages, strict=True)
    ]
    return np.array(sorted(range(len(texts)), key=keys.__getitem__), dtype=np.intp)


def _check_texts(texts) -> list[str]:
    """Accept any sequence of strings; reject a bare string and non-strings."""
    if isinstance(texts, str):
        raise TypeError("texts must be a sequence of strings, not a single string")
    texts = list(texts)
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"text {i} is {type(t).__name__}, not str")
    return texts


class TextVectorizer(TransformerMixin, BaseEstimator):
    """Stacked word and character TF-IDF features for multilingual short texts.

    Parameters
    ----------
    word_weight : float or "auto", default="auto"
        Weight of the L2-normalised word block; 0 drops it. "auto" weighs each text by
        what Klankbord has for its language (:data:`WORD_WEIGHTS`): 1 with a stemmer
        (nl, en, ar), 0.5 with a stop-word list only (fa, tr, uk), 0 with neither
        (Tigrinya, unknown). Unstemmed word tokens of a richly inflected language rarely
        match and only dilute the character block: on the tuning sets the stacked features
        were below the character n-gram baseline for Ukrainian and Tigrinya
        (``benchmarks/results/cluster-heldout.md``).
    char_weight : float
        Weight of the L2-normalised character block; 0 drops it.
    ngram_range : tuple of int
        Word n-gram range over stemmed keys.
    char_ngram_range : tuple of int
        ``char_wb`` n-gram range over the normalised text.
    min_df : int or float
        Minimum document frequency for both blocks (a term of one text cannot
        link two texts).
    max_df : float
        Maximum document frequency of word terms.

    Attributes
    ----------
    word_ : TfidfVectorizer or None
    char_ : TfidfVectorizer or None
    """

    def __init__(
        self,
        word_weight="auto",
        char_weight=1.0,
        ngram_range=(1, 1),
        char_ngram_range=(2, 5),
        min_df=2,
        max_df=0.5,
    ):
        self.word_weight = word_weight
        self.char_weight = char_weight
        self.ngram_range = ngram_range
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.max_df = max_df

    def _prepare(self, X, languages):
        """Return stemmed key lists and normalised strings for both blocks."""
        texts = _check_texts(X)
        langs = _languages(texts, languages)
        keys = [_text.tokenize(t, lang) for t, lang in zip(texts, langs, strict=True)]
        chars = [_text.char_form(t, lang) for t, lang in zip(texts, langs, strict=True)]
        return keys, chars, langs

    def _word_rows(self, langs):
        """Per-text weights of the word block (a diagonal matrix), or None when all are 1."""
        if self.word_weight != "auto":
            return None
        w = np.array([WORD_WEIGHTS.get(lg, 0.0) for lg in langs], dtype=np.float32)
        return sp.diags(w)

    def _uses_words(self):
        if self.word_weight == "auto":
            return True
        return bool(self.word_weight)

    def _word_block(self, matrix, langs):
        rows = self._word_rows(langs)
        if rows is None:
            return float(self.word_weight) * matrix
        return (rows @ matrix).tocsr()

    def _min_df(self, n):
        """Relax an integer min_df on tiny inputs so a vocabulary always exists."""
        if isinstance(self.min_df, Integral) and n < 4 * self.min_df:
            return 1
        return self.min_df

    def fit(self, X, y=None, languages=None):
        """Learn both vocabularies and IDF weights."""
        self.fit_transform(X, y, languages=languages)
        return self

    def fit_transform(self, X, y=None, languages=None):
        """Learn the vocabularies and return the stacked TF-IDF matrix."""
        keys, chars, langs = self._prepare(X, languages)
        min_df = self._min_df(len(keys))
        blocks = []
        self.word_ = self.char_ = None
        if self._uses_words():
            self.word_ = TfidfVectorizer(
                analyzer=_identity,
                lowercase=False,
                min_df=min_df,
                max_df=self.max_df if len(keys) >= 20 else 1.0,
                sublinear_tf=True,
                dtype=np.float32,
            )
            if self.ngram_range != (1, 1):
                lo, hi = self.ngram_range
                keys = [_ngrams(k, lo, hi) for k in keys]
            try:
                blocks.append(self._word_block(self.word_.fit_transform(keys), langs))
            except ValueError:  # no word survived (e.g. only Ge'ez single letters)
                self.word_ = None
        if self.char_weight:
            self.char_ = TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=self.char_ngram_range,
                lowercase=False,
                min_df=min_df,
                sublinear_tf=True,
                dtype=np.float32,
            )
            try:
                blocks.append(self.char_weight * self.char_.fit_transform(chars))
            except ValueError:
                self.char_ = None
        if not blocks:
            raise ValueError("no usable words or characters in the texts")
        return sp.hstack(blocks, format="csr")

    def transform(self, X, languages=None):
        """Map new texts onto the fitted vocabularies."""
        check_is_fitted(self, ["word_", "char_"])
        keys, chars, langs = self._prepare(X, languages)
        blocks = []
        if self.word_ is not None:
            if self.ngram_range != (1, 1):
                lo, hi = self.ngram_range
                keys = [_ngrams(k, lo, hi) for k in keys]
            blocks.append(self._word_block(self.word_.transform(keys), langs))
        if self.char_ is not None:
            blocks.append(self.char_weight * self.char_.transform(chars))
        return sp.hstack(blocks, format="csr")


def _ngrams(tokens, lo, hi):
    """Word n-grams of a key list joined by a space."""
    out = []
    for n in range(lo, hi + 1):
        out.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return out


class LSA(TransformerMixin, BaseEstimator):
    """Latent semantic analysis: TruncatedSVD, then L2-normalised rows.

    Parameters
    ----------
    n_components : int or "auto", default="auto"
        Target dimensionality (capped below the number of features and samples).
        "auto" is ``n / 10`` clipped to [50, 200]: on 1,000 topical sentences 100
        dimensions clustered markedly better than 200 (the extra directions are
        mostly noise from rare n-grams), while 10,000 texts still use 200.
    max_fit_samples : int
        The SVD is fitted on at most this many rows (a random subset) and then
        applied to all; at 100k texts this halves the run time at no measurable
        quality cost, because the topic directions are already clear in 20k texts.
    random_state : int, RandomState or None

    Attributes
    ----------
    svd_ : TruncatedSVD
    """

    def __init__(self, n_components="auto", max_fit_samples=20_000, random_state=None):
        self.n_components = n_components
        self.max_fit_samples = max_fit_samples
        self.random_state = random_state

    def fit(self, X, y=None):
        """Fit the SVD on (a sample of) ``X``."""
        rng = check_random_state(self.random_state)
        n, d = X.shape
        rows = np.arange(n)
        if self.max_fit_samples and n > self.max_fit_samples:
            rows = np.sort(rng.choice(n, self.max_fit_samples, replace=False))
        wanted = self.n_components
        if wanted == "auto":
            wanted = int(np.clip(n // 10, 50, 200))
        k = max(1, min(wanted, d - 1, len(rows) - 1))
        self.svd_ = TruncatedSVD(n_components=k, random_state=rng.randint(2**31 - 1))
        self.svd_.fit(X[rows])
        return self

    def transform(self, X):
        """Project and L2-normalise."""
        check_is_fitted(self, "svd_")
        return normalize(self.svd_.transform(X).astype(np.float32, copy=False))


def k_bounds(n: int, min_cluster_size: int) -> tuple[int, int]:
    """Return the (k_min, k_max) the automatic choice may pick from for n texts."""
    k_max = int(np.ceil(2.0 * np.sqrt(n / 2.0)))
    k_max = min(k_max, max(2, n // max(1, min_cluster_size)), 200)
    return 2, max(2, k_max)


def choose_k(
    X: np.ndarray,
    k_min: int,
    k_max: int,
    random_state,
    sample_size: int = 2000,
    n_pairs: int = 2,
    penalty: float = 0.1,
    n_grid: int = 8,
    null_reference: bool = True,
) -> tuple[int, dict[int, float]]:
    """Pick the number of clusters by penalised stability; return k and the scores.

    The criterion, for every k on a geometric grid over ``[k_min, k_max]``:

    ``score(k) = stability(k) - null(k) - penalty * |log2(k / k0)|``

    * ``stability(k)``: k-means (one k-means++ start) is fitted on two random
      two-thirds subsamples of a sample of at most ``sample_size`` rows; both
      models label the whole sample and the adjusted Rand index between the two
      labelings is averaged over ``n_pairs`` pairs. Real structure reappears
      whatever the subsample; arbitrary cuts of a continuum do not.
    * ``null(k)``: the same measurement, with the same subsamples and seeds, on a
      reference sample without clusters: Gaussian noise with the sample's mean and
      covariance, rows normalised like the data. A few cuts (k = 2, 3) of any
      elongated cloud are stable although they separate nothing (Ben-David et al.
      2006, "A sober look at clustering stability"); sentence embeddings, whose
      variance sits in a few directions, then chose k = 2 for half the seeds.
      Subtracting the reference keeps only the stability that the structure earns
      (the choice on TF-IDF/LSA vectors was unchanged on every benchmark set).
    * ``k0 = sqrt(n / 2)`` (the classical rule of thumb, clipped to the bounds) is
      the prior; each doubling or halving away from it costs ``penalty``.

    Why not silhouette: on LSA vectors it keeps rising with k and picks the top of
    any grid. Stability alone rises with k too on weakly structured text, so the
    prior keeps the answer near a readable size unless the data clearly prefer
    another k (clearly separated themes have stability near 1 and win easily).
    """
    from sklearn.metrics import adjusted_rand_score

    n = X.shape[0]
    k_max = max(k_min, min(k_max, n // 3))
    k0 = float(np.clip(np.sqrt(n / 2.0), k_min, k_max))
    if k_max <= k_min:
        return int(k_min), {int(k_min): float("nan")}
    rows = np.arange(n)
    if n > sample_size:
        rows = np.sort(random_state.choice(n, sample_size, replace=False))
    S = X[rows]
    m = max(2, int(len(rows) * 2 / 3))
    grid = np.unique(np.round(np.geomspace(k_min, k_max, n_grid)).astype(int))
    grid = np.unique(np.append(grid, int(round(k0))))
    grid = [int(k) for k in grid if k <= m // 2]
    seeds = random_state.randint(2**31 - 1, size=(n_pairs, 2))
    picks = [
        (
            random_state.choice(len(rows), m, replace=False),
            random_state.choice(len(rows), m, replace=False),
        )
        for _ in range(n_pairs)
    ]
    def stability(data, k):
        aris = []
        for (a, b), (sa, sb) in zip(picks, seeds, strict=True):
            la = KMeans(n_clusters=k, n_init=1, random_state=sa).fit(data[a]).predict(data)
            lb = KMeans(n_clusters=k, n_init=1, random_state=sb).fit(data[b]).predict(data)
            aris.append(adjusted_rand_score(la, lb))
        return float(np.mean(aris))

    reference = _null_reference(S, random_state) if null_reference else None
    scores: dict[int, float] = {}
    for k in grid:
        score = stability(S, k)
        if reference is not None:
            score -= stability(reference, k)
        scores[k] = score - penalty * abs(np.log2(k / k0))
    best = max(scores, key=lambda k: (scores[k], -k))
    return int(best), scores


def _null_reference(S: np.ndarray, random_state) -> np.ndarray:
    """Gaussian rows with the mean and covariance of ``S`` (no clusters), L2-normalised."""
    S = np.asarray(S, dtype=np.float64)
    mean = S.mean(axis=0)
    _, singular, components = np.linalg.svd(S - mean, full_matrices=False)
    noise = random_state.standard_normal((S.shape[0], len(singular)))
    scale = singular / np.sqrt(max(1, S.shape[0] - 1))
    return normalize((mean + (noise * scale) @ components).astype(np.float32))


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
        Number of top themes with ``levels=2``; "auto" picks 5-15 by the largest jump in
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
        """Group the themes into 5-15 top themes (see ``_tree``); set ``tree_`` and ``top_*``."""
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

    def fit_predict(self, X, y=None, languages=None):
        """Fit and return ``labels_``."""
        return self.fit(X, languages=languages).labels_
