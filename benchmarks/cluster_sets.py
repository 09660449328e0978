"""Labelled sets for the held-out discipline of the clustering benchmarks (issue 15, items 3-5, 7).

Everything here is on disk; nothing downloads. Gold labels only score, never fit.

The split is fixed here and written down in ``benchmarks/results/cluster-heldout.md``:

* **SIB-200, seven languages, parallel** (``_sib7.py``): train/dev items are **tuning**, the 204
  test items are **held out**.
* **Banking77** (English short intents, ``/work/shared/data/banking77.jsonl``): the 77 intents are
  split by a hash of their name into a **tuning** half and a **held-out** half (different intents,
  not just different texts), at most 60 texts per intent.
* Two granularities for the theme tree: Banking77 intent (fine) and a *domain* (coarse) made from
  the intent name (its first word, a few merged; :data:`BANKING_DOMAIN_MERGE`).
* **Parallel interface/survey texts** (surveys/*.yaml, surveys/meetings ``ui_text.py``, the
  codebook): used only to *learn* language removal, never scored.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
LANGS = ("nl", "en", "ar", "fa", "ti", "tr", "uk")
#: Seeds: tuning decisions use TUNE_SEEDS only; held-out rows use HELD_SEEDS.
TUNE_SEEDS = (0, 1)
HELD_SEEDS = (10, 11, 12)

#: Banking77 intent prefixes merged into one domain (the first word alone is too fine or vague).
BANKING_DOMAIN_MERGE = {
    "activate": "card", "apple": "top", "atm": "cash", "automatic": "top",
    "beneficiary": "transfer", "cancel": "transfer", "card": "card", "cash": "cash",
    "change": "card", "compromised": "card",
    "contactless": "card", "country": "account", "declined": "payment", "direct": "payment",
    "disposable": "card", "edit": "account", "exchange": "exchange", "extra": "payment",
    "failed": "transfer", "fiat": "exchange", "get": "card", "getting": "card", "lost": "card",
    "order": "card", "passcode": "account", "pending": "payment", "pin": "card",
    "receiving": "transfer", "refund": "payment", "request": "payment", "reverted": "payment",
    "supported": "exchange", "terminate": "account", "top": "top", "topping": "top",
    "Refund": "payment", "transaction": "payment",
    "transfer": "transfer", "unable": "account", "verify": "account", "virtual": "card",
    "visa": "card", "why": "account", "wrong": "payment", "age": "account",
    "balance": "payment", "beneficiary_not_allowed": "transfer", "card_payment": "payment",
}


def banking_domain(intent: str) -> str:
    """Coarse domain of a Banking77 intent (see module docstring)."""
    if intent.startswith("card_payment"):
        return "payment"
    head = intent.split("_")[0]
    return BANKING_DOMAIN_MERGE.get(head, head)


def _half(name: str) -> str:
    return "tune" if hashlib.sha256(name.encode()).digest()[0] % 2 == 0 else "held_out"


def banking(split: str, per_intent: int = 60, seed: int = 0) -> dict:
    """Banking77 texts of one split: {"texts", "labels", "domains", "langs"}."""
    rows = [json.loads(x) for x in open(DATA / "banking77.jsonl", encoding="utf-8") if x.strip()]
    by: dict[str, list[str]] = {}
    for r in rows:
        if _half(r["label"]) == split:
            by.setdefault(r["label"], []).append(r["text"])
    rng = np.random.RandomState(seed)
    texts, labels = [], []
    for intent in sorted(by):
        items = sorted(set(by[intent]))
        pick = rng.permutation(len(items))[:per_intent]
        texts += [items[i] for i in sorted(pick)]
        labels += [intent] * min(per_intent, len(items))
    return {
        "texts": texts,
        "labels": labels,
        "domains": [banking_domain(x) for x in labels],
        "langs": ["en"] * len(texts),
    }


def sib(split: str) -> list[dict]:
    """SIB-200 seven-language items of one split (tune = train+dev, held_out = test)."""
    import gzip

    path = REPO / "benchmarks" / "data" / "sib200-7lang.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        items = [json.loads(line) for line in fh]
    want = (lambda s: s != "test") if split == "tune" else (lambda s: s == "test")
    return [i for i in items if want(i["split"])]


def sib_language(items: list[dict], lang: str) -> dict:
    return {
        "texts": [i["text"][lang] for i in items],
        "labels": [i["label"] for i in items],
        "langs": [lang] * len(items),
    }


def mixed_pool(items: list[dict], seed: int) -> dict:
    """Each item once, in one language drawn at random."""
    rng = np.random.RandomState(seed)
    langs = [LANGS[j] for j in rng.randint(len(LANGS), size=len(items))]
    return {
        "texts": [i["text"][lg] for i, lg in zip(items, langs, strict=True)],
        "labels": [i["label"] for i in items],
        "langs": langs,
    }


def parallel_app_texts() -> list[dict[str, str]]:
    """Every text that exists in all seven languages in the shipped surveys, UI tables, codebook."""
    import sys

    sys.path.insert(0, str(REPO / "benchmarks"))
    from embedding_offsets import parallel_texts

    from klankbord.meetings import ui_text as meet_ui
    from klankbord.surveys import ui_text as survey_ui

    out = parallel_texts((REPO / "surveys").glob("*.yaml"))
    for table in (survey_ui.TEXTS, getattr(meet_ui, "TEXTS", None) or meet_ui.TEXT):
        for entry in table.values():
            if isinstance(entry, dict) and all(isinstance(entry.get(lg), str) for lg in LANGS):
                out.append({lg: entry[lg] for lg in LANGS})
    book = json.loads(
        (REPO / "platform/klankbord/analysis/data/codebook.json").read_text(encoding="utf-8")
    )
    for topic in book["topics"]:
        texts = topic.get("texts", {})
        if all(lg in texts for lg in LANGS):
            n = min(len(texts[lg]) for lg in LANGS)
            for j in range(n):
                out.append({lg: texts[lg][j] for lg in LANGS})
    unique = {tuple(p[lg] for lg in LANGS): p for p in out}
    return list(unique.values())
