"""Personal-data scrubber for residents' free text.

Pure Python (stdlib ``re`` / ``unicodedata`` only).  ``scrub`` replaces personal
data with visible Dutch placeholders such as ``[telefoonnummer]`` and keeps the
rest of the text byte-for-byte unchanged.

Design notes
------------
* Matching runs on a *view* of the text that has exactly the same length as the
  input: Arabic-Indic, Persian and full-width digits are mapped to ASCII,
  invisible direction marks are mapped to spaces and placeholders that are
  already present are masked with NUL characters so they can never be matched
  again.  Offsets in the view are offsets in the original, so the original
  span (with its original digits) is what gets replaced.
* Every detector yields candidate spans; overlaps are resolved longest-first
  (ties by detector priority) with an occupancy map.
* Patterns are bounded or anchored at the start of a run, so scanning is
  linear in the input length (no catastrophic backtracking).
* ``scrub`` repeats passes until nothing changes, so
  ``scrub(scrub(x)) == scrub(x)``.
* Names without a lead-in phrase come from shipped lists (``data/given-names.txt``,
  ``data/family-names.txt``; sources and licences in ``data/given-names.README.md``) read once
  at import, plus context: a family word, a greeting or sign-off, "I'm". A listed name that is
  also an ordinary word ("hoop", "أمل") needs context or a family name next to it; scripts
  without capitals need two listed names in a row or context.
* Cheap gates (a digit, "@", a spelled-out "at", a word of a name phrase or of the lists) let
  most answers skip most finders; ``_one_pass(gate=False)`` runs them all and a property test
  checks the result is the same. ``benchmarks/scrub.py`` measures recall, clean words eaten and
  time on a labelled set in the seven languages.
"""

from __future__ import annotations

import re

# The scrubber's parts live in private modules; this module runs them and re-exports what callers
# and tests use: _scrub_view (placeholders, the view, folding), _scrub_patterns (checksums and
# patterns), _scrub_detect (structured identifiers), _scrub_phrases and _scrub_names (names).
from klankbord.analysis._scrub_detect import (
    _ADDRESS_LABEL_HINTS,
    _find_address,
    _find_bsn,
    _find_email,
    _find_iban,
    _find_obfuscated_email,
    _find_phone,
    _find_url,
    _find_vnummer,
)
from klankbord.analysis._scrub_names import (  # noqa: F401  (_FAMILY: tests)
    _FAMILY,
    _GIVEN,
    _NAME_CONTEXTS,
    _TITLES_AFTER,
    _UK_ENDINGS,
    _UK_NOMINATIVE,
    _find_listed_names,
    _find_name,
)
from klankbord.analysis._scrub_patterns import IBAN_LENGTHS, bsn_is_valid, iban_is_valid  # noqa: F401
from klankbord.analysis._scrub_phrases import _MARKS
from klankbord.analysis._scrub_view import (  # noqa: F401  (fold_name: tools)
    _MAX_PASSES,
    _PRIORITY,
    _SUPPORTED_LANGS,
    KINDS,
    PLACEHOLDERS,
    _fold,
    _norm_lang,
    _view,
    fold_name,
)

__all__ = [
    "KINDS",
    "PLACEHOLDERS",
    "bsn_is_valid",
    "iban_is_valid",
    "scrub",
    "scrub_with_report",
]

# --------------------------------------------------------------------------
# the scrubber
# --------------------------------------------------------------------------
_ASCII_DIGIT_RE = re.compile(r"[0-9]")
#: an obfuscated e-mail spells out "at" or writes "@" (checked above): one cheap scan
#: words (with marks and joiners) of the casefolded view: what the gates look at
_GATE_WORD_RE = re.compile(r"[\w" + _MARKS + r"]+")
#: an obfuscated e-mail address spells out "at" (or writes "@", checked apart)
_AT_WORDS = frozenset("at et apenstaartje ات آت أت اَت собака равлик ኣት".split())
#: one word of each lead-in phrase ("ik *ben*"), and substrings for phrases that may be glued
#: to other letters ("voor*naam*", "و*اسم*ي") or change under casefolding (Turkish "İsmim")
_PHRASE_WORDS = frozenset(["ben"])
_PHRASE_SUBSTRINGS = (
    "naam",
    "heet",
    "noem",
    "name",
    "call",
    "سم",
    "نام",
    "adım",
    "adim",
    "smim",
    "зват",
    "звут",
    "моє",
    "мое",
    "моё",
    "зовут",
    "ስመይ",
    "ismi",
    "esmi",
    "esmee",
    "esmy",
    "esmam",
    "esme",
    "namam",
    "smey",
    "shmey",
    "adı",
    "adi",
    "ስሜ",
    "ሽመይ",
)


_PHRASE_SUBSTRING_RE = re.compile("|".join(map(re.escape, _PHRASE_SUBSTRINGS)))


def _gate_words(keys) -> frozenset[str]:
    return frozenset(w for key in keys for w in _GATE_WORD_RE.findall(_fold(key)))


def _context_gate_words(lang: str | None) -> frozenset[str]:
    """One word of each context phrase that applies to ``lang`` (the longest: "*thank* you")."""
    return _gate_words(
        max(phrase.split("_"), key=len)
        for phrases, phrase_lang, _strength in _NAME_CONTEXTS
        if phrase_lang is None or lang is None or phrase_lang == lang
        for phrase in phrases.split()
    )


# The listed-name finder needs a context word or a given name that is not an ordinary word;
# a given name that is also a word counts only next to a family name. Its gate checks that.
_UNMARKED_GIVEN_WORDS = _gate_words(k for k, ordinary in _GIVEN.items() if not ordinary)
_MARKED_GIVEN_WORDS = _gate_words(k for k, ordinary in _GIVEN.items() if ordinary)
_FAMILY_WORDS = _gate_words(_FAMILY)
#: declined forms of Ukrainian names ("Миколі", "Петром"), and titles after a name ("Hanım")
_DECLINED_GIVEN_WORDS = frozenset(
    name[: len(name) - len(nominative)] + ending
    for name, ordinary in _GIVEN.items()
    if not ordinary and "\u0400" <= name[:1] <= "\u04ff"
    for nominative in _UK_NOMINATIVE
    if nominative and name.endswith(nominative)
    for ending in _UK_ENDINGS
) | _gate_words(_TITLES_AFTER)
_CONTEXT_GATE_WORDS = {
    lang: _context_gate_words(lang) | _UNMARKED_GIVEN_WORDS | _DECLINED_GIVEN_WORDS
    for lang in (*_SUPPORTED_LANGS, None)
}


def _listed_names_possible(words: set[str], lang: str | None) -> bool:
    if not words.isdisjoint(_CONTEXT_GATE_WORDS[lang]):
        return True
    return not words.isdisjoint(_MARKED_GIVEN_WORDS) and not words.isdisjoint(_FAMILY_WORDS)


def _one_pass(text: str, lang: str | None, gate: bool = True) -> tuple[str, dict[str, int]]:
    view = _view(text)  # other digit scripts are already ASCII digits here
    candidates: list[tuple[int, int, str]] = []
    # Each finder only runs when the text holds what its pattern cannot do without: most
    # answers hold no digit, "@", spelled-out "at", link, name phrase or listed name, and
    # skipping is a fifth of a submission. The words of the casefolded text are taken once for
    # the word gates. (``gate=False`` runs every finder: a test checks the gates change nothing.)
    if not gate or "@" in view:
        candidates.extend(_find_email(view))
    low = _fold(view) if gate else ""
    words = set(_GATE_WORD_RE.findall(low)) if gate else set()
    if not gate or "@" in view or not words.isdisjoint(_AT_WORDS):
        candidates.extend(_find_obfuscated_email(view))
    if not gate or "://" in view or "www." in view.lower():
        candidates.extend(_find_url(view))
    digits = len(_ASCII_DIGIT_RE.findall(view)) if not gate or _ASCII_DIGIT_RE.search(view) else 0
    digits = digits if gate else 99
    if digits:
        candidates.extend(_find_iban(view))
        labels = not gate or any(hint in low for hint in _ADDRESS_LABEL_HINTS)
        candidates.extend(_find_address(view, labels))
    if digits >= 7:  # the shortest phone number; a BSN has 8 or 9 digits, a V-number 10
        candidates.extend(_find_vnummer(view))
        candidates.extend(_find_bsn(view))
        candidates.extend(_find_phone(view))
    if not gate or not words.isdisjoint(_PHRASE_WORDS) or _PHRASE_SUBSTRING_RE.search(low):
        candidates.extend(_find_name(view, lang))
    if not gate or _listed_names_possible(words, lang):
        candidates.extend(_find_listed_names(view, lang))
    counts = dict.fromkeys(KINDS, 0)
    if not candidates:
        return text, counts
    candidates.sort(key=lambda c: (c[0] - c[1], _PRIORITY[c[2]], c[0]))
    taken = bytearray(len(text))
    chosen: list[tuple[int, int, str]] = []
    for s, e, kind in candidates:
        if e <= s or taken.find(1, s, e) != -1:
            continue
        if "\x00" in view[s:e]:  # never swallow an existing placeholder
            continue
        taken[s:e] = b"\x01" * (e - s)
        chosen.append((s, e, kind))
    chosen.sort()
    out: list[str] = []
    last = 0
    for s, e, kind in chosen:
        out.append(text[last:s])
        out.append(PLACEHOLDERS[kind])
        counts[kind] += 1
        last = e
    out.append(text[last:])
    return "".join(out), counts


def scrub_with_report(text: str, lang: str | None = None) -> tuple[str, dict[str, int]]:
    """Scrub ``text`` and report how many items of each kind were replaced.

    ``lang`` (e.g. ``"nl"``, ``"ar"``, ``"fa"``) only restricts the ambiguous
    name phrases ("ik ben X", "call me X", "adım X") to that language; all
    other patterns, including the explicit "my name is" phrases of every
    shipped language, always apply because residents mix languages.
    """
    if not isinstance(text, str):
        raise TypeError(f"scrub() expects str, got {type(text).__name__}")
    norm = _norm_lang(lang)
    total = dict.fromkeys(KINDS, 0)
    for _ in range(_MAX_PASSES):
        new, counts = _one_pass(text, norm)
        if new == text:
            break
        for kind, n in counts.items():
            total[kind] += n
        text = new
    return text, total


def scrub(text: str, lang: str | None = None) -> str:
    """Return ``text`` with personal data replaced by Dutch placeholders."""
    return scrub_with_report(text, lang)[0]
