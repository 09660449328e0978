"""The languages Klankbord speaks, and the one rule for a text that is missing in a language.

Pure Python (no Flask), so the survey definitions and the analysis glue can use it too.

The fallback rule, everywhere (interface texts of residents' pages, stored questions, polls and
updates, survey texts): the wanted language; else the text's own default language when it has
one (a survey's ``default_language``); else Dutch, the working language that every stored text
must have; else English; else the first text there is. Empty texts count as missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

#: Every language of residents' pages, in the order of language pickers.
LANGUAGES: tuple[str, ...] = ("nl", "en", "ar", "ti", "fa", "tr", "uk")
#: Languages of staff pages (gettext catalogs).
STAFF_LANGUAGES: tuple[str, ...] = ("nl", "en")
#: The organisation's working language: every stored text has it, and it is the default.
DEFAULT_LANGUAGE = "nl"
#: After the wanted language (and a text's own default): Dutch, then English.
FALLBACK_LANGUAGES: tuple[str, ...] = (DEFAULT_LANGUAGE, "en")

#: Each language named in its own script, for language pickers.
LANGUAGE_NAMES = {
    "nl": "Nederlands",
    "en": "English",
    "ar": "العربية",
    "ti": "ትግርኛ",
    "fa": "فارسی",
    "tr": "Türkçe",
    "uk": "Українська",
}


def known(lang: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """``lang`` when Klankbord speaks it, else ``default``."""
    return lang if lang in LANGUAGES else default


def ordered(codes: Iterable[str]) -> list[str]:
    """Known codes among ``codes``, once each, in the order of :data:`LANGUAGES`."""
    wanted = set(codes)
    return [code for code in LANGUAGES if code in wanted]


def pick(
    texts: Mapping[str, str] | None, lang: str, *, default: str | None = None
) -> tuple[str, str]:
    """Return (text, the language it is in) by the fallback rule of this module.

    Nothing at all gives ``("", lang)``.
    """
    texts = texts or {}
    candidates = (lang, default, *FALLBACK_LANGUAGES, *texts.keys())
    for code in candidates:
        if code is not None and texts.get(code):
            return texts[code], code
    return "", lang


def text_in(texts: Mapping[str, str] | None, lang: str, *, default: str | None = None) -> str:
    """The text of :func:`pick` alone."""
    return pick(texts, lang, default=default)[0]
