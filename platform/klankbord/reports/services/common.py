"""What every part of the report services shares: the user-facing error and text lookup."""

from __future__ import annotations


class ReportError(Exception):
    """A user-facing problem; ``code`` lets views pick a translated message."""

    def __init__(self, code: str, message: str = ""):
        super().__init__(message or code)
        self.code = code


def _text(mapping, lang: str) -> str:
    if not mapping:
        return ""
    return mapping.get(lang) or mapping.get("nl") or next(iter(mapping.values()))
