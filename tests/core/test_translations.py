"""The Dutch staff catalog: complete for every English string in the sources, compiled, and used.

Staff pages use English msgids; Dutch is the default locale, so a msgid without a Dutch msgstr shows
up in English for most users. Extraction here uses the same babel.cfg and keywords as
``make translations-update``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask_babel import force_locale, gettext

from klankbord import create_app

REPO = Path(__file__).resolve().parents[2]
I18N_DIR = REPO / "platform" / "klankbord" / "translations"
PO_PATH = I18N_DIR / "nl" / "LC_MESSAGES" / "messages.po"
MO_PATH = I18N_DIR / "nl" / "LC_MESSAGES" / "messages.mo"
#: Keep in step with I18N_KEYWORDS in the Makefile.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
HOW_TO_FIX = (
    "Run `make translations-update`, fill in the Dutch msgstr in "
    "platform/klankbord/translations/nl/LC_MESSAGES/messages.po, run `make translations` "
    "and commit the .pot, .po and .mo."
)


def _key(msgid) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def _translated(msgstr) -> bool:
    """A msgstr, or every plural form of one, is filled in."""
    return all(msgstr) if isinstance(msgstr, tuple) else bool(msgstr)


@pytest.fixture(scope="module")
def extracted() -> dict[tuple[str, str | None], str]:
    """Every translatable string in the sources: (msgid, context) -> first location."""
    with open(REPO / "babel.cfg", encoding="utf-8") as fileobj:
        method_map, options_map = parse_mapping_cfg(fileobj)
    found: dict[tuple[str, str | None], str] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(REPO), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True
    ):
        key = (_key(message), context)
        if key[0]:
            found.setdefault(key, f"{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def catalog():
    with open(PO_PATH, "rb") as fileobj:
        return read_po(fileobj, locale="nl")


def test_extraction_finds_strings_in_python_and_templates(extracted):
    places = set(extracted.values())
    assert any(".py:" in place for place in places)
    assert any(".html:" in place for place in places), "babel.cfg no longer extracts templates"
    assert ("Log in", None) in extracted


def test_every_source_string_has_a_dutch_translation(extracted, catalog):
    problems = []
    for (msgid, context), place in sorted(extracted.items(), key=lambda item: item[1]):
        message = catalog.get(msgid, context)
        if message is None:
            problems.append(f"{place}: {msgid!r} is not in the catalog")
        elif message.fuzzy:
            problems.append(f"{place}: {msgid!r} is marked fuzzy")
        elif not _translated(message.string):
            problems.append(f"{place}: {msgid!r} has no Dutch translation")
    assert not problems, f"{len(problems)} staff strings lack Dutch. {HOW_TO_FIX}\n" + "\n".join(
        problems
    )


def test_no_entry_of_the_dutch_catalog_is_left_empty(catalog):
    """Also entries no source uses any more: an empty msgstr shows the English on a Dutch page."""
    empty = [_key(m.id) for m in catalog if m.id and not _translated(m.string)]
    assert not empty, f"{len(empty)} Dutch entries are empty: {empty[:10]}"


def test_translations_keep_their_placeholders(catalog):
    errors = [f"{_key(msg.id)!r}: {'; '.join(map(str, errs))}" for msg, errs in catalog.check()]
    assert not errors, "\n".join(errors)


def test_compiled_catalog_matches_the_po_file(catalog):
    """The .mo is committed so a fresh clone shows Dutch before `make translations`."""
    with open(MO_PATH, "rb") as fileobj:
        compiled = read_mo(fileobj)
    po = {(message.id, message.context): message.string for message in catalog if message.id}
    mo = {(message.id, message.context): message.string for message in compiled if message.id}
    assert mo == po, "messages.mo is out of date: run `make translations` and commit the .mo."


@pytest.fixture
def dutch_default_client(app_config):
    """An app with the production default locale, whatever the shared test config says."""
    app = create_app({**app_config, "BABEL_DEFAULT_LOCALE": "nl"})
    return app.test_client()


@pytest.mark.parametrize(("accept", "expected", "absent"), [
    ("nl-NL,nl;q=0.9", "Inloggen", "Log in"),
    ("en-GB,en;q=0.9", "Log in", "Inloggen"),
    (None, "Inloggen", "Log in"),  # no preference: the default locale, Dutch
])
def test_login_page_speaks_the_staff_language(dutch_default_client, accept, expected, absent):
    headers = {"Accept-Language": accept} if accept else {}
    response = dutch_default_client.get("/login", headers=headers)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f">{expected}<" in page
    assert f">{absent}<" not in page


def test_cli_messages_use_the_default_locale(app_config):
    """Commands run outside a request speak the default language: Dutch in production."""
    app = create_app({**app_config, "BABEL_DEFAULT_LOCALE": "nl"})
    with app.app_context():
        assert gettext("You are logged out.") == "U bent uitgelogd."
        with force_locale("en"):
            assert gettext("You are logged out.") == "You are logged out."
