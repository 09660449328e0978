"""Cell-key perturbation: the same cell gets the same small noise in every table, scope and rerun.

Pure Python plus NumPy/SciPy; no Flask, no database. The method is the one the UK's ONS used for
Census 2021 and the Australian Bureau of Statistics uses in TableBuilder (see docs/privacy.md):

* every record (a survey response, a counted meeting idea) gets a random *record key* in
  ``[0, KEY_RANGE)`` when it is stored, and keeps it;
* a cell's *cell key* is the sum of its records' keys modulo ``KEY_RANGE``;
* the released value is the true count plus the perturbation the *ptable* gives for
  (count, cell key).

Because the cell key depends only on which records are in a cell, two overlapping tables that
contain the same cell show the same number, and two different cells (a scope with and without one
language) get independent-looking noise: their difference is no longer the small group.

The ptable is a *noisy* one (not the deterministic "10/5" rounding sample that ONS's package
ships): for each count the perturbation follows the maximum-entropy distribution on
``-MAX_DEVIATION..MAX_DEVIATION`` with mean 0 and variance ``VARIANCE`` (Giessing 2016's approach,
as in the sdcTools ``ptable`` package), never below 1 for a positive count. It is generated once by
:func:`generate` and shipped as ``data/ptable.csv`` in ONS's layout (``pcv,ckey,pvalue``), so a
release never depends on a solver's version.
"""

from __future__ import annotations

import csv
import math
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from klankbord.core.record_keys import KEY_RANGE

#: Largest change a count can get.
MAX_DEVIATION = 3
#: Variance of the change (standard deviation about 1.22).
VARIANCE = 1.5
#: Counts from this value on use the same row (the distribution no longer depends on the count).
TOP_ROW = MAX_DEVIATION + 1

PTABLE_PATH = Path(__file__).parent / "data" / "ptable.csv"

_EXACT: ContextVar[bool] = ContextVar("exact_counts", default=False)


@contextmanager
def exact_counts_for_tests():
    """Release true counts inside the block: only for tests of aggregation and suppression
    arithmetic, which need to know the true numbers. Nothing in Klankbord itself uses it."""
    token = _EXACT.set(True)
    try:
        yield
    finally:
        _EXACT.reset(token)


def _maxent(support: list[int], mean: float | None, variance: float | None) -> list[float]:
    """Maximum-entropy probabilities on ``support`` with the given first two moments."""
    import numpy as np
    from scipy.optimize import minimize

    x = np.array(support, dtype=float)
    constraints = [{"type": "eq", "fun": lambda p: p.sum() - 1.0}]
    if mean is not None:
        constraints.append({"type": "eq", "fun": lambda p: p @ x - mean})
    if variance is not None:
        constraints.append({"type": "eq", "fun": lambda p: p @ (x * x) - variance})

    def negative_entropy(p):
        p = np.clip(p, 1e-12, 1.0)
        return float(np.sum(p * np.log(p)))

    start = np.full(len(x), 1.0 / len(x))
    result = minimize(
        negative_entropy,
        start,
        method="SLSQP",
        bounds=[(0.0, 1.0)] * len(x),
        constraints=constraints,
        options={"ftol": 1e-13, "maxiter": 500},
    )
    if not result.success:
        raise ValueError(f"no distribution on {support} with mean {mean}, variance {variance}")
    p = np.clip(result.x, 0.0, 1.0)
    return list(p / p.sum())


def row_distribution(count: int) -> dict[int, float]:
    """Perturbation probabilities for one true count (count >= 1; zeros are never perturbed).

    Mean 0 and variance ``VARIANCE`` where the support allows it (every count a report can show,
    as shown counts are at least 5). Small counts cannot go below 1, so their rows keep mean 0
    with as much variance as fits, or, for a count of 1, only move up.
    """
    support = list(range(max(-MAX_DEVIATION, 1 - count), MAX_DEVIATION + 1))
    for mean, variance in ((0.0, VARIANCE), (0.0, None), (None, VARIANCE), (None, None)):
        try:
            if variance is not None and mean is not None and variance > _max_variance(support):
                continue
            return dict(zip(support, _maxent(support, mean, variance), strict=True))
        except ValueError:
            continue
    raise ValueError(f"no ptable row for count {count}")  # pragma: no cover


def _max_variance(support: list[int]) -> float:
    """Largest E[p^2] with mean 0 on the support (mass on its two ends)."""
    lo, hi = support[0], support[-1]
    if lo >= 0:
        return 0.0
    return float(-lo * hi)


def generate() -> list[tuple[int, int, int]]:
    """ptable rows ``(pcv, ckey, pvalue)``: cell keys split in proportion to the probabilities.

    Each row's KEY_RANGE cell keys are dealt to the perturbation values by largest remainder, so
    each value's share of keys is within 1/KEY_RANGE of its probability. The keys are dealt in a
    fixed shuffled order, not in blocks: with blocks, two cells whose keys differ by a little
    (a cell and the same cell without one small group, whose keys happen to add up to 4) would
    mostly get the same change, and their difference would be the group again.
    """
    import random

    shuffled = list(range(KEY_RANGE))
    random.Random(f"klankbord-ptable-{KEY_RANGE}").shuffle(shuffled)
    rows = []
    for count in range(1, TOP_ROW + 1):
        dist = row_distribution(count)
        exact = {p: prob * KEY_RANGE for p, prob in dist.items()}
        slots = {p: math.floor(v) for p, v in exact.items()}
        short = KEY_RANGE - sum(slots.values())
        for p in sorted(exact, key=lambda p: (-(exact[p] - slots[p]), abs(p), p))[:short]:
            slots[p] += 1
        position = 0
        dealt = []
        for p in sorted(slots):
            for _ in range(slots[p]):
                dealt.append((count, shuffled[position], p))
                position += 1
        rows += sorted(dealt)
    return rows


def write(path: Path = PTABLE_PATH) -> None:
    """Write the generated ptable (run once; the file is shipped with Klankbord)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["pcv", "ckey", "pvalue"])
        out.writerows(generate())


@lru_cache(maxsize=1)
def load(path: Path = PTABLE_PATH) -> dict[tuple[int, int], int]:
    """The shipped ptable as {(pcv, ckey): pvalue}."""
    with open(path, encoding="utf-8") as fh:
        return {
            (int(row["pcv"]), int(row["ckey"])): int(row["pvalue"]) for row in csv.DictReader(fh)
        }


def cell_key(key_sum: int) -> int:
    """A cell's key from the sum of its records' keys."""
    return int(key_sum) % KEY_RANGE


def perturb(count: int, key_sum: int, min_group_size: int | None = None) -> int:
    """The released value of a cell of ``count`` records whose keys add up to ``key_sum``.

    Zeros stay zero (a zero describes no one). With ``min_group_size`` k, a count of at least k is
    never released below k: the reader already knows shown cells hold k or more, and a value under
    k would look like a small group that suppression should have hidden.
    """
    if count <= 0:
        return 0
    if _EXACT.get():
        return count
    value = count + load()[(min(count, TOP_ROW), cell_key(key_sum))]
    if min_group_size is not None and count >= min_group_size:
        value = max(value, min_group_size)
    return max(value, 1)
