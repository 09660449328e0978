"""Build platform/klankbord/analysis/data/common-words-{ar,fa,ti}.txt.gz: the most frequent words.

Run by hand when the lists should change; nothing downloads at run time. In a script without
capitals a name after a family word ("مادرم شکریه", "ሰበይተይ ኣብረኸት") can only be told from an
ordinary word ("مادرم مریض است", my mother is ill) by how common the word is: the scrubber takes an
unlisted word there only when it is not among these words. Inputs (both open):

* Arabic and Persian: the ``wordfreq`` package (code Apache-2.0, word lists CC BY-SA 4.0, by
  Robyn Speer and contributors; https://github.com/rspeer/wordfreq), ``top_n_list(lang, N)``;
* Tigrinya: the 3,000 most frequent words of the newspaper word lists of keymanapp/lexical-models
  (Ge'ez Frontier Foundation, MIT; ``release/gff/gff.ti_er.../TigrinyaErWordList.tsv`` and
  ``gff.ti_et.../TigrinyaEtWordList.tsv``; further down those lists hold many people's names)
  and the headwords of the two Tigrinya dictionaries of geezorg/data (CC BY-SA 4.0,
  ``tigrinya/dictionaries/*/*.xlsx``).

Usage (wordfreq in any virtual environment; it is not a dependency of Klankbord)::

    python -m venv /tmp/wf && /tmp/wf/bin/pip install wordfreq
    /tmp/wf/bin/python tools/build_common_words.py TIGRINYA_WORDLIST_DIR TIGRINYA_DICTIONARY_DIR
"""

from __future__ import annotations

import gzip
import re
import sys
import zipfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "platform" / "klankbord" / "analysis" / "data"
#: how many of the most frequent words count as ordinary
TOP_N = 15_000
TOP_N_TIGRINYA_NEWS = 3_000


def _write(lang: str, words: list[str], source: str) -> None:
    body = f"# ordinary {lang} words: {source}\n" + "\n".join(words) + "\n"
    data = gzip.compress(body.encode("utf-8"), mtime=0)  # the same bytes on every rebuild
    (OUT / f"common-words-{lang}.txt.gz").write_bytes(data)
    print(lang, len(words))


def _dictionary_headwords(folder: str) -> set[str]:
    words: set[str] = set()
    for xlsx in Path(folder).rglob("*.xlsx"):
        shared = zipfile.ZipFile(xlsx).read("xl/sharedStrings.xml").decode("utf-8")
        for text in re.findall(r"<t[^>]*>([^<]*)</t>", shared):
            words.update(re.findall(r"[\u1200-\u137f]+", text))
    return words


def main(tigrinya_dir: str, dictionary_dir: str) -> None:
    import wordfreq

    for lang in ("ar", "fa"):
        words = [w for w in wordfreq.top_n_list(lang, TOP_N) if not w.isascii()]
        _write(lang, words, f"the {TOP_N} most frequent in wordfreq (CC BY-SA 4.0)")
    counts: Counter[str] = Counter()
    for tsv in Path(tigrinya_dir).rglob("Tigrinya*WordList.tsv"):
        for line in tsv.read_text(encoding="utf-8-sig").splitlines():
            word, _, count = line.partition("\t")
            if count.strip().isdigit():
                counts[word.strip()] += int(count)
    news = [w for w, _ in counts.most_common(TOP_N_TIGRINYA_NEWS)]
    words = sorted(set(news) | _dictionary_headwords(dictionary_dir))
    _write("ti", words, "keymanapp/lexical-models (MIT) and geezorg/data (CC BY-SA 4.0)")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
