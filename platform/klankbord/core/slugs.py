"""URL- and key-safe names made from what people typed."""

from __future__ import annotations

import re
import unicodedata


def slugify(text: str, fallback: str = "organisatie") -> str:
    """Lower-case ASCII words joined by dashes ("Gemeente Súdwest-Fryslân" → "gemeente-sudwest-
    fryslan"); ``fallback`` when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or fallback
