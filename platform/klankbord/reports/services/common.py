"""What every part of the report services shares: the user-facing error, text lookup and the
theme members a text reference points at."""

from __future__ import annotations

from klankbord.reports.models import ThemeMember


class ReportError(Exception):
    """A user-facing problem; ``code`` lets views pick a translated message."""

    def __init__(self, code: str, message: str = ""):
        super().__init__(message or code)
        self.code = code


def _text(mapping, lang: str) -> str:
    if not mapping:
        return ""
    return mapping.get(lang) or mapping.get("nl") or next(iter(mapping.values()))


def member_condition(ref: str):
    """The ``ThemeMember`` rows of a text reference ("m:<idea id>" or "s:<response>:<question>",
    see ``core.refs.text_ref``), as a where-condition; None for a malformed reference."""
    parts = ref.split(":")
    if parts[0] == "m" and len(parts) == 2 and parts[1].isdigit():
        return ThemeMember.idea_id == int(parts[1])
    if parts[0] == "s" and len(parts) == 3:
        return (ThemeMember.response_id == parts[1]) & (ThemeMember.question_id == parts[2])
    return None
