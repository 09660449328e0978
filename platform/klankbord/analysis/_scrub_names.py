"""Names without a lead-in phrase: the shipped name lists plus context (family words, greetings)."""

from __future__ import annotations

import functools
import gzip
from importlib import resources

from klankbord.analysis._scrub_contexts import _CONTEXT_BY_LAST, _NAME_CONTEXTS  # noqa: F401
from klankbord.analysis._scrub_phrases import (
    _FUNCTION_WORDS,
    _NAME_RES,
    _NOT_A_NAME,
    _PARTICLES,
    _take_name,
)
from klankbord.analysis._scrub_view import (
    _fold,
)

# --------------------------------------------------------------------------
# names without a lead-in phrase: a shipped list of given names plus context
# --------------------------------------------------------------------------


def _load_names() -> tuple[dict[str, bool], frozenset[str]]:
    """Given names (name -> is also an ordinary word) and family names, from ``data/``."""
    folder = resources.files(__package__) / "data"
    given: dict[str, bool] = {}
    for listed in ("given-names.txt", "given-names-ethiopic.txt"):
        for line in (folder / listed).read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                name, _, mark = line.partition("\t")
                given.setdefault(_fold(name), mark == "~")  # the general list decides first
    family = frozenset(
        _fold(line)
        for line in (folder / "family-names.txt").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    )
    never = _FUNCTION_WORDS | _PARTICLES  # "de", "van", "the" come from compound entries
    given = {k: v for k, v in given.items() if k not in never}
    return given, family - never


#: given name (casefolded) -> True when it is also an ordinary word ("hoop", "أمل"); see
#: data/given-names.README.md for the sources and licences
_GIVEN, _FAMILY = _load_names()


@functools.cache
def _common_uncased() -> frozenset[str]:
    """Words common in Arabic, Persian or Tigrinya text (data/common-words-*.txt.gz): after a
    family word, a word in a script without capitals that is neither listed nor common is taken
    as a name ("مادرم شکریه"). Read on first use (75 ms), not at import: most answers never ask."""
    folder = resources.files(__package__) / "data"
    words: set[str] = set()
    for lang in ("ar", "fa", "ti"):
        text = gzip.decompress((folder / f"common-words-{lang}.txt.gz").read_bytes())
        words.update(
            _fold(w) for w in text.decode("utf-8").splitlines() if w and not w.startswith("#")
        )
    return frozenset(words)

#: capitalised words that are in the name lists but, in residents' answers, are mostly something
#: else: months, days, places, feasts, institutions
_NOT_NAME_CAPS = frozenset(
    """
    january february march april may june july august september october november december
    januari februari maart mei juni juli augustus oktober
    monday tuesday wednesday thursday friday saturday sunday maandag dinsdag woensdag donderdag
    vrijdag zaterdag zondag jordan jordanië israel israël paris parijs georgia victoria sydney
    florence chelsea holland asia azië africa afrika europa europe india china america amerika
    syria syrië sudan soedan eritrea eritrea ethiopia ethiopië afghanistan iran irak iraq turkije
    turkey türkiye oekraïne ukraine україна rusland russia libya libië yemen jemen lebanon libanon
    egypte egypt marokko morocco somalia somalië kabul damascus damascus aleppo asmara kyiv kiev
    kharkiv odesa istanbul ankara tehran teheran zwolle amsterdam rotterdam utrecht den haag
    ramadan ramazan bayram eid kerst christmas pasen easter allah god islam christian christen
    azc coa ind gemeente municipality nidos vluchtelingenwerk dutch nederlands english engels
    arabic arabisch turkish turks farsi dari tigrinya ukrainian oekraïens
    heijn lidl jumbo aldi action kruidvat hema plus coop dirk vomar ggd duo uwv cjib
    türk türkçe hollandaca arapça ingilizce almanca farsça kürtçe felemenkçe
    """.split()
)
#: titles written after a name ("Linda Hanım", "Fadime Teyze"): they mark the word before as a
#: name and are not part of it
_TITLES_AFTER = frozenset("hanım hanim bey teyze abla amca hoca hocam".split())
#: titles written before a name, also with a full stop ("Mrs. de Jong", "Dr. Jansen")
_TITLES = frozenset("mr mrs ms dr drs mevr mw dhr".split())
#: punctuation around a word ("Groeten,", "(Fatima)", "ሳባ።")
_PUNCT = ".,;:!?…\"'“”‘’«»()[]{}<>*•·-—–/\\،؛؟፣፤።፧፥"
#: trailing punctuation that may sit between a context word and the name ("Groeten, Fatima")
_CONTEXT_TAIL = frozenset(["", ",", ":", ";", "،", "፣", "፤", "-", "—", "–", ",\u200f"])
#: "father of" and "mother of" in an Arabic kunya ("أبو خالد")
_KUNYA = frozenset(map(_fold, "أبو ابو أم ام".split()))
#: "and" between two names ("Karin en Joost", "Dilan ve Berfin", "Ali and Hassan")
_AND = frozenset("en and ve und і и та و ና".split())
_UNCASED_RANGES = ((0x0621, 0x06FF), (0x1200, 0x137F))


def _uncased(word: str) -> bool:
    """A word in a script without capitals (Arabic, Persian, Ge'ez)."""
    c = ord(word[0])
    return any(lo <= c <= hi for lo, hi in _UNCASED_RANGES)


# a family word or greeting is never itself a name ("ኣደይ" is also the given name Adey)
for _context_word in _CONTEXT_BY_LAST:
    _GIVEN.pop(_context_word, None)

#: capitalised words that start a sentence after a greeting ("Thanks, Great work")
_ORDINARY_CAPS = frozenset(
    """great good nice very really please sorry yes no ok okay hello thanks thank everyone all team
    sir madam madame staff everybody guys friends fine happy sad tired sick here new from
    goed fijn mooi heel echt graag sorry ja nee oké iedereen allemaal team alles wij meneer
    mevrouw heer dames heren allen blij moe ziek nieuw
    syrian eritrean afghan iranian turkish ukrainian dutch iraqi somali ethiopian sudanese yemeni
    palestinian lebanese moroccan kurdish kurd arab arabic muslim christian refugee""".split()
)
#: words after a sign-off that address everyone rather than sign
_NOT_A_SIGNATURE = frozenset(
    """allemaal iedereen everyone all everybody herkese hepinize всім усім للجميع لكم جميعا
    همه همگی ንኹልኹም ንኹሉ team""".split()
)
_NOT_A_SIGNATURE = frozenset(map(_fold, _NOT_A_SIGNATURE))
#: common Persian and Arabic words that end like a family name (-ی/-ي) but are not one
_NOT_NISBA = frozenset(
    """خیلی یکی کسی چیزی وقتی جایی برای ولی یعنی دیگری خوبی بعدی قبلی زندگی خانگی همگی کمی
    بسیاری آنجایی اینجایی هلندی فارسی عربی انگلیسی ترکی افغانی ایرانی سوری
    في الذي التي لي بي علي إلي إلى حتى متى على سوري عربي هولندي إنجليزي كردي تركي يومي شخصي
    """.split()
)


def _is_nisba(key: str) -> bool:
    """A family name formed with -ی/-ي ("Rezaei", "Ahmadi") in Persian or Arabic script."""
    return len(key) >= 4 and key[-1] in "یي" and key not in _NOT_NISBA


def _is_cap_name_word(word: str, key: str) -> bool:
    """A capitalised word that may be (part of) a name: not a function word, month or place."""
    return (
        word[0].isupper()
        and key not in _FUNCTION_WORDS
        and key not in _NOT_A_NAME
        and key not in _NOT_NAME_CAPS
        and key not in _TITLES_AFTER
        and not ("'" in key and key not in _GIVEN and key not in _FAMILY)  # "Almanya'da"
        and not (word.isupper() and key not in _GIVEN and key not in _FAMILY)  # "AZC", "IND"
    )


def _split_words(view: str) -> list[tuple[int, int, str, str, str]]:
    """(start, end, word, casefolded key, trailing punctuation) for each whitespace chunk."""
    out = []
    pos = 0
    for chunk in view.split():
        start = view.find(chunk, pos)
        pos = start + len(chunk)
        core = chunk.strip(_PUNCT)
        if not core:
            out.append((start, pos, "", "", chunk))
            continue
        s = start + len(chunk) - len(chunk.lstrip(_PUNCT))
        e = s + len(core)
        key = _fold(core)
        if key not in _GIVEN and key not in _FAMILY:
            if "'" in key:  # "Ayşe'nin", "Fatima's": the name is the base
                base = key.split("'", 1)[0]
                if base in _GIVEN or base in _FAMILY:
                    key, e = base, s + len(base)
                    core = core[: len(base)]
            elif core[0] == "و" and len(key) > 3 and key[1:] in _GIVEN:  # "وعلي": "and Ali"
                key, s, core = key[1:], s + 1, core[1:]
            elif "\u200c" in key:  # "علی‌رضا": a Persian name of two listed parts
                parts = key.split("\u200c")
                if all(part in _GIVEN for part in parts):
                    key = parts[0]
            elif key[-1] == "ን" and key[:-1] in _GIVEN:  # Tigrinya "ፍሰሃን ምሕረትን": X and Y
                key = key[:-1]
            elif core[0].isupper() and "\u0400" <= core[0] <= "\u04ff":
                key = _ukrainian_nominative(key)
        out.append((s, e, core, key, view[e:pos]))
    return out


#: Ukrainian case endings, longest first, and the nominative endings a name may have instead
_UK_ENDINGS = ("ові", "еві", "ою", "ею", "ом", "ем", "ої", "і", "у", "ю", "и", "я", "а")
_UK_NOMINATIVE = ("", "а", "о", "я", "й")


def _ukrainian_nominative(key: str) -> str:
    """The listed name behind a declined one ("Миколі" -> "микола", "Петром" -> "петро")."""
    for ending in _UK_ENDINGS:
        if key.endswith(ending) and len(key) - len(ending) >= 4:  # not "Коли" (when) -> Коля
            stem = key[: -len(ending)]
            for nominative in _UK_NOMINATIVE:
                if _GIVEN.get(stem + nominative) is False:
                    return stem + nominative
    return key


def _find_listed_names(view: str, lang: str | None):
    """Names from the shipped list, with or without context (see data/given-names.README.md)."""
    words = _split_words(view)
    n = len(words)

    def extend(i: int, cased: bool) -> int:
        """End of a name starting at word i: up to two more name words or particles."""
        end = words[i][1]
        j = i
        for _ in range(3):
            if words[j][4] or j + 1 >= n:  # punctuation ends a name
                break
            s, e, word, key, _tail = words[j + 1]
            if not word:
                break
            if (
                key in _PARTICLES
                and j + 2 < n
                and words[j + 2][2][:1].isupper()
                and _is_cap_name_word(words[j + 2][2], words[j + 2][3])  # not "van het COA"
                and not words[j + 1][4]
            ):
                j += 2
                end = words[j][1]
                continue
            if cased:
                if not _is_cap_name_word(word, key):
                    break
            elif key not in _FAMILY and not _is_nisba(key) and not _arabic_family_name(key):
                listed = _GIVEN.get(key)
                # an unlisted word ends the name; in Ge'ez script so does one marked as an
                # ordinary word, because those marks come from dictionaries ("ሓኪም", doctor),
                # while an Arabic family name is often a word too ("ليلى حسن")
                if listed is None or (listed and 0x1200 <= ord(word[0]) <= 0x137F):
                    break
            j += 1
            end = e
            if j - i >= 3:
                break
        return end

    def after_context(i: int, strength: int) -> tuple[int, int] | None:
        s, e, word, key, tail = words[i]
        if not word:
            return None
        if (  # "Dokter de Vries", "Mevrouw van Dam" (not a sign-off: "Groetjes van Hawa")
            strength == 2
            and key in _PARTICLES
            and not tail
            and i + 1 < n
            and words[i + 1][2]
            and _is_cap_name_word(words[i + 1][2], words[i + 1][3])
        ):
            return s, extend(i + 1, cased=True)
        listed = _GIVEN.get(key)
        if word[0].isupper():
            if not _is_cap_name_word(word, key):
                return None
            end = extend(i, cased=True)
            if listed is None and key not in _FAMILY:
                if key in _ORDINARY_CAPS:
                    return None
                # not in the lists: a greeting vouches for a signature ("Thanks, Burak"), and
                # both a greeting and "I'm" for a first and family name ("Я Катерина Шевчук")
                two_words = view[e:end].strip() != ""
                last = not view[end:].strip(_PUNCT + " \t\r\n\u00a0")
                if strength < 2 and not (two_words or (strength == 1 and last)):
                    return None
            return s, end
        if word[0].islower():  # typed without a capital: "mijn broer ahmed"
            return (s, extend(i, cased=False)) if listed is False else None
        if _uncased(word) and key not in _FUNCTION_WORDS:
            if listed is False or (listed and strength >= 2) or key in _FAMILY:
                return s, extend(i, cased=False)
            if (
                listed is None
                and strength >= 2
                and len(key) >= 3
                and key not in _common_uncased()
                and key[:1] != "و"  # "مادرم و ...": and
            ):
                return s, extend(i, cased=False)  # "مادرم شکریه", "ሰበይተይ ኣብረኸት"
        return None

    def signature(i: int) -> tuple[int, int] | None:
        """One to three words that end the text after "Groeten," / "ብሰላምታ፣" on its own."""
        rest = words[i + 1 :]
        separated = words[i][4] or "\n" in view[words[i][1] : rest[0][0]]
        if not separated or len(rest) > 3 or any(w[4] for w in rest[:-1]):
            return None
        if view[rest[-1][1] :].strip(_PUNCT + " \t\r\n\u00a0"):
            return None
        for _s, _e, word, key, _tail in rest:
            if (
                not word
                or key in _FUNCTION_WORDS
                or key in _ORDINARY_CAPS
                or key in _NOT_A_SIGNATURE
            ):
                return None
        return rest[0][0], rest[-1][1]

    for i in range(n):
        s, e, word, key, tail = words[i]
        if not word:
            continue
        # 1. after a family word, greeting, sign-off or "I'm"
        contexts = _CONTEXT_BY_LAST.get(key)
        if contexts and i + 1 < n and (tail in _CONTEXT_TAIL or (tail == "." and key in _TITLES)):
            for before, phrase_lang, strength in contexts:
                if phrase_lang is not None and lang is not None and lang != phrase_lang:
                    continue
                k = len(before)
                if k and (i < k or tuple(w[3] for w in words[i - k : i]) != before):
                    continue
                span = after_context(i + 1, strength)
                if strength == 3 and span is None:
                    span = signature(i)
                if span is not None:
                    yield span[0], span[1], "name"
                    break
        nxt = words[i + 1] if i + 1 < n and not tail else None
        # 2. a capitalised word before a title: "Linda Hanım", "Fadime Teyze"
        if nxt is not None and nxt[3] in _TITLES_AFTER and _is_cap_name_word(word, key):
            if key not in _ORDINARY_CAPS:
                yield s, e, "name"
                continue
        # 3. a kunya: "أبو خالد", "أم محمد" (father or mother of ...)
        if key in _KUNYA and nxt is not None and _GIVEN.get(nxt[3]) is not None:
            yield s, extend(i + 1, cased=False), "name"
            continue
        listed = _GIVEN.get(key)
        if listed is None or key in _FUNCTION_WORDS:
            continue
        # 3. two listed names joined by "and": "Ali and Hassan", "Dilan ve Berfin", "خالد وعلي"
        other = _joined_name(words, i)
        if other is not None:
            yield s, e, "name"
            yield other[0], other[1], "name"
            continue
        head = word[0]
        if head.isupper():
            # 4. a capitalised listed name: "Gisteren heeft Fatima Ahmadi mij geholpen"
            if key in _NOT_NAME_CAPS or (word.isupper() and len(word) < 3):
                continue
            if nxt is not None and nxt[2][:1].isupper() and nxt[3] in _NOT_NAME_CAPS:
                continue  # part of a shop's or a place's name: "Albert Heijn"
            pair = (
                nxt is not None
                and nxt[2][:1].isupper()
                and (nxt[3] in _FAMILY or _GIVEN.get(nxt[3]) is False)
            )
            if listed and not pair:
                continue  # "Hoop doet leven", "Will the kitchen open": only with context
            yield s, extend(i, cased=True), "name"
        elif nxt is not None and nxt[2] and _uncased(word) and _uncased(nxt[2]):
            # 5. two listed names in a row without capitals: "فاطمة أحمد", "ዮናስ ተስፋይ"
            b_listed = _GIVEN.get(nxt[3])
            if (b_listed is not None or nxt[3] in _FAMILY) and not (
                listed and b_listed is not False
            ):
                yield s, extend(i, cased=False), "name"


def _joined_name(words, i: int) -> tuple[int, int] | None:
    """The second of two listed given names joined by "and" (one of them not an ordinary word),
    written alike: both capitalised, or both in a script without capitals."""
    n = len(words)
    first = words[i]
    if first[4]:
        return None
    j = i + 1
    if j < n and words[j][3] in _AND and not words[j][4]:
        j += 1
    elif j < n and first[2][-1:] == "ን" and words[j][2][-1:] == "ን":
        pass  # Tigrinya "ፍሰሃን ምሕረትን": each name carries the "and"
    elif not (j < n and words[j][2][:1] == "و" and first[2] and _uncased(first[2])):
        return None  # "وعلي": the "and" is glued to the name (split off in _split_words)
    if j >= n or not words[j][2]:
        return None
    second = words[j]
    a, b = _GIVEN.get(first[3]), _GIVEN.get(second[3])
    if a is None or b is None or (a and b):
        return None
    if first[2][0].isupper() and second[2][0].isupper():
        if _is_cap_name_word(first[2], first[3]) and _is_cap_name_word(second[2], second[3]):
            return second[0], second[1]
    elif _uncased(first[2]) and _uncased(second[2]):
        if first[3] not in _FUNCTION_WORDS and second[3] not in _FUNCTION_WORDS:
            return second[0], second[1]
    return None


def _arabic_family_name(key: str) -> bool:
    """ "الحسن", "الهدى": the article before a listed name makes a family or compound name."""
    return key[:2] == "ال" and len(key) > 4 and (key[2:] in _GIVEN or _is_nisba(key))


def _may_follow_a_name(key: str) -> bool:
    """A word in a script without capitals that may be the second word of a name."""
    return (
        _GIVEN.get(key) is False
        or key in _FAMILY
        or _is_nisba(key)
        or _arabic_family_name(key)
        or (key not in _common_uncased() and key not in _FUNCTION_WORDS)
    )


def _find_name(view: str, lang: str | None):
    for regex, strong, phrase_lang in _NAME_RES:
        if not strong and lang is not None and lang != phrase_lang:
            continue
        for m in regex.finditer(view):
            span = _take_name(view, m.end(), strong, _GIVEN, _may_follow_a_name, _FAMILY)
            if span is not None:
                yield span[0], span[1], "name"
