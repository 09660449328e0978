"""Klankbord's analysis engine: multilingual themes from short feedback.

A pure library: it imports numpy, scipy, scikit-learn and NLTK only, never Flask,
SQLAlchemy or other Klankbord modules, and it never touches the network.
"""

from ._cluster import LSA, FeedbackClusterer, TextVectorizer, choose_k, k_bounds
from ._text import LANGUAGES, analyse, guess_language, normalise, tokenize
from .scrub import scrub
from .types import Theme

__all__ = [
    "LANGUAGES",
    "LSA",
    "FeedbackClusterer",
    "TextVectorizer",
    "Theme",
    "analyse",
    "choose_k",
    "guess_language",
    "k_bounds",
    "normalise",
    "scrub",
    "tokenize",
]
