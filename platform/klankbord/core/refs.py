"""How reports, embeddings and jobs name one free text, whatever table holds it.

A survey answer is ``"s:<response id>:<question id>"``, a meeting idea ``"m:<idea id>"``. Theme
members, quote curation and stored vectors are matched by this string, so it is written here only.
"""

from __future__ import annotations


def text_ref(response_id: str | None, question_id: str | None, idea_id: int | None = None) -> str:
    """The reference of a survey answer (response + question) or of a meeting idea."""
    if idea_id is not None:
        return f"m:{idea_id}"
    return f"s:{response_id}:{question_id}"
