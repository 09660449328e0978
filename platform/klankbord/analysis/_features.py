"""Text features for the clusterer: stacked word and character TF-IDF, and LSA.

Moved out of ``_cluster`` unchanged (``_cluster`` re-exports every name).
"""

from __future__ import annotations

import hashlib
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from . import _text
from ._labels import _identity

#: Word-block weight per language for ``TextVectorizer(word_weight="auto")``: 1 where NLTK
#: has a stemmer, 0.5 where only a stop-word list exists, 0 for Tigrinya and unknown text.
WORD_WEIGHTS = {"nl": 1.0, "en": 1.0, "ar": 1.0, "fa": 0.5, "tr": 0.5, "uk": 0.5, "ti": 0.0}


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
