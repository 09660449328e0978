"""Normalise, tokenise and stem short texts in the languages Klankbord ships.

Every function here is pure and offline: NLTK's stemmers and regular-expression
tokenizer need no downloaded data, and stopwords come from the ``stopwordsiso``
package or from small lists in ``data/``. Tigrinya (Ge'ez script) has neither a
stemmer nor a stopword list; the character n-gram features carry it.

Two forms of every token are kept:

* the *surface* form (NFKC, case-folded, Arabic diacritics and tatweel removed) is
  what a reader sees in a theme label;
* the *key* (surface form with Arabic-script letters folded and the stem taken) is
  what the word features and the class-based TF-IDF count.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources

from nltk.stem import ISRIStemmer, SnowballStemmer
from nltk.tokenize import RegexpTokenizer

#: Languages with their own rules; anything else is treated as "unknown".
LANGUAGES: tuple[str, ...] = ("nl", "en", "ar", "ti", "fa", "tr", "uk")
UNKNOWN = "unknown"

# Arabic harakat, superscript alef, Quranic marks; tatweel is a stretching glyph.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_FOLD = str.maketrans(
    {
        "\u0623": "\u0627",  # alef with hamza above -> alef
        "\u0625": "\u0627",  # alef with hamza below -> alef
        "\u0622": "\u0627",  # alef with madda -> alef
        "\u0671": "\u0627",  # alef wasla -> alef
        "\u0649": "\u064a",  # alef maksura -> yaa
        "\u06cc": "\u064a",  # Persian yeh -> Arabic yaa
        "\u06d2": "\u064a",  # yeh barree -> yaa
        "\u0629": "\u0647",  # taa marbuta -> haa
        "\u06a9": "\u0643",  # Persian keheh -> Arabic kaf
        "\u0624": "\u0648",  # waw with hamza -> waw
        "\u0626": "\u064a",  # yaa with hamza -> yaa
    }
)
# Arabic-Indic and Persian digits become ASCII so numbers compare equal.
_DIGITS = str.maketrans(
    {chr(0x0660 + i): str(i) for i in range(10)} | {chr(0x06F0 + i): str(i) for i in range(10)}
)
# Letters only (no digits, no underscore), joined by apostrophes or ZWNJ
# (Persian writes prefixes and plurals with a zero-width non-joiner).
_TOKENIZER = RegexpTokenizer(r"[^\W\d_]+(?:['\u2019\u200c][^\W\d_]+)*")

_PERSIAN_LETTERS = set("\u067e\u0686\u0698\u06af\u06a9\u06cc")  # pe che zhe gaf keheh yeh
_UKRAINIAN_LETTERS = set("\u0456\u0457\u0454\u0491")  # i yi ie ghe-upturn
_TURKISH_LETTERS = set("\u011f\u015f\u0131\u0130\u011e\u015e")
_SNOWBALL = {"nl": "dutch", "en": "english"}


def normalise(text: str, lang: str | None = None) -> str:
    """Return the display form of *text*: NFKC, case-folded, no Arabic marks.

    Parameters
    ----------
    text : str
        Raw text.
    lang : str or None
        Language code. Only Turkish changes the result (dotted/dotless i).

    Returns
    -------
    str
        Normalised text with whitespace collapsed.
    """
    text = unicodedata.normalize("NFKC", text)
    if lang == "tr":
        # Turkish case folding: I -> ı and İ -> i, which str.casefold gets wrong.
        text = text.replace("I", "\u0131").replace("\u0130", "i")
    text = text.casefold()
    text = _ARABIC_MARKS.sub("", text).translate(_DIGITS)
    return " ".join(text.split())


def fold_arabic(text: str) -> str:
    """Fold Arabic/Persian letter variants so spelling variants share one key."""
    return text.translate(_ARABIC_FOLD)


def guess_language(text: str) -> str:
    """Guess a language code from the script and a few function words.

    Meant for texts that arrive without a language: it separates scripts
    reliably (Arabic vs Persian by Persian-only letters, Ge'ez -> ``ti``, Cyrillic
    -> ``uk``) and Latin-script texts by Turkish letters and stopword hits
    (nl/en/tr). Returns ``"unknown"`` when there is nothing to go on.
    """
    counts = {"arab": 0, "ethi": 0, "cyrl": 0, "latn": 0}
    persian = ukrainian = turkish = 0
    for ch in text:
        if not ch.isalpha():
            continue
        cp = ord(ch)
        if 0x0600 <= cp <= 0x06FF or 0x0750 <= cp <= 0x077F or 0xFB50 <= cp <= 0xFEFF:
            counts["arab"] += 1
            persian += ch in _PERSIAN_LETTERS
        elif 0x1200 <= cp <= 0x139F or 0x2D80 <= cp <= 0x2DDF or 0xAB00 <= cp <= 0xAB2F:
            counts["ethi"] += 1
        elif 0x0400 <= cp <= 0x052F:
            counts["cyrl"] += 1
            ukrainian += ch in _UKRAINIAN_LETTERS
        elif cp < 0x0250 or 0x1E00 <= cp <= 0x1EFF:
            counts["latn"] += 1
            turkish += ch in _TURKISH_LETTERS
    script = max(counts, key=counts.get)
    if counts[script] == 0:
        return UNKNOWN
    if script == "arab":
        return "fa" if persian else "ar"
    if script == "ethi":
        return "ti"
    if script == "cyrl":
        return "uk"
    if turkish:
        return "tr"
    words = _TOKENIZER.tokenize(text.casefold())
    scores = {code: sum(w in _LATIN_HINTS[code] for w in words) for code in _LATIN_HINTS}
    best = max(scores, key=scores.get)
    return best if scores[best] > 0 else UNKNOWN


# Frequent function words that tell the Latin-script languages apart.
_LATIN_HINTS = {
    "nl": frozenset(
        "de het een en van ik je is niet dat op te zijn wij we er maar ook voor met "
        "naar heb hebben geen wel mijn om bij kan wil moet als nog dit hoe wat".split()
    ),
    "en": frozenset(
        "the a an and of i you is not that on to are we there but also for with my "
        "have has no can want need how what this it be do does would".split()
    ),
    "tr": frozenset(
        "ve bir bu da de için ile çok ben biz ama değil var yok gibi daha ne nasıl "
        "mi mı mu mü olarak".split()
    ),
}


def resolve_language(text: str, lang: str | None) -> str:
    """Return *lang* if Klankbord knows it, else a guess from the text."""
    if lang:
        code = lang.strip().lower().replace("_", "-").split("-")[0]
        return code if code in LANGUAGES else UNKNOWN
    return guess_language(text)


@cache
def stopwords(lang: str) -> frozenset[str]:
    """Return the shipped stopword keys (normalised, folded, stemmed) for *lang*."""
    words: set[str] = set()
    shipped = resources.files("klankbord.analysis") / "data" / f"stopwords-{lang}.txt"
    if shipped.is_file():
        for line in shipped.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                words.add(line)
    elif lang in LANGUAGES:
        import stopwordsiso

        if stopwordsiso.has_lang(lang):
            words.update(stopwordsiso.stopwords(lang))
    keys = set()
    for word in words:
        surface = normalise(word, lang)
        keys.add(surface)
        keys.add(_stem(lang, fold_arabic(surface)))
    return frozenset(keys)


@cache
def keyword_stopwords(lang: str) -> frozenset[str]:
    """Stopword keys for choosing a theme's keywords: :func:`stopwords` plus a shipped list of
    function words (``keyword-stopwords-<lang>.txt``: Ukrainian's common list misses "на", "вже";
    Tigrinya has none).

    Only keywords use it. The clustering features keep :func:`stopwords`: on the demo, dropping
    these words from the TF-IDF features turned 11 themes into 3, a change no measurement chose.
    """
    words = set(stopwords(lang))
    extra = resources.files("klankbord.analysis") / "data" / f"keyword-stopwords-{lang}.txt"
    if extra.is_file():
        for line in extra.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                surface = normalise(line, lang)
                words.add(surface)
                words.add(_stem(lang, fold_arabic(surface)))
    return frozenset(words)


@lru_cache(maxsize=8)
def _stemmer(lang: str):
    """Build NLTK's stemmer for *lang* once (None where NLTK has none)."""
    if lang in _SNOWBALL:
        return SnowballStemmer(_SNOWBALL[lang]).stem
    if lang == "ar":
        return ISRIStemmer().stem
    return None


@lru_cache(maxsize=200_000)
def _stem(lang: str, token: str) -> str:
    """Stem one folded token; cached because feedback repeats its words a lot."""
    stem = _stemmer(lang)
    if stem is None:
        return token
    out = stem(token)
    return out if out else token


def analyse(text: str, lang: str | None = None) -> list[tuple[str, str]]:
    """Split *text* into ``(key, surface)`` pairs, stopwords removed.

    Parameters
    ----------
    text : str
        Raw text.
    lang : str or None
        Language code; guessed from the text when missing.

    Returns
    -------
    list of (str, str)
        Stemmed key and readable surface form of each content word.
    """
    code = resolve_language(text, lang)
    stop = stopwords(code) if code != UNKNOWN else frozenset()
    out = []
    for surface in _TOKENIZER.tokenize(normalise(text, code)):
        if len(surface) < 2 or surface in stop:
            continue
        key = _stem(code, fold_arabic(surface))
        if key in stop:
            continue
        out.append((key, surface))
    return out


def tokenize(text: str, lang: str | None = None) -> list[str]:
    """Return the stemmed content-word keys of *text*."""
    return [key for key, _ in analyse(text, lang)]


# Apostrophe look-alikes (Ukrainian writes the apostrophe in several ways) -> one.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'", "\u2018": "'", "`": "'"})
#: Fold Ge'ez syllables of Tigrinya to their consonant in the character features.
FOLD_GEEZ = True


def fold_geez(text: str) -> str:
    """Map each Ge'ez syllable to the first order of its consonant (ሀ ሁ ሂ ... -> ሀ).

    Ge'ez letters come in rows of eight (U+1200..U+137F) whose members differ by the vowel;
    folding them is a crude stemmer: inflection in Tigrinya mostly changes vowels.
    """
    out = []
    for ch in text:
        cp = ord(ch)
        if 0x1200 <= cp <= 0x135A:
            ch = chr(cp - (cp - 0x1200) % 8)
        out.append(ch)
    return "".join(out)


def char_form(text: str, lang: str | None = None) -> str:
    """The form of a text the character n-gram features read, per language.

    :func:`normalise` (NFKC, case folding with Turkish dotted/dotless i, no Arabic marks),
    Arabic/Persian letter variants folded, one apostrophe, and for Persian the zero-width
    non-joiner dropped (the same word is written with it, with a space or joined).
    """
    out = fold_arabic(normalise(text, lang)).translate(_APOSTROPHES)
    if lang == "fa":
        out = out.replace("\u200c", "")
    elif lang == "ti" and FOLD_GEEZ:
        out = fold_geez(out)
    return out
