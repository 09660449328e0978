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
    """

    id: int
    label: str
    terms: tuple[str, ...]
    size: int
    languages: dict[str, int] = field(hash=False)
    stability: float
    representatives: tuple[int, ...]

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
        }
