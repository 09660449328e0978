"""Raw sentence vectors cached on disk between benchmark runs (the model is slow on 2 cores).

``benchmarks/.cache/<model>.npz`` maps ``text_key`` -> unit vector (float16); nothing is downloaded,
and the cache is never committed. Delete the folder to re-embed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

CACHE_DIR = Path(__file__).resolve().parent / ".cache"


def embed_cached(texts: list[str], embedder, batch: int = 256, progress=None) -> np.ndarray:
    """Unit vectors of ``texts`` (float32), embedding only texts not cached yet."""
    from klankbord.analysis._embed import embedder_name, text_key

    CACHE_DIR.mkdir(exist_ok=True)
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in embedder_name(embedder))
    path = CACHE_DIR / f"{name}.npz"
    store: dict[str, np.ndarray] = {}
    if path.is_file():
        with np.load(path) as data:
            store = {k: data[k] for k in data.files}
    keys = [text_key(t) for t in texts]
    todo = list(dict.fromkeys(k for k in keys if k not in store))
    first = {k: t for k, t in zip(keys, texts, strict=True)}
    for start in range(0, len(todo), batch):
        part = todo[start : start + batch]
        vecs = np.asarray(embedder([first[k] for k in part]), dtype=np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        for k, v in zip(part, vecs, strict=True):
            store[k] = v.astype(np.float16)
        np.savez(path, **store)
        if progress:
            progress(min(start + batch, len(todo)), len(todo))
    out = np.vstack([store[k].astype(np.float32) for k in keys]) if keys else np.empty((0, 0))
    return out / np.linalg.norm(out, axis=1, keepdims=True)
