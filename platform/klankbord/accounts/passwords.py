"""Password policy and Argon2id hashing."""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from flask_babel import gettext as _

MIN_LENGTH = 12
MAX_LENGTH = 1024


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


def password_problem(password: str, email: str | None = None) -> str | None:
    """Return why a password is not acceptable, or None. Passphrases in any script are welcome."""
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
    return None


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
