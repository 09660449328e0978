"""SIB-200 in Klankbord's seven languages, parallel: the same 1,004 FLORES sentences with one topic.

``benchmarks/data/sib200-7lang.jsonl.gz`` was made from dadelani/sib-200 (``data/annotated/<lang>/
{train,dev,test}.tsv``; data CC BY-SA 4.0) for nld_Latn, eng_Latn, arb_Arab, pes_Arab, tir_Ethi,
tur_Latn and ukr_Cyrl, joined on ``index_id``; the original split is kept. Tuning uses only
train/dev items; the test items are held out (scored once per setting, never used to choose one).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent / "data" / "sib200-7lang.jsonl.gz"
LANGS = ("nl", "en", "ar", "fa", "ti", "tr", "uk")


def load_items(n_tune: int = 150, seed: int = 0) -> tuple[list[dict], list[dict]]:
    """(tune, held_out): ``n_tune`` seeded train/dev items and all 204 test items.

    Kept modest: the model embeds about 20 SIB sentences a second on a busy 2-core machine.
    """
    with gzip.open(DATA, "rt", encoding="utf-8") as fh:
        items = [json.loads(line) for line in fh]
    tune = [i for i in items if i["split"] != "test"]
    held = [i for i in items if i["split"] == "test"]
    pick = np.sort(np.random.RandomState(seed).permutation(len(tune))[:n_tune])
    return [tune[i] for i in pick], held


def mixed_pool(items: list[dict], seed: int = 0) -> tuple[list[str], list[str], list[str]]:
    """Each item once, in one language drawn at random: texts, languages, topics."""
    rng = np.random.RandomState(seed)
    langs = [LANGS[j] for j in rng.randint(len(LANGS), size=len(items))]
    return (
        [i["text"][lg] for i, lg in zip(items, langs, strict=True)],
        langs,
        [i["label"] for i in items],
    )
