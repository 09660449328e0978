"""Random codes that people read aloud, copy from paper and type on a phone.

Meetings' join codes and groups' public codes, survey deployment codes and paper slips all use
the same alphabet and the same reading of a typed code.
"""

from __future__ import annotations

import secrets

#: No 0/O, 1/I/L: codes can be read aloud and typed without doubt.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
#: Longer input is cut here; no code is this long, so a pasted essay matches nothing.
MAX_TYPED_LENGTH = 32


def new_code(length: int) -> str:
    """A random code of ``length`` characters from :data:`CODE_ALPHABET`."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalise_code(text: str | None) -> str:
    """A typed code as stored: upper case, only ASCII letters and digits (spaces, dashes and
    other punctuation people copy with it are dropped), at most :data:`MAX_TYPED_LENGTH`."""
    return "".join(ch for ch in (text or "").upper() if ch.isascii() and ch.isalnum())[
        :MAX_TYPED_LENGTH
    ]
