"""Build platform/klankbord/analysis/data/given-names-ethiopic.txt (Eritrean and Ethiopian names).

Run by hand when the list should change; nothing downloads at run time. The general list
(``build_given_names.py``) held only 70 names in Ge'ez script, so most Tigrinya names typed by
Eritrean residents were not recognised without a "my name is" phrase. Inputs (all open):

* geezorg/data (Ge'ez Frontier Foundation, CC BY-SA 4.0), commit 3904462c:
  ``amharic/toponymic/BA-SGC-PhoneBook-SingleNames-Merged-20080604.txt`` (8,743 single names with
  their type; the Male, Female and Both rows are taken, with their alternate spellings),
  ``BA-SingleNames-20071031.txt`` and ``SGC-SingleNames-20071123.txt`` (Latin transcriptions),
  and the two Tigrinya dictionaries under ``tigrinya/dictionaries/`` (xlsx), whose headwords only
  mark names that are also ordinary words; no dictionary text is shipped;
* keymanapp/lexical-models (Ge'ez Frontier Foundation, MIT), commit efe81a41:
  ``release/gff/gff.ti_er.gff_tigrinya_eritrea/source/TigrinyaErWordList.tsv`` and
  ``gff.ti_et.gff_tigrinya_ethiopia/source/TigrinyaEtWordList.tsv`` (Tigrinya word frequencies of
  newspapers), used only for the same mark;
* Debian's hunspell-nl, hunspell-en-us and hunspell-tr, to mark Latin spellings that are also
  Dutch, English or Turkish words.

A name that is also an ordinary word (ሰላም "peace", ሎሚ "today", ህይወት "life") is written with a
tab and ``~``: the scrubber takes it only with context (a family word, a greeting, "ስመይ").

Usage::

    python tools/build_ethiopic_names.py GEEZORG_DATA_DIR LEXICAL_MODELS_DIR

where the two directories hold the files above at their repository paths.
"""

from __future__ import annotations

import re
import sys
import unicodedata
import zipfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "platform" / "klankbord" / "analysis" / "data" / "given-names-ethiopic.txt"
sys.path.insert(0, str(REPO / "platform"))

from klankbord.analysis.scrub import fold_name  # noqa: E402  (the scrubber's own folding)

#: a Tigrinya word at least this frequent in the newspaper lists is an ordinary word too
COMMON_COUNT = 300
HUNSPELL = (
    "/usr/share/hunspell/nl.dic",
    "/usr/share/hunspell/en_US.dic",
    "/usr/share/hunspell/tr_TR.dic",
)
_ETHIOPIC = re.compile(r"[\u1200-\u137f]+")
_LATIN_MAP = str.maketrans(
    {"ä": "e", "é": "e", "ə": "e", "ñ": "n", "ž": "zh", "š": "sh", "č": "ch"}
)


def _rows(path: Path) -> list[list[str]]:
    text = path.read_text(encoding="utf-8-sig")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


def _xlsx_words(path: Path) -> set[str]:
    shared = zipfile.ZipFile(path).read("xl/sharedStrings.xml").decode("utf-8")
    return {
        fold_name(w)
        for t in re.findall(r"<t[^>]*>([^<]*)</t>", shared)
        for w in _ETHIOPIC.findall(t)
    }


def _latin(form: str) -> str:
    form = unicodedata.normalize("NFC", form.strip().casefold()).translate(_LATIN_MAP)
    form = "".join(c for c in unicodedata.normalize("NFD", form) if not unicodedata.combining(c))
    return form if re.fullmatch(r"[a-z]{3,}", form) else ""


def main(geez_dir: str, lexical_dir: str) -> None:
    geez, lex = Path(geez_dir), Path(lexical_dir)
    top = geez / "amharic" / "toponymic"
    ordinary: set[str] = set()
    for xlsx in (geez / "tigrinya" / "dictionaries").rglob("*.xlsx"):
        ordinary |= _xlsx_words(xlsx)
    counts: Counter[str] = Counter()
    for tsv in lex.rglob("Tigrinya*WordList.tsv"):
        for row in _rows(tsv):
            if len(row) == 2 and row[1].strip().isdigit():
                counts[fold_name(row[0])] += int(row[1])
    ordinary |= {w for w, c in counts.items() if c >= COMMON_COUNT}
    merged = _rows(top / "BA-SGC-PhoneBook-SingleNames-Merged-20080604.txt")
    ordinary |= {fold_name(r[0]) for r in merged if len(r) > 1 and r[1] in ("Other", "Place")}

    names: dict[str, bool] = {}
    for row in merged:
        if len(row) < 2 or row[1] not in ("Male", "Female", "Both"):
            continue
        for form in (row[0], row[2] if len(row) > 2 else ""):
            form = form.strip()
            if form and " " not in form and _ETHIOPIC.fullmatch(form):
                names[form] = fold_name(form) in ordinary

    words: set[str] = set()
    for dic in HUNSPELL:
        if Path(dic).exists():
            for line in Path(dic).read_text(encoding="utf-8", errors="ignore").splitlines()[1:]:
                stem = line.split("/", 1)[0]
                if stem and stem[0].islower():
                    words.add(stem.casefold())
    geez_names = set(names)
    latin: dict[str, bool] = {}
    for row in _rows(top / "BA-SingleNames-20071031.txt") + _rows(
        top / "SGC-SingleNames-20071123.txt"
    ):
        if len(row) < 2 or row[0].strip() not in geez_names:
            continue
        for form in row[1:]:
            key = _latin(form)
            if key:
                latin[key] = key in words

    lines = [
        "# Eritrean and Ethiopian given names: built by tools/build_ethiopic_names.py from",
        "# geezorg/data (CC BY-SA 4.0) and keymanapp/lexical-models (MIT);",
        "# see given-names.README.md.",
    ]
    for name, common in sorted({**names, **latin}.items()):
        lines.append(f"{name}\t~" if common else name)
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(
        f"{OUT}: {len(names)} in Ge'ez script, {len(latin)} Latin spellings, "
        f"{sum(names.values()) + sum(latin.values())} also ordinary words"
    )


if __name__ == "__main__":
    main(*sys.argv[1:3])
