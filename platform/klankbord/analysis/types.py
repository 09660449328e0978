"""Plain value types returned by the analysis engine (no behaviour, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Theme:
    """One theme found in a set of texts.

    Parameters
    ----------
    id : int
        Theme number, 0 for the largest theme; texts labelled -1 are "other".
    label : str
        Short readable label: the most distinctive terms in surface form.
    terms : tuple of str
        Key terms by class-based TF-IDF, most distinctive first, in surface form.
    size : int
        Number of fitted texts in the theme.
    languages : dict of str to int
        How many of its texts were written in each language.
    stability : float
        Mean best-match Jaccard of the theme over re-clusterings of resamples,
        in [0, 1]; NaN when stability was not computed.
    representatives : tuple of int
        Indices into the fitted texts of 3-5 typical, mutually different texts.
    title : str
        Dutch title for a Dutch reader: the most central Dutch text shortened at a clause
        boundary, else the nearest codebook topic, else English (see ``_titles``).
    gist : str
        One Dutch line on what the theme is about (codebook gist or the central text).
    title_source : str
        Where the title came from: "dutch_text", "codebook", "english_text" or "keywords".
    topic : str or None
        Id of the nearest codebook topic (whether or not it was close enough to be used).
    topic_title : str
        That topic's Dutch title.
    topic_score : float
        How close the topic is (cosine; NaN when there is no codebook).
    keywords : dict of str to tuple of str
        Distinctive words per language, stop words removed, largest language first.
    """

    id: int
    label: str
    terms: tuple[str, ...]
    size: int
    languages: dict[str, int] = field(hash=False)
    stability: float
    representatives: tuple[int, ...]
    title: str = ""
    gist: str = ""
    title_source: str = ""
    topic: str | None = None
    topic_title: str = ""
    topic_score: float = float("nan")
    keywords: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (representatives stay indices)."""
        return {
            "id": self.id,
            "label": self.label,
            "terms": list(self.terms),
            "size": self.size,
            "languages": dict(self.languages),
            "stability": None if self.stability != self.stability else self.stability,
            "representatives": list(self.representatives),
            "title": self.title,
            "gist": self.gist,
            "title_source": self.title_source,
            "topic": self.topic,
            "topic_title": self.topic_title,
            "topic_score": None if self.topic_score != self.topic_score else self.topic_score,
            "keywords": {lg: list(words) for lg, words in self.keywords.items()},
        }
