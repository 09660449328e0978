"""Password policy and Argon2id hashing."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 1024
#: zxcvbn's score (0-4) a password needs: 3 is "safely unguessable" (about 10^8 guesses and up)
#: for an account that also has a lockout and, for admins, a second factor.
MIN_STRENGTH = 3
#: zxcvbn's time grows with length; a longer password is judged by its beginning (the other
#: rules see all of it), which only makes the judgement stricter.
STRENGTH_CHARS = 64
#: Words an attacker of a Dutch municipality's Klankbord tries first, on top of zxcvbn's
#: English lists (which have no Dutch): the product, greetings, seasons, clubs, cities.
LOCAL_WORDS = (
    "klankbord", "welkom", "wachtwoord", "gemeente", "geheim", "hallo", "hoi", "doei",
    "zomer", "winter", "lente", "herfst", "voorjaar", "najaar", "maandag", "vrijdag",
    "januari", "december", "liefde", "schatje", "voetbal", "ajax", "feyenoord", "psv",
    "nederland", "holland", "amsterdam", "rotterdam", "utrecht", "denhaag", "azc",
    "vluchteling", "beleid", "opvang", "coa", "admin", "beheerder", "welcome", "password",
)

#: What made zxcvbn's estimate low, by the pattern that covers most of the password.
WEAKNESS = {
    "repeat": _l("it repeats characters or words"),
    "spatial": _l("it follows a row of keys on the keyboard"),
    "sequence": _l("it is a sequence like abc or 1234"),
    "regex": _l("it contains a year"),
    "date": _l("it contains a date"),
    "user_inputs": _l(
        "it contains your name, your e-mail address, the organisation or a word like 'welkom'"
    ),
    "passwords": _l("it is, or is based on, a common password"),
    "dictionary": _l("it consists of common words or names"),
}


@cache
def common_passwords() -> frozenset[str]:
    """Shipped list of common and breached passwords."""
    text = (
        resources.files("klankbord.accounts")
        .joinpath("data/common-passwords.txt")
        .read_text("utf-8")
    )
    return frozenset(
        line.strip().lower()
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


def normalise_password(password: str) -> str:
    """NFKC so the same passphrase typed on another keyboard still matches."""
    return unicodedata.normalize("NFKC", password)


def context_words(*values: str | None) -> list[str]:
    """Words of names, e-mail addresses and organisations that a guesser would try first."""
    words: list[str] = list(LOCAL_WORDS)
    for value in values:
        if not value:
            continue
        value = value.lower()
        words.append(value)
        words.extend(part for part in re.split(r"[\s@._+-]+", value) if len(part) >= 3)
    return words


def strength_problem(password: str, context: Iterable[str] = ()) -> str | None:
    """Why zxcvbn thinks the password is easy to guess (translated), or None."""
    result = zxcvbn(password[:STRENGTH_CHARS], user_inputs=list(context))
    if result["score"] >= MIN_STRENGTH:
        return None
    matches = [m for m in result["sequence"] if m["pattern"] != "bruteforce"]
    reason = None
    if matches:
        main = max(matches, key=lambda m: len(m["token"]))
        kind = main["pattern"]
        if kind == "dictionary":
            name = main.get("dictionary_name")
            kind = name if name in ("user_inputs", "passwords") else "dictionary"
        reason = WEAKNESS.get(kind)
    return _(
        "Too easy to guess: %(reason)s. A sentence of a few unusual words works well.",
        reason=reason or _("it is too predictable"),
    )


def password_problem(
    password: str, email: str | None = None, context: Iterable[str] = ()
) -> str | None:
    """Return why a password is not acceptable, or None. Passphrases in any script are welcome.

    :param context: names (the person's, the organisation's) to count as easy to guess.
    """
    password = normalise_password(password)
    if len(password) < MIN_LENGTH:
        return _(
            "Use at least %(n)d characters. A sentence of a few words works well.", n=MIN_LENGTH
        )
    if len(password) > MAX_LENGTH:
        return _("That password is too long.")
    lowered = password.lower()
    if lowered in common_passwords() or len(set(lowered)) < 3:
        return _("This password is too common and appears in lists of leaked passwords.")
    if email and lowered == email.lower():
        return _("Do not use your e-mail address as password.")
    return strength_problem(password, context_words(email, *context))


def _hasher() -> PasswordHasher:
    return PasswordHasher(
        time_cost=current_app.config["ARGON2_TIME_COST"],
        memory_cost=current_app.config["ARGON2_MEMORY_COST"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(normalise_password(password))


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, normalise_password(password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


#: Verified against unknown accounts so timing does not reveal which e-mail addresses exist.
_DUMMY_HASH: dict[str, str] = {}


def dummy_verify(password: str) -> None:
    key = f"{current_app.config['ARGON2_TIME_COST']}:{current_app.config['ARGON2_MEMORY_COST']}"
    if key not in _DUMMY_HASH:
        _DUMMY_HASH[key] = hash_password("not-a-real-password-for-timing")
    verify_password(_DUMMY_HASH[key], password)
