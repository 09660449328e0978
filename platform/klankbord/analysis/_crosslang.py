"""Themes across languages: plain notes on a theme's language mix, and quotes in several languages.

With a multilingual vectoriser one theme holds texts in several languages. A reader
should see that (quotes side by side in the languages that raised it), and where one
language dominates, the report says so plainly ("raised mainly in Tigrinya") instead
of letting a complaint of one community look like a general one, or like noise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from . import _text

#: Language names per display language; Dutch names carry their article ("het Arabisch").
LANGUAGE_NAMES: dict[str, dict[str, str]] = {
    "nl": {
        "nl": "het Nederlands",
        "en": "het Engels",
        "ar": "het Arabisch",
        "ti": "het Tigrinya",
        "fa": "het Farsi",
        "tr": "het Turks",
        "uk": "het Oekraïens",
    },
    "en": {
        "nl": "Dutch",
        "en": "English",
        "ar": "Arabic",
        "ti": "Tigrinya",
        "fa": "Farsi (Persian)",
        "tr": "Turkish",
        "uk": "Ukrainian",
    },
}

_NOTES = {
    "nl": {
        "only": "Alleen genoemd in {name} (alle {total} reacties).",
        "mainly": "Vooral genoemd in {name} ({count} van de {total} reacties).",
        "mainly_plain": "Vooral genoemd in {name}.",
        "mix": "Genoemd in {n} talen: {parts}.",
    },
    "en": {
        "only": "Raised only in {name} (all {total} responses).",
        "mainly": "Raised mainly in {name} ({count} of {total} responses).",
        "mainly_plain": "Raised mainly in {name}.",
        "mix": "Raised in {n} languages: {parts}.",
    },
}


def language_name(code: str, lang: str = "nl") -> str:
    """Return the name of language ``code`` in Dutch (with article) or English."""
    names = LANGUAGE_NAMES.get(lang, LANGUAGE_NAMES["en"])
    return names.get(code, code)


def dominant_language(languages: Mapping[str, int], threshold: float = 0.6) -> str | None:
    """Return the language with at least ``threshold`` of a theme's texts, or None.

    "unknown" never dominates: not knowing the language is not a finding.
    """
    total = sum(int(c) for c in languages.values())
    if total <= 0:
        return None
    code, count = min(languages.items(), key=lambda kv: (-int(kv[1]), kv[0]))
    if code == _text.UNKNOWN or count / total < threshold:
        return None
    return code


def dominant_language_note(
    languages: Mapping[str, int],
    lang: str = "nl",
    threshold: float = 0.6,
    overall: Mapping[str, int] | None = None,
    counts: bool = True,
) -> str | None:
    """Say plainly that a theme was raised mainly (or only) in one language.

    Parameters
    ----------
    languages : mapping of str to int
        The theme's texts per language (``Theme.languages``).
    lang : {"nl", "en"}
        Language of the sentence.
    threshold : float
        Share of the theme's texts that makes a language dominant.
    overall : mapping of str to int, optional
        Texts per language in the whole input. When that language already holds
        ``threshold`` of all texts, a theme dominated by it is not notable and no
        note is given (otherwise every theme of a Dutch survey would say "mainly
        in Dutch").
    counts : bool
        False leaves the numbers out ("Raised mainly in Tigrinya."), for a report
        that may not show them because they would give away a small group.

    Returns
    -------
    str or None
        E.g. "Raised mainly in Tigrinya (8 of 10 responses).", or None.
    """
    code = dominant_language(languages, threshold)
    if code is None:
        return None
    if overall:
        all_total = sum(int(c) for c in overall.values())
        if all_total and int(overall.get(code, 0)) / all_total >= threshold:
            return None
    total = sum(int(c) for c in languages.values())
    count = int(languages[code])
    notes = _NOTES.get(lang, _NOTES["en"])
    key = "only" if count == total else "mainly"
    if not counts:
        key = "mainly_plain"
    return notes[key].format(name=language_name(code, lang), count=count, total=total)


def language_mix_note(languages: Mapping[str, int], lang: str = "nl") -> str | None:
    """Phrase a theme's language mix ("Raised in 3 languages: Dutch (5), ..."); None for one."""
    known = [(c, int(n)) for c, n in languages.items() if int(n) > 0]
    if len(known) < 2:
        return None
    known.sort(key=lambda kv: (-kv[1], kv[0]))
    names = [language_name(c, lang) for c, _ in known]
    if lang == "nl":  # "het Arabisch (4)" reads oddly in a list: drop the article there
        names = [n.removeprefix("het ") for n in names]
        names = [n[:1].upper() + n[1:] for n in names]
    parts = ", ".join(f"{name} ({n})" for name, (_, n) in zip(names, known, strict=True))
    return _NOTES.get(lang, _NOTES["en"])["mix"].format(n=len(known), parts=parts)


def representatives_across_languages(
    X: np.ndarray,
    members: np.ndarray,
    centre: np.ndarray,
    languages: Sequence[str],
    texts_key: Sequence[str],
    n: int = 5,
    max_similarity: float = 0.9,
) -> tuple[int, ...]:
    """Pick up to ``n`` typical texts of a theme that cover its languages.

    First the most central text of every language in the theme (largest language
    first), then the next most central texts overall. Near-duplicates (cosine at or
    above ``max_similarity``, or equal normalised text) are skipped only *within* a
    language: a translation of a quote is exactly what should stand beside it. For a
    one-language theme this is the same choice as ``_labels.representatives``.
    """
    members = np.asarray(members)
    if len(members) == 0 or n <= 0:
        return ()
    sims = X[members] @ centre
    order = [int(i) for i in members[np.argsort(-sims, kind="stable")]]
    counts: dict[str, int] = {}
    for i in order:
        counts[languages[i]] = counts.get(languages[i], 0) + 1
    langs_by_size = sorted(counts, key=lambda c: (-counts[c], c))
    picked: list[int] = []
    taken: dict[str, list[int]] = {}
    seen_text: set[tuple[str, str]] = set()

    def ok(i: int) -> bool:
        same = taken.get(languages[i], [])
        if (languages[i], texts_key[i]) in seen_text:
            return False
        return not same or float(np.max(X[same] @ X[i])) < max_similarity

    def take(i: int) -> None:
        picked.append(i)
        taken.setdefault(languages[i], []).append(i)
        seen_text.add((languages[i], texts_key[i]))

    for code in langs_by_size:
        if len(picked) == n:
            break
        for i in order:
            if languages[i] == code and ok(i):
                take(i)
                break
    for i in order:
        if len(picked) == n:
            break
        if i not in picked and ok(i):
            take(i)
    return tuple(picked)


def cross_language_themes(clusterer, texts: Sequence[str], n: int | None = None) -> list:
    """Return a fitted clusterer's themes with quotes chosen across languages.

    Parameters
    ----------
    clusterer : FeedbackClusterer
        Fitted; its ``embedding_``, ``labels_``, ``cluster_centers_`` and
        ``languages_`` are used.
    texts : sequence of str
        The texts it was fitted on.
    n : int, optional
        Quotes per theme; defaults to the clusterer's ``n_representatives``.
    """
    n = clusterer.n_representatives if n is None else n
    keys = [_text.normalise(t) for t in texts]
    out = []
    for theme in clusterer.themes_:
        members = np.flatnonzero(clusterer.labels_ == theme.id)
        reps = representatives_across_languages(
            clusterer.embedding_,
            members,
            clusterer.cluster_centers_[theme.id],
            clusterer.languages_,
            keys,
            n=n,
        )
        out.append(replace(theme, representatives=reps))
    return out
