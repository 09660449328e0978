"""Per-theme stability by re-clustering subsamples.

Method (clusterwise Jaccard, after Hennig 2007, "Cluster-wise assessment of
cluster stability"):

1. Draw a base sample of at most ``sample_size`` fitted texts (all of them when
   there are fewer), using the estimator's ``random_state``.
2. ``n_resamples`` times, draw a subsample of ``fraction`` (80 %) of the base
   sample without replacement and re-run only the clustering stage, with the same
   k and a fresh seed, on the already reduced vectors. Vectoriser and reducer are
   not re-fitted: that keeps the check cheap (5 resamples of <=2000 texts take a
   fraction of a second) and measures how firmly the *grouping* holds.
3. For each theme T and resample r, restrict T to the subsample (T_r) and take
   the best Jaccard overlap between T_r and any cluster of the re-run:
   ``max_C |T_r & C| / |T_r | C|``.
4. The theme's stability is the mean of these best overlaps over the resamples
   in which it had members (NaN if it never did).

Read the score as "how much of this theme comes back together when the data
shift a little": above ~0.75 is a firm theme, below ~0.5 a theme that a report
should mark as weak (Hennig's rule of thumb).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def theme_stability(
    X: np.ndarray,
    labels: np.ndarray,
    refit: Callable[[np.ndarray, int], np.ndarray],
    *,
    n_resamples: int = 5,
    sample_size: int = 2000,
    fraction: float = 0.8,
    random_state: np.random.RandomState,
) -> dict[int, float]:
    """Return the mean best-match Jaccard of every theme (label >= 0).

    ``refit(X_sub, seed)`` must return cluster labels for the rows of ``X_sub``.
    """
    themes = sorted(int(t) for t in np.unique(labels) if t >= 0)
    if n_resamples <= 0 or not themes:
        return {t: float("nan") for t in themes}
    n = len(labels)
    base = np.arange(n)
    if n > sample_size:
        base = np.sort(random_state.choice(n, size=sample_size, replace=False))
    m = max(2, int(round(fraction * len(base))))
    scores: dict[int, list[float]] = {t: [] for t in themes}
    for _ in range(n_resamples):
        sub = np.sort(random_state.choice(base, size=min(m, len(base)), replace=False))
        seed = int(random_state.randint(np.iinfo(np.int32).max))
        new = np.asarray(refit(X[sub], seed))
        old = labels[sub]
        for t in themes:
            in_t = old == t
            size_t = int(in_t.sum())
            if size_t == 0:
                continue
            ids, inter = np.unique(new[in_t], return_counts=True)
            sizes = np.array([(new == c).sum() for c in ids])
            jaccard = inter / (size_t + sizes - inter)
            scores[t].append(float(jaccard.max()))
    return {t: float(np.mean(v)) if v else float("nan") for t, v in scores.items()}
