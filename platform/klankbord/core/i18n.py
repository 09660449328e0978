"""Interface language and text direction.

Staff pages speak Dutch (default) or English; respondent pages speak the language the respondent
chose, which a view puts in ``g.respondent_locale``.
"""

from __future__ import annotations

from babel import Locale
from flask import current_app, g, has_request_context, request, session

from klankbord.core.languages import LANGUAGE_NAMES

__all__ = [
    "LANGUAGE_NAMES",
    "current_language",
    "format_day",
    "format_when",
    "select_locale",
    "text_direction",
]

RTL_LANGUAGES = frozenset({"ar", "fa"})


def text_direction(code: str) -> str:
    """Return 'rtl' or 'ltr' for a language code."""
    if code in RTL_LANGUAGES:
        return "rtl"
    try:
        return Locale.parse(code).text_direction
    except Exception:  # unknown code: Babel raises several kinds
        return "ltr"


def select_locale() -> str:
    """Pick the interface language for this request."""
    respondent = getattr(g, "respondent_locale", None)
    if respondent:
        return respondent
    if not has_request_context():  # CLI commands and jobs speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    allowed = current_app.config["STAFF_LOCALES"]
    chosen = session.get("lang")
    if chosen in allowed:
        return chosen
    # A logged-in staff member's saved choice wins over the browser (default Dutch).
    from flask_login import current_user

    preferred = getattr(current_user, "language", None) if current_user else None
    if preferred in allowed:
        return preferred
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    return request.accept_languages.best_match(allowed) or default


def current_language() -> str:
    from flask_babel import get_locale

    locale = get_locale()
    return str(locale.language) if locale else "nl"


def format_day(moment) -> str:
    """A date (or the date of a UTC datetime) in the reader's language: '7 december 2026'."""
    from flask_babel import format_date

    return format_date(moment, "long") if moment else ""


def format_when(moment) -> str:
    """Date and time in the reader's language, without seconds: '7 dec 2026, 19:30'.

    Babel's 'medium' datetime shows seconds, which nobody wants on a meeting time; this joins the
    locale's medium date and short time with the locale's own glue pattern.
    """
    from flask_babel import format_date, format_time, get_locale

    if not moment:
        return ""
    locale = get_locale()
    glue = str(locale.datetime_formats.get("medium", "{1} {0}")) if locale else "{1} {0}"
    return glue.replace("{1}", format_date(moment, "medium")).replace(
        "{0}", format_time(moment, "short")
    )
