"""Build platform/klankbord/analysis/data/given-names.txt and family-names.txt.

Run by hand when the lists should change; nothing downloads at run time. Inputs (both open):

* the Faker wheel (MIT licence; ``pip download --no-deps faker==40.54.0``): person providers of the
  locales below, which hold the given and family names of those countries;
* ``common-forenames-by-country.csv`` and ``common-surnames-by-country.csv`` of
  sigpwned/popular-names-by-country-dataset (CC0 1.0; from Wikipedia's lists of most popular given
  names and most common surnames, July 2023), for the romanised Arabic and Persian names;
* the Wiktionary category lists "Arabic/Persian/Turkish/Ukrainian/Russian/Dutch given names",
  "... surnames" and "English given names from Arabic/Persian" as exported by
  jgwoolley/Names-by-Culture (commit 81e3c9d2, September 2022; ``pages/<lang>/*.csv``); the
  names are Wiktionary page titles (CC BY-SA; see ../platform/klankbord/analysis/data/
  given-names.LICENSE). Reconstructed Old Persian and Ottoman entries are left out;
* ``tools/given_names_extra.txt``: Klankbord's own additions (CC0), for communities neither source
  covers: Eritrean/Tigrinya names in Ge'ez and Latin script, Afghan and Syrian romanisations, and
  the names that are also ordinary words in a script without capitals (Arabic, Persian, Ge'ez).

A name that is also an ordinary word ("hoop", "Amal" = hope, "Noor" = light) is marked with a
tab and ``~`` so the scrubber only takes it with context. Ordinary words are the lowercase stems of
the Hunspell dictionaries (Debian packages hunspell-nl, -en-us, -tr, -uk, -ru: they write proper
names with a capital, so "hoop" is a word and "Fatima" is not), the stopword lists of the
``stopwordsiso`` package, and the ``~`` lines of the extra file. Only the flag is kept, never the
dictionaries.

Usage::

    python tools/build_given_names.py FAKER.whl FORENAMES.csv SURNAMES.csv PAGES_DIR [HUNSPELL]
"""

from __future__ import annotations

import csv
import importlib
import sys
import tempfile
import unicodedata
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "platform" / "klankbord" / "analysis" / "data"
#: Faker locales of the communities Klankbord serves (Arabic, Persian, Turkish, Ukrainian/Russian,
#: Dutch, English, and Pakistani romanisations of Arabic-origin names).
LOCALES = (
    "ar_AA",
    "ar_SA",
    "ar_PS",
    "ar_DZ",
    "fa_IR",
    "tr_TR",
    "uk_UA",
    "ru_RU",
    "nl_NL",
    "nl_BE",
    "en_US",
    "en_GB",
    "en_PK",
)
#: countries taken from the CC0 Wikipedia-derived lists (native and romanised form)
COUNTRIES = {
    "EG",
    "IQ",
    "IR",
    "JO",
    "LB",
    "MA",
    "SA",
    "TR",
    "UA",
    "NL",
    "BE",
    "GB",
    "US",
    "DZ",
    "TN",
    "LY",
    "KW",
    "AE",
    "PS",
    "SY",
    "AF",
    "ER",
    "ET",
    "SO",
}


def norm(name: str) -> str:
    return unicodedata.normalize("NFC", name.strip()).casefold()


def tokens(name: str) -> list[str]:
    """Single-word entries only: a compound ("عبد الرؤوف") adds each part of 2+ letters."""
    return [t for t in norm(name).replace("-", " ").split() if len(t) >= 2]


def from_faker(wheel: Path) -> tuple[set[str], set[str]]:
    given: set[str] = set()
    family: set[str] = set()
    with tempfile.TemporaryDirectory() as tmp:
        zipfile.ZipFile(wheel).extractall(tmp)
        sys.path.insert(0, tmp)
        for loc in LOCALES:
            prov = importlib.import_module(f"faker.providers.person.{loc}").Provider
            for attr in ("first_names", "first_names_male", "first_names_female"):
                for name in getattr(prov, attr, ()) or ():
                    given.update(tokens(name))
            for name in getattr(prov, "last_names", ()) or ():
                family.update(tokens(name))
    return given, family


def from_csv(path: Path) -> set[str]:
    out: set[str] = set()
    with path.open(encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            if row["Country"] in COUNTRIES:
                out.update(tokens(row["Localized Name"]))
                out.update(tokens(row["Romanized Name"]))
    return out


#: Wiktionary languages (ISO 639-3) and the scripts kept for each
WIKTIONARY = {
    "ara": ("Arabic", "Latin"),
    "fas": ("Arabic", "Latin"),
    "tur": ("Latin",),
    "ukr": ("Cyrillic",),
    "rus": ("Cyrillic",),
    "nld": ("Latin",),
}


def from_wiktionary(pages: Path) -> tuple[set[str], set[str]]:
    given: set[str] = set()
    family: set[str] = set()
    for lang, scripts in WIKTIONARY.items():
        for kind, out in (("given_names", given), ("surnames", family)):
            with (pages / lang / f"{kind}.csv").open(encoding="utf-8") as fh:
                for row in csv.DictReader(fh):
                    title = row["name"]
                    if row["language_script"] not in scripts or ":" in title or "/" in title:
                        continue
                    if "Old Persian" in row["parent_cmtitle"] or "Ottoman" in row["parent_cmtitle"]:
                        continue
                    out.update(tokens(title))
    return given, family


def ordinary_words(hunspell: Path) -> set[str]:
    """Lowercase dictionary stems and stopwords of the languages with capitals."""
    words: set[str] = set()
    for dic in ("nl", "en_US", "tr_TR", "uk_UA", "ru_RU"):
        path = hunspell / f"{dic}.dic"
        if not path.exists():
            sys.exit(f"missing {path}: apt-get install hunspell-nl hunspell-en-us hunspell-tr ...")
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines()[1:]:
            stem = line.split("/", 1)[0].strip()
            if stem and stem[0].islower():
                words.add(norm(stem))
    import stopwordsiso

    for lang in ("nl", "en", "tr", "uk", "ru", "ar", "fa"):
        words.update(norm(w) for w in stopwordsiso.stopwords(lang))
    return words


def main(argv: list[str]) -> None:
    wheel, forenames, surnames, pages = map(Path, argv[1:5])
    hunspell = Path(argv[5]) if len(argv) > 5 else Path("/usr/share/hunspell")
    given, family = from_faker(wheel)
    given |= from_csv(forenames)
    family |= from_csv(surnames)
    wiki_given, wiki_family = from_wiktionary(pages)
    given |= wiki_given
    family |= wiki_family
    ordinary = ordinary_words(hunspell)
    extra = REPO / "tools" / "given_names_extra.txt"
    for line in extra.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0]
        names = {t for part in line.replace("~", "").split(",") for t in tokens(part)}
        given |= names
        if line.startswith("~"):
            ordinary |= names
    family -= given  # a family name that is also a given name is listed once, as a given name
    header = "# one casefolded name per line; built by tools/build_given_names.py (see README)\n"
    lines = [f"{n}\t~" if n in ordinary else n for n in sorted(given)]
    (OUT / "given-names.txt").write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    (OUT / "family-names.txt").write_text(
        header + "\n".join(sorted(family)) + "\n", encoding="utf-8"
    )
    print(
        f"{len(given)} given names ({len(given & ordinary)} also words), {len(family)} family names"
    )


if __name__ == "__main__":
    main(sys.argv)
