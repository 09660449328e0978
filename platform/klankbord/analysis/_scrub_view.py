"""The scrubber's placeholders, languages and the matching *view* of a text (see ``scrub``)."""

from __future__ import annotations

import re

#: kind -> visible placeholder written into the text
PLACEHOLDERS: dict[str, str] = {
    "email": "[e-mail]",
    "url": "[url]",
    "iban": "[iban]",
    "vnummer": "[v-nummer]",
    "bsn": "[bsn]",
    "phone": "[telefoonnummer]",
    "address": "[adres]",
    "name": "[naam]",
}
#: detection kinds, in priority order (earlier wins a tie between equally long spans)
KINDS: tuple[str, ...] = tuple(PLACEHOLDERS)
_PRIORITY = {kind: i for i, kind in enumerate(KINDS)}

_SUPPORTED_LANGS = frozenset({"nl", "en", "ar", "ti", "fa", "tr", "uk"})
_LANG_ALIASES = {"prs": "fa", "dari": "fa", "per": "fa", "ru": "uk", "am": "ti"}

_MAX_PASSES = 8

# --------------------------------------------------------------------------
# the matching view
# --------------------------------------------------------------------------
_VIEW_TABLE: dict[int, str] = {}
for _base in (0x0660, 0x06F0, 0xFF10, 0x0966, 0x09E6):  # Arabic-Indic, Persian, full-width, ...
    for _i in range(10):
        _VIEW_TABLE[_base + _i] = str(_i)
# invisible bidi/format characters that may sit inside a copied phone number
for _cp in (
    0x200B,
    0x200E,
    0x200F,
    0x061C,
    0xFEFF,
    0x2060,
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
):
    _VIEW_TABLE[_cp] = " "
# Arabic decimal and thousands separators, and "@" lookalikes (full-width, small)
_VIEW_TABLE.update({0x066B: ".", 0x066C: ",", 0xFF20: "@", 0xFE6B: "@", 0xFF0E: "."})
# NUL is our "unmatchable" mask character; an input NUL stays NUL (also unmatchable)

_PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))


_VIEW_NEEDED_RE = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_VIEW_TABLE)) + "]")


def _view(text: str) -> str:
    # translate() looks every character up: most answers have nothing to translate
    view = text.translate(_VIEW_TABLE) if _VIEW_NEEDED_RE.search(text) else text
    if "[" in view:
        view = _PLACEHOLDER_RE.sub(lambda m: "\x00" * len(m.group()), view)
    return view


def _norm_lang(lang: str | None) -> str | None:
    if not lang or not isinstance(lang, str):
        return None
    base = lang.strip().lower().replace("_", "-").split("-", 1)[0]
    base = _LANG_ALIASES.get(base, base)
    return base if base in _SUPPORTED_LANGS else None


def _geez_fold_table() -> dict[int, int]:
    """Ge'ez letters that sound alike, written as one: names are spelled both ways.

    ሐ/ኀ/ሀ, ሠ/ሰ, ዐ/አ and ፀ/ጸ are homophones; Tigrinya writes ኽ and ቕ where Amharic writes ክ
    and ቅ (ተኽለ, ተክለ); and the first and fourth forms of ሀ and አ are both read "a" (ኣ, አ).
    """
    table: dict[int, int] = {}
    families = {
        0x1210: 0x1200,
        0x1280: 0x1200,
        0x1220: 0x1230,
        0x12D0: 0x12A0,
        0x1340: 0x1338,
        0x12B8: 0x12A8,
        0x1250: 0x1240,
    }
    for src, dst in families.items():
        for order in range(7):
            table[src + order] = dst + order
    for base in (0x1200, 0x12A0):
        for src in (base, base + 3):
            for family in [base] + [s for s, d in families.items() if d == base]:
                table[family + (src - base)] = base
    return table


_GEEZ_FOLD = _geez_fold_table()


def _fold(word: str) -> str:
    """Casefold, with Turkish "İ" read as "I" (casefold makes it "i" + a combining dot) and
    Ge'ez homophones written alike."""
    return word.casefold().replace("i\u0307", "i").replace("’", "'").translate(_GEEZ_FOLD)


#: the folding the name lists are compared in (also used by tools/build_ethiopic_names.py)
fold_name = _fold
