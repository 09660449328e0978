"""Readable theme labels (class-based TF-IDF) and representative quotes."""

from __future__ import annotations

from collections import Counter

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer


def _identity(tokens):
    """Pass pre-tokenised documents through a scikit-learn vectoriser unchanged."""
    return tokens


def ctfidf_terms(
    analyses: list[list[tuple[str, str]]],
    labels: np.ndarray,
    themes: list[int],
    n_terms: int = 10,
) -> dict[int, list[str]]:
    """Return the most distinctive surface terms of each theme.

    Class-based TF-IDF (as in BERTopic's ``ClassTfidfTransformer``): all texts of a
    theme form one document; a term scores ``tf(t, c) * log(1 + A / f(t))`` where
    ``tf`` is its share of the theme's words, ``A`` the mean words per theme and
    ``f(t)`` its frequency over all themes. Terms found in a single text of a theme
    with more than three texts are skipped (one talkative answer is not a theme).
    Stems are counted; each is shown as its most frequent surface form in the theme.
    """
    keys = [[k for k, _ in doc] for doc in analyses]
    out: dict[int, list[str]] = {t: [] for t in themes}
    if not themes:
        return out
    cv = CountVectorizer(analyzer=_identity, lowercase=False)
    try:
        counts = cv.fit_transform(keys).tocsr()
    except ValueError:  # no words at all (e.g. only digits or punctuation)
        return out
    vocab = cv.get_feature_names_out()
    index = {t: i for i, t in enumerate(themes)}
    rows = [i for i, lab in enumerate(labels) if lab in index]
    member = sp.csr_matrix(
        (np.ones(len(rows)), ([index[int(labels[i])] for i in rows], rows)),
        shape=(len(themes), len(labels)),
    )
    tf_c = np.asarray((member @ counts).todense(), dtype=float)
    df_c = np.asarray((member @ (counts > 0).astype(float)).todense())
    totals = tf_c.sum(axis=1, keepdims=True)
    totals[totals == 0] = 1.0
    freq = tf_c.sum(axis=0)
    avg = tf_c.sum() / len(themes)
    idf = np.log1p(avg / np.maximum(freq, 1.0))
    score = tf_c / totals * idf
    sizes = np.asarray(member.sum(axis=1)).ravel()
    for t, i in index.items():
        s = score[i].copy()
        if sizes[i] > 3:
            s[df_c[i] < 2] = 0.0
        order = np.argsort(-s, kind="stable")
        top = [int(j) for j in order[: n_terms * 2] if s[j] > 0]
        if not top:
            continue
        wanted = {vocab[j] for j in top}
        surfaces: dict[str, Counter] = {k: Counter() for k in wanted}
        for doc_id in np.flatnonzero(labels == t):
            for key, surface in analyses[doc_id]:
                if key in surfaces:
                    surfaces[key][surface] += 1
        seen: list[str] = []
        for j in top:
            # most frequent surface form, ties broken alphabetically for determinism
            form = min(surfaces[vocab[j]].items(), key=lambda kv: (-kv[1], kv[0]))[0]
            if form not in seen:
                seen.append(form)
            if len(seen) == n_terms:
                break
        out[t] = seen
    return out


def make_label(terms: list[str], theme_id: int, n_label_terms: int = 3) -> str:
    """Join the first terms into a short label; fall back to a neutral name."""
    return ", ".join(terms[:n_label_terms]) if terms else f"theme {theme_id}"


def representatives(
    X: np.ndarray,
    members: np.ndarray,
    centre: np.ndarray,
    texts_key: list[str],
    n: int = 5,
    max_similarity: float = 0.9,
) -> tuple[int, ...]:
    """Pick up to *n* members close to the centre that are not near-duplicates.

    Members are visited from the most central outwards; one is taken when its
    cosine similarity to every quote already taken stays below *max_similarity*
    and its normalised text differs. ``X`` rows are L2-normalised. This is the
    one-language case of ``_crosslang.representatives_across_languages``, which
    the clusterer uses.
    """
    from ._crosslang import representatives_across_languages

    one_language = [""] * X.shape[0]
    return representatives_across_languages(
        X, members, centre, one_language, texts_key, n=n, max_similarity=max_similarity
    )
